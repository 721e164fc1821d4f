"""`cnnstudio train` and `cnnstudio evaluate`, run in-process through add_commands."""

import json

import pytest
import torch

from cnnstudio.graph import save_network
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import load_into, load_state_dict_file, save_state_dict
from tests.disk_full import fill_disk
from tests.engine.conftest import small_net

from .training_main import main


def run(capsys, *argv):
    code = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_train_a_template_then_evaluate_the_run(tmp_path, capsys):
    code, out, err = run(
        capsys,
        "train",
        "xo",
        "--data",
        "xo:count=200",
        "--epochs",
        "2",
        "--lr",
        "0.02",
        "--batch-size",
        "16",
        "--out",
        tmp_path,
    )
    assert code == 0, err
    assert "training X's and O's on xo:count=200: 160 training / 40 validation images, 2 classes" in out
    assert "epoch 2/2" in out and "finished after 2 epochs" in out
    assert f"cnnstudio evaluate {tmp_path}" in out
    assert json.loads((tmp_path / "metrics.json").read_text())["status"] == "completed"

    code, out, err = run(capsys, "evaluate", tmp_path, "--tta", "flip")
    assert code == 0, err
    assert "on the 40 validation images of xo:count=200" in out and "accuracy" in out
    assert "confusion matrix (rows: true class, columns: predicted class)" in out
    code, out, _ = run(capsys, "evaluate", tmp_path, "--json", "--checkpoint", "last")
    report = json.loads(out)
    assert report["count"] == 40 and len(report["confusion"]) == 2 and report["epoch"] == 2


