import json
import math
import pickle
import struct

import pytest
import torch

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import (
    WeightsFileError,
    load_into,
    load_state_dict_file,
    save_state_dict,
    weights_path_for,
)


def test_weights_live_beside_the_design():
    assert weights_path_for("/x/net.cnn.json").as_posix() == "/x/net.safetensors"


def test_safetensors_round_trip(tmp_path):
    module = build_module(load_template("lenet5"))
    save_state_dict(module.state_dict(), tmp_path / "w.safetensors")
    other = build_module(load_template("lenet5"))
    load_into(other, load_state_dict_file(tmp_path / "w.safetensors"))
    assert torch.equal(other.conv1.weight, module.conv1.weight)


def test_truncated_and_mismatched_files_are_explained(tmp_path):
    module = build_module(load_template("lenet5"))
    path = tmp_path / "w.safetensors"
    save_state_dict(module.state_dict(), path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(WeightsFileError, match="not a readable safetensors file"):
        load_state_dict_file(path)
    xo = build_module(load_template("xo")).state_dict()
    with pytest.raises(WeightsFileError, match="missing .* tensor"):
        load_into(module, xo)


class RunsCode:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_a_pickle_that_would_run_code_is_refused_and_does_not_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"conv1.weight": RunsCode()}))
    with pytest.raises(WeightsFileError, match="refused: it contains Python objects other than tensors"):
        load_state_dict_file(path)
    torch.save({"conv1.weight": RunsCode()}, path)
    with pytest.raises(WeightsFileError, match=r"refused: it contains Python code \(exec\)") as refused:
        load_state_dict_file(path)
    # torch's own message goes on to suggest the reload that would run the code: it is not passed on.
    assert "weights_only" not in str(refused.value) and "False" not in str(refused.value)
    assert not (tmp_path / "PWNED").exists()


def sparse_safetensors(path, name: str, shape: list[int]) -> None:
    """A safetensors file declaring one float32 tensor, its data a hole (8 GiB take 4 KB on disk)."""
    nbytes = 4 * math.prod(shape)
    header = json.dumps({name: {"dtype": "F32", "shape": shape, "data_offsets": [0, nbytes]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(path, "wb") as handle:
        handle.write(struct.pack("<Q", len(header)) + header)
        handle.truncate(8 + len(header) + nbytes)


def test_a_huge_file_of_tensors_the_design_lacks_is_refused_from_its_header(tmp_path, monkeypatch):
    path = tmp_path / "big.safetensors"
    sparse_safetensors(path, "features.weight", [2**31])
    module = build_module(load_template("xo"))

    def no_reading(*args, **kwargs):
        raise AssertionError("tensor data was read")

    monkeypatch.setattr("cnnstudio.pytorch.weights.safe_open", no_reading)
    with pytest.raises(
        WeightsFileError,
        match=r"none of its 1 tensors fits this network \(features.weight \(2147483648,\) vs network \(3, 1, 3, 3\)",
    ):
        load_state_dict_file(path, fitting=module)


def test_only_the_tensors_that_fit_the_design_are_read(tmp_path):
    module = build_module(load_template("xo"))
    state = dict(module.state_dict())
    state["extra.weight"] = torch.zeros(3)
    state["features.weight"] = torch.zeros(1, 2, 3)
    save_state_dict(state, tmp_path / "w.safetensors")
    loaded = load_state_dict_file(tmp_path / "w.safetensors", fitting=module)
    assert set(loaded) == set(module.state_dict()) - {"features.weight"}


def test_a_file_shorter_than_its_header_declares_is_refused(tmp_path):
    path = tmp_path / "cut.safetensors"
    sparse_safetensors(path, "conv1.weight", [4, 4])
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(WeightsFileError, match=r"truncated: its header declares"):
        load_state_dict_file(path)


def test_running_out_of_memory_while_reading_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    save_state_dict(build_module(load_template("xo")).state_dict(), path)

    def out_of_memory(*args, **kwargs):
        raise MemoryError("Cannot allocate memory (os error 12)")

    monkeypatch.setattr("cnnstudio.pytorch.weights.safe_open", out_of_memory)
    with pytest.raises(WeightsFileError, match="not enough memory to read its"):
        load_state_dict_file(path)
    torch.save(build_module(load_template("xo")).state_dict(), tmp_path / "w.pt")
    monkeypatch.setattr("torch.load", out_of_memory)
    with pytest.raises(WeightsFileError, match="not enough memory to read its"):
        load_state_dict_file(tmp_path / "w.pt")


def test_weights_of_another_type_are_converted_with_a_note():
    module = build_module(load_template("xo"))
    state = {key: value.clone() for key, value in module.state_dict().items()}
    state["features.weight"] = state["features.weight"].to(torch.int64)
    state["features.bias"] = state["features.bias"] > 0
    notes = load_into(module, state, source="the weights")
    assert notes == [
        "the weights: 1 tensor(s) converted from int64 to float32, e.g. features.weight",
        "the weights: 1 tensor(s) converted from bool to float32, e.g. features.bias",
    ]
    assert module.features.weight.dtype == torch.float32
