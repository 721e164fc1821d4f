"""Training in a child process, controlled and followed from the parent (what the GUI does)."""

import errno
import multiprocessing
import pickle
import queue
import sys
import time

import pytest

from cnnstudio.engine import TrainConfig, TrainControl
from cnnstudio.engine import worker as worker_module
from cnnstudio.engine.events import event_from_dict
from cnnstudio.engine.launch import TrainRequest
from cnnstudio.engine.worker import TrainingProcess, WorkerStartError

from .conftest import small_net


def follow(process: TrainingProcess, until, limit: float = 60.0) -> list:
    """Events until `until(event)` is true for one of them (the limit only guards against a hang)."""
    events = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        for event in process.events(timeout=0.2):
            events.append(event)
            if until(event):
                return events
    raise AssertionError(f"no matching event; got {[event.kind for event in events]}")


def test_a_run_in_a_child_process_pauses_stops_and_leaves_nothing_behind(tmp_path):
    request = TrainRequest(
        str(tmp_path),
        design=small_net(size=9).to_dict(),
        data="xo:count=2000",
        config=TrainConfig(epochs=50, batch_size=8, lr=0.01),
    )
    process = TrainingProcess(request)
    try:
        events = follow(process, lambda event: event.kind == "batch")
        assert events[0].kind == "started" and events[0].train_size == 1600
        process.pause()
        paused = follow(process, lambda event: event.kind == "paused")[-1]
        process.stop()
        rest = follow(process, lambda event: event.kind in ("finished", "error"))
        finished = rest[-1]
        assert finished.kind == "finished" and finished.reason == "stopped"
        assert finished.step == paused.step  # no batch ran while paused, and none after the stop
        assert (tmp_path / "last" / "state.json").is_file()
    finally:
        process.close()
    assert not process.running


def test_problems_in_the_child_arrive_as_an_error_event(tmp_path):
    request = TrainRequest(str(tmp_path), design=small_net(size=9).to_dict(), data="no-such-data", config=TrainConfig())
    process = TrainingProcess(request)
    try:
        error = follow(process, lambda event: event.kind == "error")[-1]
        assert error.error == "data" and "no-such-data" in error.message
        assert process.events() == []  # reported once
    finally:
        process.close()


class RefusingContext:
    """A spawn context whose processes fail to start with `error`."""

    def __init__(self, error: BaseException) -> None:
        self.error, self.real = error, multiprocessing.get_context("spawn")

    def Queue(self):  # noqa: N802 - multiprocessing's name
        return self.real.Queue()

    def Event(self):  # noqa: N802
        return self.real.Event()

    def Process(self, **_):  # noqa: N802
        error = self.error

        class Refused:
            def start(self) -> None:
                raise error

        return Refused()


START_FAILURES = {
    "memory": (MemoryError(), "not enough memory", "close other programs to free memory"),
    "ENOMEM": (OSError(errno.ENOMEM, "Cannot allocate memory"), "not enough memory", "close other programs"),
    "dependency": (
        ModuleNotFoundError("No module named 'medmnist'", name="medmnist"),
        "a module the training needs is missing: medmnist",
        "pip install medmnist",
    ),
    "design": (
        pickle.PicklingError("Can't pickle <lambda>"),
        "could not be handed to the training",
        "check the design",
    ),
    "process limit": (OSError(errno.EAGAIN, "Resource temporarily unavailable"), "refused to start another", "ulimit"),
    "spawn": (FileNotFoundError(errno.ENOENT, "No such file or directory"), "could not be started", sys.executable),
}


@pytest.mark.parametrize("cause", START_FAILURES)
def test_a_worker_that_cannot_start_says_why_with_advice_for_that_cause(tmp_path, cause):
    error, message, hint = START_FAILURES[cause]
    request = TrainRequest(str(tmp_path), design=small_net().to_dict(), data="xo", config=TrainConfig())
    with pytest.raises(WorkerStartError) as raised:
        TrainingProcess(request, context=RefusingContext(error))
    assert message in raised.value.message and hint in raised.value.hint
    assert ("free memory" in raised.value.hint) == (cause in ("memory", "ENOMEM"))


def test_a_design_that_cannot_be_sent_to_the_process_is_refused_before_it_starts(tmp_path):
    design = {**small_net().to_dict(), "extra": lambda: None}
    with pytest.raises(WorkerStartError) as raised:
        TrainingProcess(TrainRequest(str(tmp_path), design=design, data="xo", config=TrainConfig()))
    assert "could not be handed to the training process" in raised.value.message
    assert "check the design" in raised.value.hint and multiprocessing.active_children() == []


def test_a_missing_module_in_the_worker_is_reported_with_the_package_to_install(monkeypatch):
    def run_request(request, control):
        raise ModuleNotFoundError("No module named 'medmnist'", name="medmnist")
        yield

    monkeypatch.setattr(worker_module, "run_request", run_request)
    sent: queue.Queue = queue.Queue()
    worker_module._worker_main(TrainRequest("unused"), TrainControl(), sent)
    error = event_from_dict(sent.get_nowait())
    assert (error.error, error.message) == ("dependency", "a module the training needs is missing: medmnist")
    assert error.hint == "install it (pip install medmnist) and try again"


def test_a_worker_killed_by_the_system_points_at_memory():
    killed = worker_module._died(-9)
    assert killed.error == "out_of_memory" and "ran out of memory" in killed.message
    assert "ended unexpectedly" in killed.message
    assert "ended unexpectedly (exit code 1)" in worker_module._died(1).message
