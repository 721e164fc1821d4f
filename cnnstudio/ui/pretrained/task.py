"""A slow function on a background thread that reports progress and can be cancelled.

`workers.Job` runs a function and reports its result; a `ProgressTask` also hands the function a
`report(message, fraction)` callback — the `cnnstudio.progress.Progress` convention the core's
slow functions take (downloads, dataset loading, timing, teaching) — that forwards to the GUI thread
and raises `TaskCancelled` once `cancel()` was called, which stops the core function where it reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

Report = Callable[[str, float], None]


class TaskCancelled(Exception):
    """Raised inside the task's function by `report` after the user cancelled."""


class ProgressTask(QObject):
    """`function(report)` on a thread. Emits progress(message, fraction), then exactly one of
    finished(result), failed(error) or cancelled(), all on the GUI thread."""

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(
        self, function: Callable[[Report], Any], name: str = "cnnstudio-task", parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._function = function
        self._cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> ProgressTask:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the function to stop at its next progress report."""
        self._cancel.set()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends; True if it did."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _report(self, message: str, fraction: float) -> None:
        if self._cancel.is_set():
            raise TaskCancelled(message)
        self.progress.emit(message, float(fraction))

    def _run(self) -> None:
        try:
            result = self._function(self._report)
        except TaskCancelled:
            self.cancelled.emit()
        except Exception as error:  # noqa: BLE001 - any failure is shown to the user by the owner
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.failed.emit(error)
        else:
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.finished.emit(result)


class TaskList:
    """The tasks a widget started: joined when it closes, so no thread outlives its window."""

    def __init__(self) -> None:
        self._tasks: list[ProgressTask] = []

    def start(self, task: ProgressTask) -> ProgressTask:
        self._tasks = [t for t in self._tasks if t.is_running()]
        self._tasks.append(task)
        return task.start()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Cancel every task and wait for its thread to end."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            task.wait(timeout)
        self._tasks.clear()
