"""Training from the tab in a real worker process: progress, pause/resume/stop, results, resuming a
stopped run, worker failures and crashes, and closing the window mid-run.

Each test spawns worker processes (a few seconds each), so there are few of them and they check a
lot; runs are small (digits, a few epochs of tiny batches).
"""

from __future__ import annotations

import multiprocessing
import os
import signal

import pytest
from PySide6.QtCore import Qt

from cnnstudio.engine.events import Finished, Paused
from cnnstudio.engine.run_folders import read_run
from cnnstudio.ui.session import DataChoice

TIMEOUT = 90_000  # ms: generous, the machine may be busy; nothing here waits this long when all is well


@pytest.fixture
def tab(window):
    window.session.set_data(DataChoice("digits", None, "Digits"))
    window.show_tab("Training")
    training = window.tab("Training")
    training.form.batch_size.setValue(4)
    return training


@pytest.fixture
def events(tab):
    """Every event the tab receives from its worker."""
    received = []
    tab.runner.events_received.connect(received.extend)
    return received


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)


def wait_idle(qtbot, tab) -> None:
    qtbot.waitUntil(lambda: tab.runner.state == "idle", timeout=TIMEOUT)


def test_a_run_trains_pauses_resumes_stops_within_a_batch_and_resumes_to_completion(tab, events, window, qtbot):
    tab.form.epochs.setValue(2)
    tab.form.val_share.setValue(50)  # 225 batches of 4 an epoch: ample to pause in, quick to finish
    click(qtbot, tab.controls.train_button)
    assert tab.progress.state.text() == "Starting…" and tab.runner.state == "starting"
    assert not tab.controls.train_button.isEnabled() and tab.controls.stop_button.isEnabled()
    qtbot.waitUntil(lambda: tab.plots.point_count >= 2, timeout=TIMEOUT)
    assert tab.progress.state.text() == "Training" and "899 training" in tab.progress.details.text()
    assert tab.progress.batch_bar.value() > 0 and tab.progress.epoch_bar.maximum() == 2
    assert "img/s" in tab.progress.rate.text()
    assert tab.runs.table.item(0, 5).text() == "running"

    click(qtbot, tab.controls.pause_button)
    qtbot.waitUntil(lambda: tab.runner.state == "paused", timeout=TIMEOUT)
    assert tab.controls.pause_button.text() == "Resume" and tab.progress.state.text() == "Paused"
    points = tab.plots.point_count
    click(qtbot, tab.controls.pause_button)
    qtbot.waitUntil(lambda: tab.plots.point_count > points, timeout=TIMEOUT)
    click(qtbot, tab.controls.pause_button)
    qtbot.waitUntil(lambda: tab.runner.state == "paused", timeout=TIMEOUT)
    click(qtbot, tab.controls.stop_button)
    wait_idle(qtbot, tab)

    paused = [event for event in events if isinstance(event, Paused) and event.paused][-1]
    finished = next(event for event in events if isinstance(event, Finished))
    assert finished.reason == "stopped" and finished.step == paused.step  # not one more batch after Stop
    assert tab.plots.series.step.values[-1] == finished.step  # the curves reach the batch it stopped after
    assert tab.progress.state.text() == "Stopped"
    run = tab.last_run
    assert read_run(run).status == "stopped" and tab.runs.table.item(0, 5).text() == "stopped"
    qtbot.waitUntil(lambda: tab.results.currentIndex() == 1, timeout=TIMEOUT)  # evaluated in the background
    assert tab.results.confusion.rowCount() == 10 and tab.views.tabText(1) == "Results •"
    assert window.session.model is not None and window.session.model.run_dir == run

    events.clear()
    qtbot.mouseClick(
        tab.runs.table.viewport(), Qt.LeftButton, pos=tab.runs.table.visualItemRect(tab.runs.table.item(0, 0)).center()
    )
    click(qtbot, tab.runs.buttons["resume"])
    wait_idle(qtbot, tab)
    finished = next(event for event in events if isinstance(event, Finished))
    assert finished.reason == "completed" and finished.epochs_completed == 2
    assert events[0].kind == "started" and events[0].start_epoch == 0  # it continued inside epoch 1
    record = read_run(run)
    assert record.status == "completed" and record.epochs_done == 2
    assert tab.plots.epoch_count == 2
    assert tab.runs.table.item(0, 3).text() == "2 / 2"
    assert multiprocessing.active_children() == []


def test_a_failing_or_killed_worker_is_reported_and_the_app_keeps_working(tab, window, qtbot):
    window.session.set_data(DataChoice("no-such-data", None, "Nothing"))
    click(qtbot, tab.controls.train_button)
    wait_idle(qtbot, tab)
    assert tab.banner.isVisible() and "Training failed" in tab.banner.text() and "no-such-data" in tab.banner.text()
    assert tab.progress.state.text() == "Failed" and tab.controls.train_button.isEnabled()

    window.session.set_data(DataChoice("digits", None, "Digits"))
    tab.form.epochs.setValue(200)
    click(qtbot, tab.controls.train_button)
    assert not tab.banner.isVisible()
    qtbot.waitUntil(lambda: tab.plots.point_count > 0, timeout=TIMEOUT)
    (worker,) = multiprocessing.active_children()
    os.kill(worker.pid, signal.SIGKILL)
    wait_idle(qtbot, tab)
    assert "was killed (SIGKILL)" in tab.banner.text() and "lower the batch size" in tab.banner.text()
    assert tab.controls.train_button.isEnabled() and multiprocessing.active_children() == []
    window.show_tab("Designer")  # the window still works
    assert window.current_tab() is window.designer


def test_closing_the_window_during_training_stops_the_worker_and_keeps_the_run(tab, window, qtbot):
    tab.form.epochs.setValue(200)
    click(qtbot, tab.controls.train_button)
    qtbot.waitUntil(lambda: tab.plots.point_count > 0, timeout=TIMEOUT)
    run = tab.active
    window.close()
    assert multiprocessing.active_children() == []
    record = read_run(run)
    assert record.status == "stopped" and record.resumable  # it wrote its last checkpoint on the way out
