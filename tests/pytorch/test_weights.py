import pickle

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
    with pytest.raises(WeightsFileError, match="refused or unreadable"):
        load_state_dict_file(path)
    assert not (tmp_path / "PWNED").exists()
