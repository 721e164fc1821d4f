"""Following a training run in its worker process from the GUI thread.

The worker (cnnstudio.engine.worker.TrainingProcess) is polled by a timer five times a second; the
events that arrived since the last poll (batch messages come at up to 10 Hz) are handed on
together, so the views redraw at most five times a second however fast the run goes. Redrawing the
plots costs the GUI thread ~10 ms; at 5 Hz the window takes little CPU from the training on a small
machine (see benchmarks/ui_responsiveness.py) and the curves still move smoothly.

Pause, resume and stop are requests the run honours before its next batch. After the last event
the process is given time to exit on its own (polled, so the window never blocks on it); `close()`
stops and reaps it at once.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from cnnstudio.engine.events import Error, Event, Finished, Paused, Started
from cnnstudio.engine.launch import TrainRequest
from cnnstudio.engine.worker import TrainingProcess

POLL_MS = 200
EXIT_GRACE_S = 10.0  # after its last event, how long the process may take to exit before it is terminated

IDLE, STARTING, RUNNING, PAUSED, STOPPING, FINISHING = "idle", "starting", "running", "paused", "stopping", "finishing"


class TrainingRunner(QObject):
    """One training process at a time. `state` is one of the constants above."""

    events_received = Signal(list)  # the events of one poll, in order
    state_changed = Signal(str)

    def __init__(self, parent: QObject | None = None, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.state = IDLE
        self._process: TrainingProcess | None = None
        self._ended_at = 0.0
        self._timer = QTimer(self, interval=poll_ms)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> bool:
        """A run is under way (from the request until its process has exited)."""
        return self.state != IDLE

    def start(self, request: TrainRequest) -> None:
        """Start a run in a new worker process (raises RuntimeError while another one is busy)."""
        if self.busy:
            raise RuntimeError("a training run is already in progress")
        self._process = TrainingProcess(request)
        self._set_state(STARTING)
        self._timer.start()

    def pause(self) -> None:
        if self._process is not None and self.state == RUNNING:
            self._process.pause()

    def resume(self) -> None:
        if self._process is not None and self.state == PAUSED:
            self._process.resume()

    def stop(self) -> None:
        """Ask the run to stop before its next batch (it writes its `last` checkpoint first)."""
        if self._process is not None and self.state in (STARTING, RUNNING, PAUSED):
            self._process.stop()
            self._set_state(STOPPING)

    def close(self) -> None:
        """Stop the run now and make sure its process is gone (the window is closing)."""
        self._timer.stop()
        if self._process is not None:
            self._process.close()
            self._process = None
        self._set_state(IDLE)

    def _poll(self) -> None:
        process = self._process
        if process is None:
            return
        if self.state == FINISHING:
            if not process.running or time.monotonic() - self._ended_at > EXIT_GRACE_S:
                self.close()
            return
        events: list[Event] = process.events()
        for event in events:
            self._follow(event)
        if events:
            self.events_received.emit(events)

    def _follow(self, event: Event) -> None:
        if isinstance(event, Finished | Error):
            self._ended_at = time.monotonic()
            self._set_state(FINISHING)
        elif self.state == STOPPING:
            return  # the run still reports its last batches and pauses; it is stopping all the same
        elif isinstance(event, Started):
            self._set_state(RUNNING)
        elif isinstance(event, Paused):
            self._set_state(PAUSED if event.paused else RUNNING)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
