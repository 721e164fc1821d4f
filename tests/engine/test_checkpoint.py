import json
import os
import random

import pytest
import torch

from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.checkpoint import (
    CheckpointError,
    DataInfo,
    Progress,
    checkpoint_dir,
    load_checkpoint,
    restore_rng,
    save_checkpoint,
)

from .conftest import small_net, stripe_split


def save(run_dir, tag="last", epoch=1, model=None, optimizer=None):
    model = model or torch.nn.Linear(3, 2)
    return save_checkpoint(
        run_dir,
        tag,
        model=model,
        config=TrainConfig(epochs=4),
        design=small_net().to_dict(),
        data=DataInfo(["a", "b"], [0.5], [0.25], [1, 8, 8]),
        progress=Progress(epoch=epoch),
        optimizer=optimizer,
    )


def test_round_trip_of_weights_optimizer_state_and_rng(tmp_path):
    model = torch.nn.Linear(3, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.1)
    model(torch.ones(4, 3)).sum().backward()
    optimizer.step()
    torch.manual_seed(7)
    save(tmp_path, model=model, optimizer=optimizer)
    expected_draw = torch.rand(3)
    loaded = load_checkpoint(tmp_path)
    assert torch.equal(loaded.weights["weight"], model.weight.detach())
    restored = torch.optim.Adam(torch.nn.Linear(3, 2).parameters(), lr=0.5)
    restored.load_state_dict(loaded.optimizer)
    original = optimizer.state_dict()
    assert torch.equal(restored.state_dict()["state"][0]["exp_avg"], original["state"][0]["exp_avg"])
    assert restored.param_groups[0]["lr"] == 0.1
    restore_rng(loaded.rng)
    assert torch.equal(torch.rand(3), expected_draw)
    assert loaded.config.epochs == 4 and loaded.data.classes == ["a", "b"] and loaded.progress.epoch == 1


def test_checkpoint_files_are_safetensors_and_json_only(tmp_path):
    list(train(small_net(), stripe_split(), TrainConfig(epochs=1), tmp_path))
    for tag in ("best", "last"):
        names = sorted(os.listdir(tmp_path / tag))
        assert names == ["state.json", "state.safetensors", "weights.safetensors"]
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]  # no staging leftovers


def test_a_crash_between_the_two_renames_recovers_the_previous_checkpoint(tmp_path):
    save(tmp_path, epoch=1)
    os.replace(tmp_path / "last", tmp_path / ".last.old")  # as if killed right after the first rename
    assert checkpoint_dir(tmp_path) == tmp_path / "last"
    assert load_checkpoint(tmp_path).progress.epoch == 1


def test_replacing_a_checkpoint_leaves_exactly_the_new_one(tmp_path):
    save(tmp_path, epoch=1)
    save(tmp_path, epoch=2)
    assert load_checkpoint(tmp_path).progress.epoch == 2
    assert sorted(os.listdir(tmp_path)) == ["last"]


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda path: (path / "state.json").write_text("{not json"), "unreadable"),
        (lambda path: (path / "state.json").write_text('{"format": "other"}'), "not a CNN Studio checkpoint"),
        (
            lambda path: (path / "state.json").write_text(
                json.dumps({"format": "cnnstudio.checkpoint", "version": 99})
            ),
            "version 99 is not supported",
        ),
        (lambda path: (path / "weights.safetensors").write_bytes(b"\x00" * 20), "not a readable safetensors file"),
        (lambda path: (path / "state.safetensors").unlink(), "state.safetensors"),
    ],
)
def test_damaged_checkpoints_raise_a_clear_error(tmp_path, damage, words):
    damage(save(tmp_path))
    with pytest.raises(CheckpointError, match=None) as caught:
        load_checkpoint(tmp_path)
    assert words in str(caught.value)


def test_a_folder_without_checkpoints_is_explained(tmp_path):
    with pytest.raises(CheckpointError, match="no 'best' checkpoint"):
        load_checkpoint(tmp_path, "best")


def _tamper_state(path, change):
    state = json.loads((path / "state.json").read_text())
    change(state["rng"])
    (path / "state.json").write_text(json.dumps(state))


def _tamper_torch_state(path):
    from safetensors.torch import load_file, save_file

    tensors = load_file(path / "state.safetensors")
    tensors["rng.torch"] = torch.zeros(10, dtype=torch.uint8)
    save_file(tensors, path / "state.safetensors")


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: _tamper_state(path, lambda rng: rng["python"].__setitem__(1, rng["python"][1][:10])),
        lambda path: _tamper_state(path, lambda rng: rng.__setitem__("python", "tampered")),
        lambda path: _tamper_state(path, lambda rng: rng["numpy"].__setitem__("keys", [1, 2, 3])),
        lambda path: _tamper_state(path, lambda rng: rng["numpy"].__setitem__("kind", "PCG64")),
        lambda path: _tamper_state(path, lambda rng: rng["numpy"].__setitem__("keys", [2**40] * 624)),
        lambda path: _tamper_state(path, lambda rng: rng.pop("numpy")),
        _tamper_torch_state,
    ],
    ids=["python-short", "python-text", "numpy-short", "numpy-kind", "numpy-overflow", "numpy-missing", "torch-size"],
)
def test_a_tampered_random_number_state_is_a_damaged_checkpoint(tmp_path, damage):
    damage(save(tmp_path))
    before = (random.getstate(), torch.get_rng_state())
    with pytest.raises(CheckpointError, match="damaged checkpoint .its random-number state cannot be restored"):
        load_checkpoint(tmp_path)
    assert random.getstate() == before[0] and torch.equal(torch.get_rng_state(), before[1])


def test_a_checkpoint_keeps_the_history_it_is_given(tmp_path):
    history = [{"epoch": 1, "train_loss": 0.5, "train_acc": 0.75, "val_loss": None, "val_acc": None, "lr": 0.1}]
    model = torch.nn.Linear(3, 2)
    save_checkpoint(
        tmp_path,
        "last",
        model=model,
        config=TrainConfig(epochs=4),
        design=small_net().to_dict(),
        data=DataInfo(["a", "b"], [0.5], [0.25], [1, 8, 8]),
        progress=Progress(epoch=1),
        history=history,
    )
    assert load_checkpoint(tmp_path).history == history
    save(tmp_path)
    assert load_checkpoint(tmp_path).history is None
