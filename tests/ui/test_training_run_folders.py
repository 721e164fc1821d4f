"""Run folders read back for the runs list, their evaluation for the Results view, and their export."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import numpy as np
import pytest
from test_training_helpers import make_run

from cnnstudio.pytorch.export import ExportError
from cnnstudio.ui.training.evaluation import (
    DataCache,
    ResultsError,
    evaluate_run_results,
)
from cnnstudio.ui.training.exporting import export_run
from cnnstudio.ui.training.run_folders import new_run_dir, read_run, scan_runs


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A completed two-epoch run and a stopped one (made once for this module)."""
    root = tmp_path_factory.mktemp("runs")
    return {
        "completed": make_run(root, "2026-01-02_10-00-00_LeNet-5", epochs=2),
        "stopped": make_run(root, "2026-01-03_10-00-00_LeNet-5", epochs=3, stop_early=True),
    }


def test_runs_are_listed_newest_first_with_what_they_trained(trained, tmp_path):
    root = tmp_path / "runs"
    root.mkdir()
    for run in trained.values():
        shutil.copytree(run, root / run.name)
    (root / ".hidden").mkdir()
    records = scan_runs(root)
    assert [record.name for record in records] == ["2026-01-03_10-00-00_LeNet-5", "2026-01-02_10-00-00_LeNet-5"]
    stopped, completed = records
    assert completed.status == "completed" and completed.design == "LeNet-5" and completed.data == "digits"
    assert completed.epochs_done == 2 and completed.epochs == 2 and completed.date == datetime(2026, 1, 2, 10)
    metrics = json.loads((completed.path / "metrics.json").read_text())
    assert completed.best_val_acc == metrics["epochs"][metrics["best_epoch"] - 1]["val_acc"] > 0.5
    assert not completed.resumable and completed.has_checkpoint
    assert completed.history.epoch == [1, 2] and len(completed.history.val_loss) == 2
    assert stopped.status == "stopped" and stopped.resumable and stopped.epochs_done == 0


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
    (root / "a-file.txt").write_text("not a run")

    records = {record.name: record for record in scan_runs(root)}
    assert set(records) == {"empty", "garbage", "wrong-shape", "killed", "no-metrics"}
    for name in ("empty", "garbage", "wrong-shape"):
        assert records[name].status == "damaged" and records[name].problem
    assert "unreadable" in records["garbage"].problem
    assert records["killed"].status == "interrupted" and records["killed"].resumable
    assert records["no-metrics"].status == "interrupted" and records["no-metrics"].design == "LeNet-5"
    assert scan_runs(tmp_path / "missing") == []


def test_new_run_folders_are_named_by_date_and_design_and_never_reused(tmp_path):
    now = datetime(2026, 11, 23, 14, 5, 12)
    first = new_run_dir(tmp_path, "LeNet-5", now)
    assert first.name == "2026-11-23_14-05-12_LeNet-5"
    first.mkdir()
    assert new_run_dir(tmp_path, "LeNet-5", now).name == "2026-11-23_14-05-12_LeNet-5-2"
    assert new_run_dir(tmp_path, "my/net: v2", now).name == "2026-11-23_14-05-12_my_net__v2"
    assert read_run(first).date == now


def test_a_run_is_evaluated_on_the_validation_images_it_was_trained_with(trained):
    results = evaluate_run_results(trained["completed"], DataCache())
    report = results.report
    assert results.checkpoint == "best" and report.count == len(results.labels) == 359
    assert sum(map(sum, report.confusion)) == 359
    for true in range(10):  # every image of a class is in exactly one cell of its row
        shown = [index for predicted in range(10) for index, _ in results.examples(true, predicted)]
        assert sorted(shown) == np.flatnonzero(results.labels == true).tolist()
        assert len(results.examples(true, true)) == report.confusion[true][true]
    image = results.image(0)
    assert image.shape == (28, 28, 3) and image.dtype == np.uint8


def test_a_run_without_checkpoints_cannot_be_evaluated_or_exported(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(ResultsError, match="no 'last' checkpoint"):
        evaluate_run_results(tmp_path / "run", DataCache())
    with pytest.raises(ExportError, match="no 'last' checkpoint"):
        export_run(tmp_path / "run", "py", tmp_path / "net.py")


def test_a_run_exports_as_code_with_weights_and_as_a_training_script(trained, tmp_path):
    written = export_run(trained["completed"], "py", tmp_path / "net.py")
    assert written == [tmp_path / "net.py", tmp_path / "net.pt"]
    assert "def load(" in (tmp_path / "net.py").read_text() and (tmp_path / "net.pt").stat().st_size > 100_000
    export_run(trained["completed"], "script", tmp_path / "train.py")
    script = (tmp_path / "train.py").read_text()
    assert "--epochs" in script and "default=2" in script
