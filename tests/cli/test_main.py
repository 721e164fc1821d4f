import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

import cnnstudio
from cnnstudio.cli.main import main
from cnnstudio.graph import load_network
from cnnstudio.pytorch import build_module


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "template, params",
    [("vgg16", 138_357_544), ("alexnet", 61_100_840), ("resnet18", 11_689_512), ("googlenet", 6_624_904)],
)
def test_new_then_analyze_json_reports_the_parameter_count(tmp_path, capsys, template, params):
    path = tmp_path / "v.cnn.json"
    assert run(capsys, "new", template, "-o", str(path))[0] == 0
    code, out, _ = run(capsys, "analyze", str(path), "--json")
    document = json.loads(out)
    assert code == 0 and document["total_params"] == params and document["errors"] == []
    assert set(document) == {"layers", "total_params", "total_flops", "total_macs", "errors"}
    assert set(document["layers"][0]) == {"id", "type", "output_shape", "params", "flops", "macs"}


def test_analyze_prints_a_summary_table(tmp_path, capsys):
    path = tmp_path / "l.cnn.json"
    run(capsys, "new", "lenet5", "-o", str(path))
    code, out, _ = run(capsys, "analyze", str(path))
    assert code == 0
    assert "conv1    Conv2d     6×28×28          156" in out
    assert "Total learnables: 61,706" in out


def test_new_retargets(tmp_path, capsys):
    path = tmp_path / "r.cnn.json"
    code, out, _ = run(capsys, "new", "resnet18", "-o", str(path), "--classes", "7", "--input", "1,64,64")
    assert code == 0 and "fc now outputs 7 classes" in out
    graph = load_network(path).graph
    assert graph.nodes["fc"].param("out_features") == 7 and graph.nodes["input"].param("channels") == 1


def broken(tmp_path, nodes, edges):
    path = tmp_path / "broken.cnn.json"
    path.write_text(
        json.dumps({"format": "cnnstudio.network", "version": 1, "name": "b", "nodes": nodes, "edges": edges})
    )
    return str(path)


def test_broken_designs_exit_1_with_per_node_messages(tmp_path, capsys):
    nodes = [
        {"id": "input", "type": "Input", "params": {"channels": 1, "height": 8, "width": 8}},
        {"id": "conv", "type": "Conv2d", "params": {"kernel_size": 11}},
        {"id": "blob", "type": "Blobify"},
        {"id": "a", "type": "ReLU"},
        {"id": "b", "type": "ReLU"},
    ]
    edges = [["input", "conv"], ["conv", "blob"], ["a", "b"], ["b", "a"], ["blob", "ghost"]]
    code, _, err = run(capsys, "analyze", broken(tmp_path, nodes, edges))
    assert code == 1
    assert "error: blob: unknown layer type 'Blobify'" in err
    assert "cycle through a, b" in err
    assert "connection blob → ghost ignored" in err
    assert "Traceback" not in err


def test_shape_errors_exit_1_in_json_too(tmp_path, capsys):
    nodes = [
        {"id": "input", "type": "Input", "params": {"channels": 1, "height": 8, "width": 8}},
        {"id": "conv", "type": "Conv2d", "params": {"kernel_size": 11}},
    ]
    code, out, _ = run(capsys, "analyze", broken(tmp_path, nodes, [["input", "conv"]]), "--json")
    assert code == 1
    assert json.loads(out)["errors"][0]["node"] == "conv"
    assert "larger than its input 8×8" in json.loads(out)["errors"][0]["message"]


@pytest.mark.parametrize("content", [b"{garbage", b"", b"\x00\x01\x02", b'{"format": "keras"}'])
def test_unreadable_files_exit_2(tmp_path, capsys, content):
    path = tmp_path / "bad.cnn.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "analyze", str(path))
    assert code == 2 and "bad.cnn.json" in err and "Traceback" not in err


def test_missing_file_and_bad_arguments_exit_2(tmp_path, capsys):
    assert run(capsys, "analyze", str(tmp_path / "none.cnn.json"))[0] == 2
    assert run(capsys, "new", "lenet9", "-o", str(tmp_path / "x.json"))[0] == 2
    assert run(capsys, "import", "keras:vgg", "-o", str(tmp_path / "x.json"))[0] == 2
    with pytest.raises(SystemExit) as error:
        main(["new", "lenet5", "-o", "x.json", "--input", "3x32"])
    assert error.value.code == 2


