"""The Experiments tab: a tiny sweep (the X/O template on 200 X/O images, trials of one epoch) started by
clicking, its rows arriving live, cancel, opening a trial in the Designer, and an existing experiment."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cnnstudio.graph.templates import load_template
from cnnstudio.ui.session import DataChoice

pytest.importorskip("optuna")

TINY_SPACE = {"params": {"lr": {"kind": "float", "low": 0.01, "high": 0.1, "log": True}}, "fixed": {"batch_size": 32}}


def click(qtbot, widget) -> None:
    assert widget.isEnabled(), f"{widget.text()} is disabled"
    qtbot.mouseClick(widget, Qt.LeftButton)


@pytest.fixture
def sweep_tab(window, tmp_path):
    """The Experiments tab shown, with the X/O template open, the X/O data chosen and a tiny space."""
    window.load_graph(load_template("xo"))
    window.session.set_data(DataChoice("xo:count=200", None, "X's and O's"))
    window.show_tab("Experiments")
    tab = window.current_tab()
    space = tmp_path / "space.json"
    space.write_text(json.dumps(TINY_SPACE))
    tab.space.setText(str(space))
    tab.epochs.setValue(1)
    return tab


def states(tab) -> list[str]:
    return [row.state for _, row in sorted(tab.table.rows.items())]


def test_a_sweep_started_by_clicking_shows_its_trials_live_and_opens_one_in_the_designer(
    window, sweep_tab, prompts, qtbot
):
    tab = sweep_tab
    assert window.tabs.tabText(window.tabs.indexOf(window._slot("Experiments"))) == "Experiments"
    assert window.tabs.indexOf(window._slot("Experiments")) == window.tabs.indexOf(window._slot("Training")) + 1
    tab.trials.setValue(3)
    seen: list[list[str]] = []
    tab.table.model().rowsInserted.connect(lambda *_: seen.append(states(tab)))
    click(qtbot, tab.start_button)
    assert tab.cancel_button.isEnabled() and not tab.start_button.isEnabled()
    qtbot.waitUntil(lambda: not tab.tasks.is_busy(), timeout=60_000)
    assert seen[0] == ["running"]  # the first row arrived while its trial trained, before the sweep ended
    assert states(tab) == ["complete"] * 3 and tab.table.rowCount() == 3
    assert "The sweep finished: 3 trials" in tab.status.text()
    assert all(tab.table.item(row, 3).text().endswith("%") for row in range(3))
    numbers, best = tab.plots.history.getPlotItem().listDataItems()[1].getData()
    assert len(numbers) == 3 and list(best) == sorted(best) and 50 <= best[-1] <= 100  # percent
    assert [tab.table.item(row, 0).text() for row in range(3)] == ["0", "1", "2"]
    assert tab.plots.view is not None and set(tab.plots.view.importances) <= {"lr"}

    tab.filter.setText("running")
    assert all(tab.table.isRowHidden(row) for row in range(3))
    tab.filter.setText("complete")
    assert not any(tab.table.isRowHidden(row) for row in range(3))

    tab.table.selectRow(0)
    trial = tab.table.selected_trial()
    click(qtbot, tab.open_trial_button)
    qtbot.waitUntil(lambda: window.current_tab() is window.tab("Designer"), timeout=10_000)
    assert window.document.graph.name.endswith(f"(trial {trial.number})")
    assert window.document.weights and window.document.is_modified()
    assert json.loads(window.document.weights_metadata["cnnstudio.classes"]) == ["X", "O"]

    window.show_tab("Experiments")
    graph = window.document.graph.to_dict()
    click(qtbot, tab.open_trial_button)  # the design now has unsaved changes: asked, and kept when declined
    assert prompts.asked[-1] == "confirm" and not tab.tasks.is_busy()
    assert window.document.graph.to_dict() == graph

    folder = tab.folder
    other = window.tab("Experiments")
    other.table.set_rows([])
    other.open_folder(folder)
    qtbot.waitUntil(lambda: other.table.rowCount() == 3, timeout=10_000)
    if os.environ.get("CNNSTUDIO_SCREENSHOTS"):
        window.show_tab("Experiments")
        tab.filter.clear()
        tab.table.selectRow(2)
        for width, height in ((1024, 640), (1600, 1000)):
            window.resize(width, height)
            qtbot.wait(200)
            window.grab().save(str(Path(os.environ["CNNSTUDIO_SCREENSHOTS"]) / f"experiments-{width}.png"))


def test_cancel_stops_the_sweep_and_marks_the_trial_it_stopped(sweep_tab, qtbot):
    tab = sweep_tab
    tab.trials.setValue(50)
    tab.epochs.setValue(30)
    click(qtbot, tab.start_button)
    qtbot.waitUntil(lambda: "running" in states(tab), timeout=30_000)
    click(qtbot, tab.cancel_button)
    qtbot.waitUntil(lambda: not tab.tasks.is_busy(), timeout=30_000)
    assert "Cancelled" in tab.status.text()
    assert states(tab)[-1] == "interrupted" and len(states(tab)) < 50
    assert tab.start_button.isEnabled() and not tab.cancel_button.isEnabled()


def test_a_sweep_without_data_or_with_a_bad_space_says_why(window, sweep_tab, prompts, qtbot):
    tab = sweep_tab
    first = Path(tab.sweep_settings().out)
    first.mkdir(parents=True)
    assert Path(tab.sweep_settings().out) != first  # a second sweep in the same second gets its own folder
    tab.space.setText(str(Path(tab.space.text()).with_name("missing.json")))
    click(qtbot, tab.start_button)
    assert prompts.errors and "missing.json" in prompts.errors[-1][1]
    window.session.set_data(None)
    click(qtbot, tab.start_button)
    assert "Data tab" in prompts.errors[-1][1] and not tab.tasks.is_busy()


def test_opening_a_folder_without_a_study_says_so(sweep_tab, tmp_path, qtbot):
    tab = sweep_tab
    tab.open_folder(tmp_path)
    qtbot.waitUntil(lambda: "Cannot open" in tab.status.text(), timeout=10_000)
    assert "no study.db here" in tab.status.text()