def test_json_prints_one_event_per_line(tmp_path, capsys):
    design = tmp_path / "net.cnn.json"
    save_network(small_net(size=9), design)
    code, out, _ = run(
        capsys, "train", design, "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path / "run", "--json"
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and lines[0]["event"] == "started" and lines[-1]["event"] == "finished"
    assert {"epoch", "checkpoint"} <= {line["event"] for line in lines}


def test_the_classifier_is_pointed_at_the_data_classes_and_weights_beside_the_design_are_used(tmp_path, capsys):
    design = tmp_path / "net.cnn.json"
    save_network(small_net(size=9, classes=5), design)
    save_state_dict(build_module(small_net(size=9, classes=5), logits=True).state_dict(), tmp_path / "net.safetensors")
    code, _, err = run(capsys, "train", design, "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path / "run")
    assert code == 0
    assert "note: fc now outputs 2 classes" in err
    assert "note: started from given weights for 2 of 4 tensors" in err and "fc.weight" in err
    code, _, err = run(
        capsys,
        "train",
        design,
        "--data",
        "xo:count=100",
        "--epochs",
        "1",
        "--out",
        tmp_path / "scratch",
        "--weights",
        "none",
    )
    assert code == 0 and "started from given weights" not in err


def test_resume_continues_a_run_and_refuses_other_settings(tmp_path, capsys):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path)[0] == 0
    code, out, _ = run(capsys, "train", "--resume", tmp_path, "--epochs", "2")
    assert code == 0 and "resuming after epoch 1" in out and "epoch 2/2" in out
    assert len(json.loads((tmp_path / "metrics.json").read_text())["epochs"]) == 2
    code, _, err = run(capsys, "train", "--resume", tmp_path, "--optimizer", "sgd")
    assert code == 2 and "not --optimizer" in err


@pytest.mark.parametrize(
    "argv, words",
    [
        (["train", "nonexistent.cnn.json", "--data", "xo", "--out", "{tmp}"], "nonexistent.cnn.json: no such file"),
        (["train", "lenet7", "--data", "xo", "--out", "{tmp}"], "no such design file, and no template 'lenet7'"),
        (["train", "xo", "--data", "no-such-data", "--out", "{tmp}"], "no dataset called 'no-such-data'"),
        (["train", "xo", "--data", "xo", "--out", "{tmp}", "--lr", "-1"], "lr must lie in (0"),
        (["train", "xo", "--data", "xo", "--out", "{tmp}", "--augment", "wobble"], "Unknown augmentation 'wobble'"),
        (["train", "xo", "--data", "xo"], "train needs a design FILE"),
        (["train", "--resume", "{tmp}/missing"], "no such run folder"),
        (["evaluate", "{tmp}"], "no 'best' checkpoint"),
    ],
)
def test_unusable_input_gives_one_clear_line_and_exit_code_2(tmp_path, capsys, argv, words):
    code, _, err = run(capsys, *[arg.format(tmp=tmp_path) for arg in argv])
    assert code == 2 and words in err and err.startswith("error: ")


def test_a_design_with_errors_exits_1(tmp_path, capsys):
    graph = small_net(size=9)
    graph.set_param("conv", "kernel_size", 15)
    save_network(graph, tmp_path / "bad.cnn.json")
    code, _, err = run(capsys, "train", tmp_path / "bad.cnn.json", "--data", "xo:count=50", "--out", tmp_path / "r")
    assert code == 1 and "error: the design has errors: conv" in err


def test_divergence_exits_1_with_advice(tmp_path, capsys):
    code, _, err = run(
        capsys, "train", "xo", "--data", "xo:count=100", "--optimizer", "sgd", "--lr", "1e30", "--out", tmp_path
    )
    assert code == 1 and "training diverged" in err and "hint: lower the learning rate" in err


def test_weights_of_a_run_load_into_the_design(tmp_path, capsys):
    design = tmp_path / "net.cnn.json"
    save_network(small_net(size=9), design)
    run(capsys, "train", design, "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path / "run")
    module = build_module(small_net(size=9), logits=True)
    load_into(module, load_state_dict_file(tmp_path / "run" / "best" / "weights.safetensors"))
    assert module(torch.zeros(1, 1, 9, 9)).shape == (1, 2)


def test_the_xo_template_learns_xs_and_os_from_the_command_line(tmp_path, capsys):
    code, _, err = run(
        capsys,
        "train",
        "xo",
        "--data",
        "xo:count=2000",
        "--epochs",
        "8",
        "--lr",
        "0.03",
        "--schedule",
        "cosine",
        "--batch-size",
        "32",
        "--out",
        tmp_path,
    )
    assert code == 0, err
    code, out, _ = run(capsys, "evaluate", tmp_path, "--json")
    assert json.loads(out)["accuracy"] >= 0.97


def test_resuming_with_a_tampered_random_number_state_says_the_checkpoint_is_damaged(tmp_path, capsys):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path)[0] == 0
    state = json.loads((tmp_path / "last" / "state.json").read_text())
    state["rng"]["python"][1] = state["rng"]["python"][1][:10]
    (tmp_path / "last" / "state.json").write_text(json.dumps(state))
    code, _, err = run(capsys, "train", "--resume", tmp_path, "--epochs", "2")
    assert code == 2 and "damaged checkpoint (its random-number state cannot be restored" in err
    assert "bug" not in err


def test_an_out_folder_that_holds_a_run_is_refused_unless_forced(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "2", "--out", run_dir)[0] == 0
    (run_dir / "notes.txt").write_text("mine")
    before = {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()}
    code, out, err = run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", run_dir)
    assert code == 2 and not out
    assert f"--out {run_dir} already holds a training run" in err and f"--resume {run_dir}" in err and "--force" in err
    assert {path: path.read_bytes() for path in run_dir.rglob("*") if path.is_file()} == before
    code, _, err = run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", run_dir, "--force")
    assert code == 0, err
    assert len(json.loads((run_dir / "metrics.json").read_text())["epochs"]) == 1
    assert (run_dir / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("out", ["a-file.txt", "a-file.txt/run"])
def test_an_out_that_is_a_file_is_refused_with_a_clear_message(tmp_path, capsys, out):
    (tmp_path / "a-file.txt").write_text("not a folder")
    code, _, err = run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path / out)
    assert code == 2 and err.startswith(f"error: --out {tmp_path / out} is a file, not a folder")
    assert (tmp_path / "a-file.txt").read_text() == "not a folder"


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda path: path.unlink(), "metrics.json is missing"),
        (lambda path: path.write_text("{not json"), "metrics.json is unreadable"),
        (lambda path: path.write_text(json.dumps({"epochs": "many"})), "metrics.json is unreadable"),
        (
            lambda path: path.write_text(json.dumps({**json.loads(path.read_text()), "epochs": []})),
            "metrics.json lacks epochs 1, 2 of the 2 the run has done",
        ),
    ],
    ids=["missing", "not-json", "wrong-shape", "short"],
)
def test_resuming_a_run_whose_history_is_lost_is_refused_unless_forced(tmp_path, capsys, damage, words):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "2", "--out", tmp_path)[0] == 0
    forget_history(tmp_path)  # a checkpoint that keeps no history (written before checkpoints kept it)
    damage(tmp_path / "metrics.json")
    damaged = (tmp_path / "metrics.json").read_bytes() if (tmp_path / "metrics.json").exists() else None
    code, out, err = run(capsys, "train", "--resume", tmp_path, "--epochs", "3")
    assert code == 2 and "epoch 3/3" not in out
    assert words in err and "would lose the history" in err and "--force" in err
    assert ((tmp_path / "metrics.json").read_bytes() if damaged is not None else None) == damaged
    code, out, err = run(capsys, "train", "--resume", tmp_path, "--epochs", "3", "--force")
    assert code == 0 and "epoch 3/3" in out, err
    assert [entry["epoch"] for entry in json.loads((tmp_path / "metrics.json").read_text())["epochs"]] == [3]


