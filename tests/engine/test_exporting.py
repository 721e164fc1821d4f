"""Exporting a trained run (what `cnnstudio export` and the Training tab's Export menu call)."""

from __future__ import annotations

import pytest

from cnnstudio.engine.exporting import export_run
from cnnstudio.pytorch.export import ExportError

from .conftest import train_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return {"completed": train_run(root, "completed", epochs=2), "stopped": train_run(root, "stopped", stop_early=True)}


def test_a_run_exports_as_code_with_weights_and_as_a_training_script(runs, tmp_path):
    written = export_run(runs["completed"], "py", tmp_path / "net.py")
    assert written == [tmp_path / "net.py", tmp_path / "net.pt"]
    assert "def load(" in (tmp_path / "net.py").read_text() and (tmp_path / "net.pt").stat().st_size > 1000
    notes = []
    export_run(runs["completed"], "script", tmp_path / "train.py", note=notes.append)
    script = (tmp_path / "train.py").read_text()
    assert "--epochs" in script and "default=2" in script
    assert notes and "defaults to cifar10" in notes[0]  # xo is CNN Studio's own dataset


def test_without_a_best_checkpoint_the_last_one_is_exported(runs, tmp_path):
    assert export_run(runs["stopped"], "py", tmp_path / "net.py")[0].is_file()
    with pytest.raises(ExportError, match="no 'best' checkpoint"):
        export_run(runs["stopped"], "py", tmp_path / "net.py", "best")
    (tmp_path / "run").mkdir()
    with pytest.raises(ExportError, match="no 'last' checkpoint"):
        export_run(tmp_path / "run", "py", tmp_path / "net.py")
    with pytest.raises(ExportError, match="unknown export format"):
        export_run(runs["completed"], "keras", tmp_path / "net.h5")
