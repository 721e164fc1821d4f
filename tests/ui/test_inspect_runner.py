"""The inspector's runner: one thread, the newest request per key wins, callbacks on the GUI thread."""

from __future__ import annotations

import threading

from cnnstudio.ui.inspection.runner import InspectRunner
from cnnstudio.viz.runtime import check_cancel


def test_result_arrives_on_the_gui_thread(qtbot) -> None:
    runner = InspectRunner()
    seen: list[tuple[int, bool]] = []
    runner.submit(
        "view",
        lambda task: 6 * 7,
        lambda value: seen.append((value, threading.current_thread() is threading.main_thread())),
    )
    qtbot.waitUntil(lambda: bool(seen))
    runner.shutdown()
    assert seen == [(42, True)]


def test_a_newer_request_cancels_the_running_one(qtbot) -> None:
    runner = InspectRunner()
    started = threading.Event()
    results: list[str] = []

    def slow(task) -> str:
        started.set()
        while True:
            check_cancel(task.cancel)
            task.cancel.wait(0.01)

    runner.submit("maps", slow, results.append)
    assert started.wait(5)
    runner.submit("maps", lambda task: "new", results.append)
    with qtbot.waitSignal(runner.busy_changed, timeout=5000) as blocker:
        pass
    runner.shutdown()
    assert blocker.args == [False]
    assert results == ["new"]


def test_errors_partials_and_progress_reach_their_callbacks(qtbot) -> None:
    runner = InspectRunner()
    errors: list[Exception] = []
    partials: list[int] = []
    progress: list[float] = []

    def failing(task) -> None:
        for step in range(3):
            task.partial(step)
            task.progress((step + 1) / 3)
        raise ValueError("this layer has no spatial output")

    runner.submit(
        "maximize",
        failing,
        lambda value: None,
        on_error=errors.append,
        on_partial=partials.append,
        on_progress=progress.append,
    )
    qtbot.waitUntil(lambda: bool(errors))
    runner.shutdown()
    assert partials == [0, 1, 2]
    assert progress[-1] == 1.0
    assert str(errors[0]) == "this layer has no spatial output"


def test_cancel_drops_the_result(qtbot) -> None:
    runner = InspectRunner()
    release = threading.Event()
    results: list[int] = []
    runner.submit("cam", lambda task: release.wait(5) and 1, results.append)
    runner.cancel("cam")
    release.set()
    runner.submit("other", lambda task: 2, results.append)
    qtbot.waitUntil(lambda: bool(results))
    runner.shutdown()
    assert results == [2]
    assert not runner.is_busy()
