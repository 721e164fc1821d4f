import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.export import ScriptSettings, export_onnx, export_program, export_python, write_training_script


@pytest.fixture(scope="module")
def trained():
    graph = load_template("lenet5")
    torch.manual_seed(0)
    return graph, build_module(graph).eval().state_dict()


def reference(graph, state, x):
    module = build_module(graph).eval()
    module.load_state_dict(state)
    with torch.no_grad():
        return module(x)


def test_onnx_matches_in_onnxruntime_with_any_batch(tmp_path, trained):
    ort = pytest.importorskip("onnxruntime")
    graph, state = trained
    export_onnx(graph, state, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    x = torch.randn(5, 1, 28, 28)
    (y,) = session.run(None, {"input": x.numpy()})
    assert np.allclose(y, reference(graph, state, x).numpy(), atol=1e-5)


def test_torch_export_program(tmp_path, trained):
    graph, state = trained
    export_program(graph, state, tmp_path / "m.pt2")
    program = torch.export.load(tmp_path / "m.pt2")
    x = torch.randn(2, 1, 28, 28)
    assert torch.allclose(program.module()(x), reference(graph, state, x))


def test_python_source_with_weights_runs_standalone(tmp_path, trained):
    graph, state = trained
    weights = export_python(graph, state, tmp_path / "lenet.py")
    assert weights.name == "lenet.pt"
    torch.save(torch.ones(1, 1, 28, 28), tmp_path / "x.pt")
    code = (
        "import torch, lenet; y = lenet.load()(torch.load('x.pt', weights_only=True)); torch.save(y.detach(), 'y.pt')"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    y = torch.load(tmp_path / "y.pt", weights_only=True)
    assert torch.allclose(y, reference(graph, state, torch.ones(1, 1, 28, 28)))


def make_folder(root, size=12, per_class=8):
    rng = np.random.default_rng(0)
    for label, name in enumerate(["dark", "light"]):
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            value = 40 if label == 0 else 220
            pixels = np.clip(rng.normal(value, 10, (size, size, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")


def test_training_script_trains_without_cnn_studio(tmp_path):
    graph = load_template("xo")  # ends in Softmax: the script must train on the scores before it
    make_folder(tmp_path / "images")
    script = tmp_path / "train.py"
    write_training_script(graph, script, ScriptSettings(epochs=2, batch_size=4, lr=0.05, data=str(tmp_path / "images")))
    text = script.read_text()
    assert "cnnstudio" not in text.replace("CNN Studio", "")
    result = subprocess.run(
        [sys.executable, str(script), "--workers", "0", "--out", str(tmp_path / "ck")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "epoch 2:" in result.stdout
    state = torch.load(tmp_path / "ck" / "best.pt", weights_only=True)
    assert "features.weight" in state


def test_training_script_runs_distributed_with_torchrun(tmp_path):
    graph = load_template("xo")
    make_folder(tmp_path / "images")
    script = tmp_path / "train.py"
    write_training_script(graph, script, ScriptSettings(epochs=1, batch_size=2, data=str(tmp_path / "images")))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node=2",
            "--master_port=29517",
            str(script),
            "--workers",
            "0",
            "--out",
            str(tmp_path / "ck"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("epoch 1:") == 1  # rank 0 reports and saves
    assert (tmp_path / "ck" / "last.pt").is_file()