def test_printed_code_runs_as_is_and_matches_the_built_module(tmp_path, capsys):
    design = tmp_path / "g.cnn.json"
    run(capsys, "new", "cifar_resnet", "-o", str(design))
    code, source, _ = run(capsys, "code", str(design))
    assert code == 0
    (tmp_path / "net.py").write_text(source)
    built = build_module(load_network(design).graph).eval()
    torch.save(built.state_dict(), tmp_path / "w.pt")
    torch.manual_seed(0)
    torch.save(torch.randn(2, 3, 32, 32), tmp_path / "x.pt")
    script = (
        "import torch, sys; sys.path.insert(0, '.'); from net import CIFARResNet20 as Net; "
        "m = Net().eval(); m.load_state_dict(torch.load('w.pt', weights_only=True)); "
        "x = torch.load('x.pt', weights_only=True); torch.save(m(x).detach(), 'y.pt')"
    )
    subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True)
    expected = built(torch.load(tmp_path / "x.pt", weights_only=True)).detach()
    assert torch.equal(torch.load(tmp_path / "y.pt", weights_only=True), expected)


def test_import_writes_a_design(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    path = tmp_path / "m.cnn.json"
    code, out, _ = run(capsys, "import", "torchvision:mobilenet_v2", "-o", str(path), "--pretrained", "none")
    assert code == 0 and "layers" in out
    assert run(capsys, "analyze", str(path))[0] == 0


def test_import_with_cached_weights_stores_labels_and_preprocessing(tmp_path, capsys, monkeypatch):
    import torchvision

    from cnnstudio.pretrained.resolve import load_classifier

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    checkpoints = tmp_path / "torch" / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    url = torchvision.models.GoogLeNet_Weights.DEFAULT.url
    reference = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
    torch.save(reference.state_dict(), checkpoints / url.rsplit("/", 1)[1])
    path = tmp_path / "g.cnn.json"
    code, out, _ = run(capsys, "import", "torchvision:googlenet", "-o", str(path))
    assert code == 0 and "g.safetensors" in out
    classifier = load_classifier(str(path))
    assert classifier.mean == (0.5, 0.5, 0.5) and classifier.std == (0.5, 0.5, 0.5)  # GoogLeNet's [-1, 1] input
    assert classifier.classes[281] == "tabby"


def test_templates_lists_names_and_parameters(capsys):
    code, out, _ = run(capsys, "templates")
    assert code == 0 and "lenet5" in out and "61.7 k" in out and "GoogLeNet" in out


def test_console_script_is_installed():
    result = subprocess.run(["cnnstudio", "templates"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "resnet18" in result.stdout


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run") / "xo"
    assert main(["train", "xo", "--data", "xo:count=200", "--epochs", "1", "--out", str(run)]) == 0
    return run


@pytest.mark.parametrize("fmt, name", [("onnx", "m.onnx"), ("pt2", "m.pt2"), ("py", "m.py"), ("script", "train.py")])
def test_export_writes_each_format_from_a_run(tmp_path, capsys, trained_run, fmt, name):
    code, out, _ = run(capsys, "export", str(trained_run), "--format", fmt, "-o", str(tmp_path / name))
    assert code == 0 and (tmp_path / name).stat().st_size > 0
    if fmt == "script":
        assert "defaults to cifar10" in out  # xo is CNN Studio's own data
    if fmt == "py":
        assert (tmp_path / "m.pt").is_file()


def test_export_of_a_missing_run_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "export", str(tmp_path / "nope"), "--format", "onnx", "-o", str(tmp_path / "x.onnx"))
    assert code == 2 and "no such run folder" in err


def test_exit_codes_are_the_documented_numbers_and_ctrl_c_exits_130(capsys, monkeypatch):
    from cnnstudio.cli import main as main_module
    from cnnstudio.cli.exit_codes import ExitCode

    assert [int(code) for code in ExitCode] == [0, 1, 2, 130, 141]

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(main_module, "cmd_templates", interrupted)
    assert run(capsys, "templates") == (ExitCode.INTERRUPTED, "", "interrupted\n")


def test_a_closed_output_pipe_ends_the_command_quietly(tmp_path, capsys):
    """`cnnstudio analyze d.cnn.json | head -1`: the reader is gone before the command writes its table."""
    design = tmp_path / "v.cnn.json"
    run(capsys, "new", "vgg16", "-o", str(design))
    process = subprocess.Popen(
        [sys.executable, "-m", "cnnstudio", "analyze", str(design)],
        cwd=Path(cnnstudio.__file__).parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert err.decode() == ""
    assert process.returncode == 141