def forget_history(run_dir) -> None:
    state = json.loads((run_dir / "last" / "state.json").read_text())
    (run_dir / "last" / "state.json").write_text(json.dumps({**state, "history": None}))


def test_a_resumed_run_keeps_the_history_of_its_earlier_epochs(tmp_path, capsys):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "2", "--out", tmp_path)[0] == 0
    earlier = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert run(capsys, "train", "--resume", tmp_path, "--epochs", "3")[0] == 0
    history = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert [entry["epoch"] for entry in history] == [1, 2, 3] and history[:2] == earlier


def test_a_design_too_large_to_hold_is_refused_before_any_data_is_built(tmp_path, capsys, monkeypatch):
    graph = small_net(size=9)
    graph.set_param("input", "height", 100000)  # as a hand-written file may say; the designer allows 1…8192
    graph.set_param("input", "width", 100000)
    save_network(graph, tmp_path / "huge.cnn.json")
    monkeypatch.setattr("cnnstudio.engine.launch.load_data", lambda *a, **k: pytest.fail("data was built"))
    code, out, err = run(capsys, "train", tmp_path / "huge.cnn.json", "--data", "xo", "--out", tmp_path / "run")
    assert code == 1 and "error: the design has errors: input: height = 100000 is out of range" in err
    assert "hint: fix the layers" in err and not (tmp_path / "run").exists()
    code, out, _ = run(capsys, "train", tmp_path / "huge.cnn.json", "--data", "xo", "--out", tmp_path / "run", "--json")
    assert code == 1 and json.loads(out)["error"] == "design"


def test_a_resumed_run_whose_saved_design_was_made_too_large_is_refused_before_any_data_is_built(
    tmp_path, capsys, monkeypatch
):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "1", "--out", tmp_path)[0] == 0
    state = json.loads((tmp_path / "last" / "state.json").read_text())
    next(node for node in state["design"]["nodes"] if node["type"] == "Input")["params"]["height"] = 100000
    (tmp_path / "last" / "state.json").write_text(json.dumps(state))
    monkeypatch.setattr("cnnstudio.engine.launch.load_data", lambda *a, **k: pytest.fail("data was built"))
    code, _, err = run(capsys, "train", "--resume", tmp_path, "--epochs", "2")
    assert code == 1 and "height = 100000 is out of range" in err


def test_a_disk_that_fills_up_during_training_stops_it_with_a_clear_message_and_the_run_resumes(
    tmp_path, capsys, monkeypatch
):
    with monkeypatch.context() as full:
        fill_disk(full, after=8)  # epoch 1: last and best (3 files each), metrics.json and .csv; then nothing fits
        code, out, err = run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "3", "--out", tmp_path)
    assert code == 1 and "epoch 1/3" in out
    # the checkpoint of epoch 2 did not fit, nor did metrics.json after it (the file the message names)
    assert "error: training stopped: " in err and f"the disk is full: no space left in {tmp_path}" in err
    assert "its previous version is kept" in err and "Traceback" not in err
    assert (
        f"hint: the run keeps its last checkpoint; make room, then continue with: cnnstudio train --resume {tmp_path}"
        in err
    )
    assert [entry["epoch"] for entry in json.loads((tmp_path / "metrics.json").read_text())["epochs"]] == [1]
    code, out, err = run(capsys, "train", "--resume", tmp_path)
    assert code == 0, err
    assert [entry["epoch"] for entry in json.loads((tmp_path / "metrics.json").read_text())["epochs"]] == [1, 2, 3]


def test_resuming_rebuilds_a_lost_history_from_a_checkpoint_that_keeps_it(tmp_path, capsys):
    assert run(capsys, "train", "xo", "--data", "xo:count=100", "--epochs", "2", "--out", tmp_path)[0] == 0
    earlier = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert json.loads((tmp_path / "last" / "state.json").read_text())["history"] == earlier  # the loop keeps it
    (tmp_path / "metrics.json").unlink()
    code, _, err = run(capsys, "train", "--resume", tmp_path, "--epochs", "3")
    assert code == 0, err
    history = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert [entry["epoch"] for entry in history] == [1, 2, 3] and history[:2] == earlier
