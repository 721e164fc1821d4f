"""No model or checkpoint file can run code: a crafted pickle is refused at every place that loads weights,
and damaged or mismatched weight files give a clear error instead of a traceback.

Each payload would create the file PWNED in the working directory if it were unpickled; every test runs in
its own temporary directory and asserts the file never appears.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.cli.main import main
from cnnstudio.data import load_data
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.loop import train
from cnnstudio.graph.io import save_network
from cnnstudio.graph.templates import load_template

MARKER = "PWNED"


class RunsCode:
    """Unpickling this calls exec: the shape of every malicious model file."""

    def __reduce__(self):
        return (exec, (f"open({MARKER!r}, 'w').write('code ran')",))


def raw_pickle(path: Path) -> Path:
    path.write_bytes(pickle.dumps({"conv1.weight": RunsCode()}))
    return path


def torch_zip_pickle(path: Path) -> Path:
    """A file in torch.save's own zip format whose pickle would run code."""
    torch.save({"conv1.weight": RunsCode()}, path)
    return path


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / MARKER).exists(), "a crafted pickle was executed"


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> Path:
    """A real run folder (xo net, one epoch) to damage."""
    run_dir = tmp_path_factory.mktemp("run") / "xo"
    graph = load_template("xo")
    data = load_data("xo:count=200", (1, 9, 9), seed=0)
    for _ in train(graph, data, TrainConfig(epochs=1, batch_size=32, data="xo:count=200"), str(run_dir)):
        pass
    return run_dir


@pytest.fixture
def image(tmp_path) -> Path:
    path = tmp_path / "x.png"
    Image.fromarray(np.zeros((9, 9), np.uint8)).save(path)
    return path


@pytest.mark.parametrize("make", [raw_pickle, torch_zip_pickle], ids=["raw pickle", "torch zip"])
def test_train_refuses_crafted_starting_weights(capsys, tmp_path, make):
    design = tmp_path / "net.cnn.json"
    save_network(load_template("xo"), design)
    weights = make(tmp_path / "evil.pt")
    code, text = run_cli(
        capsys,
        "train",
        design,
        "--data",
        "xo:count=100",
        "--epochs",
        "1",
        "--weights",
        weights,
        "--out",
        tmp_path / "run",
    )
    assert code == 2
    assert "evil.pt" in text and "weights-only" in text and "Traceback" not in text


@pytest.mark.parametrize("command", ["predict", "inspect", "classify"])
def test_model_commands_refuse_a_pickle_beside_the_design(capsys, tmp_path, image, command):
    design = tmp_path / "net.cnn.json"
    save_network(load_template("xo"), design)
    raw_pickle(tmp_path / "net.safetensors")
    argv = {
        "predict": ["predict", "--model", design, image],
        "inspect": ["inspect", "activations", "--model", design, "--image", image, "-o", tmp_path / "o.png"],
        "classify": ["classify", "--model", design, "--source", tmp_path, "--frames", "1"],
    }[command]
    code, text = run_cli(capsys, *argv)
    assert code != 0
    assert "net.safetensors" in text and "Traceback" not in text


@pytest.mark.parametrize("damage", ["pickle", "truncated", "mismatched"])
@pytest.mark.parametrize("command", ["evaluate", "resume", "export", "predict"])
def test_run_commands_refuse_damaged_checkpoint_weights(capsys, tmp_path, trained_run, image, damage, command):
    run_dir = tmp_path / "run"
    shutil.copytree(trained_run, run_dir)
    for tag in ("best", "last"):
        weights = run_dir / tag / "weights.safetensors"
        if damage == "pickle":
            raw_pickle(weights)
        elif damage == "truncated":
            weights.write_bytes(weights.read_bytes()[:200])
        else:
            from safetensors.torch import save_file

            save_file({"conv1.weight": torch.zeros(2, 2)}, str(weights))
    argv = {
        "evaluate": ["evaluate", run_dir],
        "resume": ["train", "--resume", run_dir, "--epochs", "2"],
        "export": ["export", run_dir, "--format", "py", "-o", tmp_path / "net.py"],
        "predict": ["predict", "--model", run_dir, image],
    }[command]
    code, text = run_cli(capsys, *argv)
    assert code != 0, text
    assert ("weights.safetensors" in text) or ("do not fit this network" in text), text
    assert "Traceback" not in text
