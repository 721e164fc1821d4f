"""`cnnstudio transfer` replaces the classifier of a trained run, freezes the layers before it and trains
the new one on another data set, as the Designer's Transfer Learning dialog and the Training tab do."""

import json

import pytest
from safetensors.torch import load_file

from cnnstudio.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def xo_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("run") / "xo"
    assert main(["train", "xo", "--data", "xo:count=200", "--epochs", "1", "--out", str(run_dir)]) == 0
    return run_dir


def test_transfer_from_a_run_trains_only_the_new_classifier(xo_run, tmp_path, capsys):
    out = tmp_path / "shapes"
    argv = ["transfer", "--model", str(xo_run), "--data", "shapes:count=100,size=9", "--out", str(out)]
    code, printed, _ = run(capsys, *argv, "--epochs", "1", "--json")
    events = [json.loads(line) for line in printed.splitlines()]
    assert code == 0 and events[0]["event"] == "started" and events[-1]["event"] == "finished"
    before = load_file(xo_run / "best" / "weights.safetensors")
    after = load_file(out / "best" / "weights.safetensors")
    changed = {key for key in after if key not in before or not before[key].equal(after[key])}
    head = {key.split(".", 1)[0] for key in changed}
    assert len(head) == 1 and after[f"{head.pop()}.weight"].shape[0] == 5  # five shapes, the rest frozen


def test_an_unknown_layer_to_freeze_before_is_one_line(xo_run, tmp_path, capsys):
    argv = ["transfer", "--model", str(xo_run), "--data", "shapes:count=100,size=9", "--out", str(tmp_path / "r")]
    code, _, err = run(capsys, *argv, "--freeze-before", "nosuch")
    assert code == 2 and err.startswith("cnnstudio transfer: ") and "nosuch" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "r").exists()


def test_transfer_from_efficientnet_on_a_folder(shapes_folder, tmp_path, lite0, capsys):
    out = tmp_path / "mine"
    argv = ["transfer", "--model", "efficientnet_lite0", "--data", str(shapes_folder), "--out", str(out)]
    code, printed, _ = run(capsys, *argv, "--epochs", "1", "--batch-size", "8", "--device", "cpu")
    assert code == 0 and "2 classes" in printed and f"evaluate with: cnnstudio evaluate {out}" in printed
    assert (out / "best" / "weights.safetensors").is_file()
