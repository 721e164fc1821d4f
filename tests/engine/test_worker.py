"""Training in a child process, controlled and followed from the parent (what the GUI does)."""

import time

from cnnstudio.engine import TrainConfig
from cnnstudio.engine.launch import TrainRequest
from cnnstudio.engine.worker import TrainingProcess

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
