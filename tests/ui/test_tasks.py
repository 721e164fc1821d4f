"""The window's one background-task mechanism: results on the GUI thread, latest request wins, cancel,
progress, partial results, one task at a time, and a clean shutdown."""

from __future__ import annotations

import threading
import time

import pytest

from cnnstudio.progress import Cancelled, check_cancel
from cnnstudio.ui.tasks import TaskRunner


@pytest.fixture
def runner(qapp):
    tasks = TaskRunner("cnnstudio-test")
    yield tasks
    tasks.shutdown()


def wait_idle(qtbot, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.is_busy(), timeout=5000)


def test_the_result_and_errors_arrive_on_the_gui_thread(qtbot, runner):
    seen = []
    worker_threads = []

    def work(task):
        worker_threads.append(threading.current_thread())
        return 6 * 7

    runner.submit(work, on_done=lambda value: seen.append((value, threading.current_thread())))
    runner.submit(lambda task: 1 / 0, on_error=lambda error: seen.append((type(error), threading.current_thread())))
    wait_idle(qtbot, runner)
    main = threading.main_thread()
    assert seen == [(42, main), (ZeroDivisionError, main)]
    assert worker_threads[0] is not main and worker_threads[0].name.startswith("cnnstudio-test")


def test_a_newer_request_with_the_same_key_wins(qtbot, runner):
    started, release = threading.Event(), threading.Event()
    results = []

    def slow(task):
        started.set()
        release.wait(5)
        check_cancel(task.cancel)
        return "old"

    first = runner.submit(slow, key="view", on_done=results.append, on_error=results.append)
    assert started.wait(5)
    waiting = runner.submit(lambda task: "middle", key="view", on_done=results.append)
    runner.submit(lambda task: "new", key="view", on_done=results.append)
    assert first.cancelled and waiting.cancelled  # superseded: the running one stops at its next check
    release.set()
    wait_idle(qtbot, runner)
    assert results == ["new"]


def test_cancel_stops_a_task_at_its_next_report_and_says_so(qtbot, runner):
    started = threading.Event()
    outcome = []

    def long_loop(task):
        started.set()
        for step in range(1000):
            task.report("working", step / 1000)
            time.sleep(0.005)
        return "finished"

    runner.submit(long_loop, key="job", on_done=outcome.append, on_cancelled=lambda: outcome.append("cancelled"))
    assert started.wait(5)
    runner.cancel("job")
    assert not runner.is_busy("job") and runner.is_busy()  # the key is free at once; the thread ends soon
    wait_idle(qtbot, runner)
    assert outcome == ["cancelled"]


def test_progress_is_throttled_but_the_last_report_always_arrives(qtbot, runner):
    reports = []

    def steps(task):
        for step in range(1, 201):
            task.report(f"step {step}", step / 200)
        return "done"

    runner.submit(steps, on_done=lambda value: None, on_progress=lambda message, f: reports.append((message, f)))
    wait_idle(qtbot, runner)
    assert 1 <= len(reports) < 50
    assert reports[-1] == ("step 200", 1.0)


def test_partial_results_arrive_in_order_before_the_result(qtbot, runner):
    events = []

    def steps(task):
        for value in range(5):
            task.partial(value)
        return "final"

    runner.submit(steps, on_partial=events.append, on_done=events.append)
    wait_idle(qtbot, runner)
    assert events == [0, 1, 2, 3, 4, "final"]


def test_tasks_run_one_after_another(qtbot, runner):
    running, overlaps, order = [0], [], []

    def work(task, name):
        running[0] += 1
        overlaps.append(running[0])
        time.sleep(0.02)
        running[0] -= 1
        return name

    for name in "abcd":
        runner.submit(lambda task, name=name: work(task, name), key=name, on_done=order.append)
    wait_idle(qtbot, runner)
    assert order == list("abcd") and max(overlaps) == 1


def test_busy_follows_the_queue(qtbot, runner):
    changes = []
    runner.busy_changed.connect(changes.append)
    runner.submit(lambda task: time.sleep(0.05))
    assert runner.is_busy()
    wait_idle(qtbot, runner)
    assert changes == [True, False]


def test_shutdown_waits_for_the_running_function_and_delivers_nothing_more(qtbot, qapp):
    runner = TaskRunner("cnnstudio-test")
    started, ended, delivered = threading.Event(), threading.Event(), []

    def work(task):
        started.set()
        while not task.cancelled:
            time.sleep(0.005)
        ended.set()
        raise Cancelled

    runner.submit(work, on_done=delivered.append, on_cancelled=lambda: delivered.append("cancelled"))
    assert started.wait(5)
    runner.shutdown()
    assert ended.is_set()
    qtbot.wait(50)
    assert delivered == []
    assert runner.submit(lambda task: 1, on_done=delivered.append).cancelled  # a closed runner runs nothing
    assert not any(thread.name.startswith("cnnstudio-test") for thread in threading.enumerate())
