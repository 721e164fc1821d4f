"""Run folders read back for the runs list: what each run trained, damaged folders, fresh folder names."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest

from cnnstudio.engine.checkpoint import has_checkpoint, load_checkpoint, save_checkpoint, trained_checkpoint
from cnnstudio.engine.run_folders import (
    holds_run,
    lost_history,
    new_run_dir,
    read_run,
    remove_run,
    restore_history,
    scan_runs,
)
from cnnstudio.graph import network_from_dict
from cnnstudio.pytorch import build_module

from .conftest import train_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A completed two-epoch run and a stopped one (made once for this module)."""
    root = tmp_path_factory.mktemp("runs")
    return {
        "completed": train_run(root, "2026-01-02_10-00-00_XO", epochs=2),
        "stopped": train_run(root, "2026-01-03_10-00-00_XO", epochs=3, stop_early=True),
    }


def test_runs_are_listed_newest_first_with_what_they_trained(trained, tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    for run in trained.values():
        shutil.copytree(run, root / run.name)
    (root / ".hidden").mkdir()
    records = scan_runs(root)
    assert [record.name for record in records] == ["2026-01-03_10-00-00_XO", "2026-01-02_10-00-00_XO"]
    stopped, completed = records
    assert completed.status == "completed" and completed.design == "X's and O's" and completed.data == "xo:count=200"
    assert completed.epochs_done == 2 and completed.epochs == 2 and completed.date == datetime(2026, 1, 2, 10)
    metrics = json.loads((completed.path / "metrics.json").read_text())
    assert completed.best_val_acc == metrics["epochs"][metrics["best_epoch"] - 1]["val_acc"]
    assert not completed.resumable and completed.has_checkpoint
    assert completed.history.epoch == [1, 2] and len(completed.history.val_loss) == 2
    assert stopped.status == "stopped" and stopped.resumable and stopped.epochs_done == 0


def test_the_checkpoint_a_run_hands_on_is_its_best_else_its_last(trained, tmp_path):
    assert trained_checkpoint(trained["completed"]) == "best"
    assert trained_checkpoint(trained["stopped"]) == "last" and not has_checkpoint(trained["stopped"], "best")
    crashed = shutil.copytree(trained["completed"], tmp_path / "crashed")
    (crashed / "best").rename(crashed / ".best.old")  # a crash between the two renames of a checkpoint
    assert has_checkpoint(crashed, "best") and trained_checkpoint(crashed) == "best"
    (tmp_path / "empty").mkdir()
    assert trained_checkpoint(tmp_path / "empty") is None


def test_damaged_folders_are_listed_as_damaged_with_the_reason(trained, tmp_path):
    root = tmp_path / "runs"
    (root / "empty").mkdir(parents=True)
    (root / "garbage").mkdir()
    (root / "garbage" / "metrics.json").write_text("{not json")
    (root / "wrong-shape").mkdir()
    (root / "wrong-shape" / "metrics.json").write_text(json.dumps({"epochs": [{"epoch": "one"}]}))
    killed = shutil.copytree(trained["completed"], root / "killed")
    metrics = json.loads((killed / "metrics.json").read_text())
    (killed / "metrics.json").write_text(json.dumps({**metrics, "status": "running"}))
    no_metrics = shutil.copytree(trained["stopped"], root / "no-metrics")
    (no_metrics / "metrics.json").unlink()
    broken_state = shutil.copytree(trained["stopped"], root / "broken-state")
    (broken_state / "metrics.json").unlink()
    (broken_state / "last" / "state.json").write_text("[]")
    (root / "a-file.txt").write_text("not a run")

    records = {record.name: record for record in scan_runs(root)}
    assert set(records) == {"empty", "garbage", "wrong-shape", "killed", "no-metrics", "broken-state"}
    for name in ("empty", "garbage", "wrong-shape", "broken-state"):
        assert records[name].status == "damaged" and records[name].problem
    assert "no metrics.json and no checkpoint" in records["empty"].problem
    assert "unreadable" in records["garbage"].problem and "checkpoint is unreadable" in records["broken-state"].problem
    assert records["killed"].status == "interrupted" and records["killed"].resumable
    assert records["no-metrics"].status == "interrupted" and records["no-metrics"].design == "X's and O's"
    assert scan_runs(tmp_path / "missing") == []


def test_new_run_folders_are_named_by_date_and_design_and_never_reused(tmp_path):
    now = datetime(2026, 11, 23, 14, 5, 12)
    first = new_run_dir(tmp_path / "runs", "LeNet-5", now)
    assert first.name == "2026-11-23_14-05-12_LeNet-5" and first.is_dir()
    # each call creates its folder, so two windows starting in the same second never share one
    second = new_run_dir(tmp_path / "runs", "LeNet-5", now)
    assert second.name == "2026-11-23_14-05-12_LeNet-5-2" and second.is_dir()
    assert new_run_dir(tmp_path / "runs", "my/net: v2", now).name == "2026-11-23_14-05-12_my_net__v2"
    assert read_run(first).date == now


def test_a_run_in_a_folder_is_recognised_and_removed_without_touching_other_files(trained, tmp_path):
    folder = shutil.copytree(trained["completed"], tmp_path / "run")
    (folder / "notes.txt").write_text("mine")
    (folder / "last").rename(folder / ".last.old")  # a crash between the two renames of a checkpoint
    (folder / ".best.new-abc").mkdir()  # a checkpoint write that was killed
    assert holds_run(folder)
    remove_run(folder)
    assert sorted(path.name for path in folder.iterdir()) == ["notes.txt"] and not holds_run(folder)
    (tmp_path / "empty").mkdir()
    assert not holds_run(tmp_path / "empty") and not holds_run(tmp_path / "missing")


def test_the_history_a_resume_would_lose_is_named(trained, tmp_path):
    run = shutil.copytree(trained["completed"], tmp_path / "run")
    assert lost_history(run) == ""
    metrics = json.loads((run / "metrics.json").read_text())
    # killed between writing epoch 2's checkpoint and its metrics.json
    (run / "metrics.json").write_text(json.dumps({**metrics, "epochs": metrics["epochs"][:1], "status": "running"}))
    assert lost_history(run) == f"{run / 'metrics.json'} lacks epoch 2 of the 2 the run has done"
    (run / "metrics.json").write_text("[1, 2")
    assert lost_history(run).startswith(f"{run / 'metrics.json'} is unreadable (JSONDecodeError")
    (run / "metrics.json").unlink()
    assert lost_history(run) == f"{run / 'metrics.json'} is missing"
    assert lost_history(trained["stopped"]) == ""  # stopped inside its first epoch: nothing to lose
    (tmp_path / "empty").mkdir()
    assert lost_history(tmp_path / "empty") == ""  # nothing to resume from: resuming says so itself


def test_a_lost_history_is_rebuilt_from_the_checkpoint_that_keeps_it(trained, tmp_path):
    run = shutil.copytree(trained["completed"], tmp_path / "run")
    metrics = json.loads((run / "metrics.json").read_text())
    saved = load_checkpoint(run, "last")
    model = build_module(network_from_dict(saved.design, "design").graph)
    model.load_state_dict(saved.weights)
    save_checkpoint(
        run,
        "last",
        model=model,
        config=saved.config,
        design=saved.design,
        data=saved.data,
        progress=saved.progress,
        history=metrics["epochs"],
    )
    # killed between writing epoch 2's checkpoint and its metrics.json
    (run / "metrics.json").write_text(json.dumps({**metrics, "epochs": metrics["epochs"][:1], "status": "running"}))
    assert restore_history(run) == ""
    rebuilt = json.loads((run / "metrics.json").read_text())
    assert rebuilt["epochs"] == metrics["epochs"] and rebuilt["best_epoch"] == metrics["best_epoch"]
    assert rebuilt["name"] == metrics["name"] and rebuilt["config"] == metrics["config"]
    assert read_run(run).status == "interrupted" and read_run(run).resumable
    (run / "metrics.json").unlink()
    assert restore_history(run) == "" and json.loads((run / "metrics.json").read_text())["epochs"] == metrics["epochs"]

    # a checkpoint that keeps no history cannot rebuild one: what is lost is said, nothing is written
    state = json.loads((run / "last" / "state.json").read_text())
    (run / "last" / "state.json").write_text(json.dumps({**state, "history": None}))
    (run / "metrics.json").unlink()
    assert restore_history(run) == f"{run / 'metrics.json'} is missing" and not (run / "metrics.json").exists()
