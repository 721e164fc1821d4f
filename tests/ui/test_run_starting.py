"""Starting runs from the Training tab without losing one: a design still being analyzed is checked before
the worker builds data for it, a run that cannot start leaves no folder, a resume that would lose the run's
history asks first."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from test_training_helpers import make_run

from cnnstudio.data import load_data
from cnnstudio.engine.worker import start_failure
from cnnstudio.ui.session import DataChoice
from cnnstudio.ui.settings import runs_dir


def training_tab(window):
    window.show_tab("Training")
    return window.tab("Training")


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)


def xo_data() -> DataChoice:
    return DataChoice("xo", load_data("xo", (1, 28, 28)), "X's and O's")


def run_folders() -> list[Path]:
    return sorted(runs_dir().iterdir()) if runs_dir().is_dir() else []


def test_a_design_still_being_analyzed_is_checked_before_its_data_is_built(window, qtbot, monkeypatch):
    tab = training_tab(window)
    requests = []
    monkeypatch.setattr(tab.runner, "start", requests.append)
    window.session.set_data(xo_data())
    window.document.graph.set_param("input", "height", 100000)
    monkeypatch.setattr(window.document.analysis, "is_current", lambda: False)  # its analysis is not ready
    click(qtbot, tab.controls.train_button)
    assert (
        "The design cannot be trained" in tab.banner.text() and "height = 100000 is out of range" in tab.banner.text()
    )
    assert requests == [] and run_folders() == []


def test_a_run_that_cannot_start_leaves_no_folder_behind(window, qtbot, monkeypatch):
    tab = training_tab(window)

    def fail(request):
        raise OSError("cannot start a process")

    monkeypatch.setattr(tab.runner, "start", fail)
    window.session.set_data(xo_data())
    click(qtbot, tab.controls.train_button)
    assert "Cannot start the training process" in tab.banner.text()
    assert run_folders() == []


def test_a_process_that_cannot_start_gets_the_advice_for_its_cause(window, qtbot, monkeypatch):
    tab = training_tab(window)

    def fail(request):
        raise start_failure(ModuleNotFoundError("No module named 'torchvision'", name="torchvision"))

    monkeypatch.setattr(tab.runner, "start", fail)
    window.session.set_data(xo_data())
    click(qtbot, tab.controls.train_button)
    text = tab.banner.text()
    assert "Cannot start the training process" in text and "torchvision" in text
    assert "pip install" in text and "free memory" not in text


def test_resuming_a_run_whose_history_is_lost_asks_first(window, prompts, qtbot, monkeypatch):
    run = make_run(runs_dir(), "2026-01-04_10-00-00_LeNet-5", epochs=1)
    state = json.loads((run / "last" / "state.json").read_text())
    (run / "last" / "state.json").write_text(json.dumps({**state, "history": None}))  # a checkpoint keeping none
    (run / "metrics.json").unlink()
    tab = training_tab(window)
    tab.refresh_runs()
    requests = []
    monkeypatch.setattr(tab.runner, "start", requests.append)
    (record,) = [record for record in tab.runs.records if record.path == run]
    assert record.resumable
    prompts.script("confirm", False)
    tab.resume_run(record)
    assert requests == [] and prompts.asked == ["confirm"]
    prompts.script("confirm", True)
    tab.resume_run(record)
    (request,) = requests
    assert request.resume and request.run_dir == str(run)


def test_a_runs_folder_that_cannot_be_created_is_explained(window, qtbot, monkeypatch, tmp_path):
    tab = training_tab(window)
    requests = []
    monkeypatch.setattr(tab.runner, "start", requests.append)
    (tmp_path / "a-file").write_text("not a folder")
    monkeypatch.setenv("CNNSTUDIO_DATA_DIR", str(tmp_path / "a-file"))
    window.session.set_data(xo_data())
    click(qtbot, tab.controls.train_button)
    assert "Cannot create the run's folder" in tab.banner.text() and "a-file" in tab.banner.text()
    assert requests == []
