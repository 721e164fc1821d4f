"""Endurance: opening and closing the main window many times in one process leaves no thread, process or
running timer behind, and a long training run in the window does not grow in memory."""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading

import pytest
import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from ui_helpers import wait_analysis

from cnnstudio.engine.events import BatchMetrics, Finished
from cnnstudio.graph import network_from_dict
from cnnstudio.ui.main_window import MainWindow
from cnnstudio.ui.prompts import SaveChoice
from cnnstudio.ui.session import DataChoice
from cnnstudio.ui.settings import Settings
from cnnstudio.ui.style import apply_theme

pytestmark = pytest.mark.slow


def _active_timers() -> int:
    return sum(
        1 for item in gc.get_objects() if isinstance(item, QTimer) and shiboken6.isValid(item) and item.isActive()
    )


def test_ten_windows_opened_and_closed_leave_nothing_running(qapp, qtbot, prompts):
    apply_theme(qapp)
    threads_before = set(threading.enumerate())
    timers_before = _active_timers()
    windows = []
    for round_number in range(10):
        window = MainWindow(prompts=prompts, settings=Settings(), autosave_delay_ms=50)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        window.start()
        wait_analysis(qtbot, window)
        for index in range(window.tabs.count()):  # every tab does its first-show work
            window.tabs.setCurrentIndex(index)
            qtbot.wait(20)
        window.designer.controller.set_param("conv1", "out_channels", 8 + round_number)
        prompts.script("save_changes", SaveChoice.DISCARD)
        window.close()
        assert not window.isVisible()
        window.deleteLater()
        windows.append(window)
        qtbot.wait(10)
    QApplication.sendPostedEvents(None, 0)
    gc.collect()
    leaked = [t.name for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not leaked, f"threads left running: {leaked}"
    assert multiprocessing.active_children() == []
    assert _active_timers() <= timers_before, "timers still running after every window closed"
    assert not any(shiboken6.isValid(window) for window in windows), "closed windows were not deleted"


def _rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for {pid}")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads RSS from /proc (Linux)")
def test_a_2000_batch_run_in_the_window_does_not_grow_in_memory(window, qtbot):
    """A linear classifier of the 8×8 digits, 12 epochs of 179 batches, from the Training tab: the window's
    and the worker's resident memory after warm-up (300 batches) and at the end stay within 5 %. What could
    grow with the number of steps (events, curves, metrics, the worker's bookkeeping) does not depend on the
    network's size, so the smallest network and batches of 8 make each step cheap for as many steps."""
    window.load_graph(
        network_from_dict(
            {
                "format": "cnnstudio.network",
                "version": 1,
                "name": "linear digits",
                "nodes": [
                    {"id": "input", "type": "Input", "params": {"channels": 1, "height": 8, "width": 8}},
                    {"id": "flat", "type": "Flatten", "params": {}},
                    {"id": "fc", "type": "Linear", "params": {"out_features": 10}},
                ],
                "edges": [["input", "flat"], ["flat", "fc"]],
            }
        ).graph,
        None,
    )
    window.session.set_data(DataChoice("digits", None, "Digits"))
    window.show_tab("Training")
    tab = window.tab("Training")
    tab.form.batch_size.setValue(8)
    tab.form.epochs.setValue(12)  # 179 full batches of 8 per epoch: 2,148 batches
    steps: list[int] = []
    finished: list[Finished] = []
    tab.runner.events_received.connect(
        lambda events: steps.extend(event.step for event in events if isinstance(event, BatchMetrics))
    )
    tab.runner.events_received.connect(
        lambda events: finished.extend(event for event in events if isinstance(event, Finished))
    )
    qtbot.mouseClick(tab.controls.train_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(steps) and steps[-1] >= 300, timeout=180_000)
    worker = tab.runner._process.pid
    warm = {"window": _rss_bytes(os.getpid()), "worker": _rss_bytes(worker)}
    qtbot.waitUntil(lambda: steps[-1] >= 1900, timeout=600_000)
    end = {"window": _rss_bytes(os.getpid()), "worker": _rss_bytes(worker)}
    qtbot.waitUntil(lambda: tab.runner.state == "idle", timeout=180_000)
    assert finished and finished[0].reason == "completed" and finished[0].step >= 2000
    for side in warm:
        assert end[side] <= warm[side] * 1.05, f"{side}: {warm[side] / 2**20:.0f} → {end[side] / 2**20:.0f} MiB"
