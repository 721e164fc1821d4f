"""Stop and pause requests for a running training, polled once per batch.

The flags are Event objects with `set`/`clear`/`is_set`/`wait`: threading.Event for a run in a
thread, multiprocessing Events (`TrainControl.for_processes()`) for a run in a worker process; the
control object is then handed to the worker as a process argument.

In data-parallel runs a stop request of any process stops all of them at the same step; pausing
applies to single-process runs only.
"""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any, Protocol


class EventLike(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


class TrainControl:
    """Ask a run to stop or pause; the run honours the request before its next batch."""

    def __init__(self, stop: EventLike | None = None, pause: EventLike | None = None) -> None:
        self._stop = stop if stop is not None else threading.Event()
        self._pause = pause if pause is not None else threading.Event()

    @classmethod
    def for_processes(cls, context: Any = None) -> TrainControl:
        """A control whose flags are shared with child processes of `context` (default: spawn)."""
        context = context or multiprocessing.get_context("spawn")
        return cls(context.Event(), context.Event())

    def stop(self) -> None:
        self._stop.set()

    def pause(self) -> None:
        self._pause.set()

    def resume(self) -> None:
        self._pause.clear()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return self._pause.is_set() and not self._stop.is_set()

    def wait_while_paused(self, poll: float = 0.05) -> None:
        """Block while paused; returns at once on stop, within `poll` seconds on resume."""
        while self.paused:
            self._stop.wait(poll)
