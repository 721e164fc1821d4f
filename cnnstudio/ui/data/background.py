"""Running the newest of a stream of requests in the background, with progress and cancel.

The Data tab reloads whenever an option changes and recomputes the augmentation preview whenever
a control moves; only the newest request matters. A `LatestRunner` runs one task at a time in a
`Job`; a new request cancels the running task (at its next progress call) and replaces any
waiting one, and only the result of the newest task is delivered, on the GUI thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from cnnstudio.progress import Progress
from cnnstudio.ui.workers import Job

Task = Callable[[Progress], Any]
# Progress messages are forwarded at most this often (a download reports every megabyte).
PROGRESS_INTERVAL_S = 0.05


class Cancelled(Exception):
    """Raised inside a task, at a progress call, once the task was cancelled."""


class LatestRunner(QObject):
    """Runs `task(progress)` in a background thread; see the module docstring.

    Signals (on the GUI thread): progress(message, fraction), finished(result), failed(exception),
    cancelled().
    """

    progress = Signal(str, float)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._job: Job | None = None
        self._cancel = threading.Event()
        self._pending: Task | None = None
        self._closed = False

    def busy(self) -> bool:
        return self._job is not None

    def run(self, task: Task) -> None:
        """Run `task` now, or as soon as the running task has stopped (which it is asked to)."""
        if self._closed:
            return
        if self._job is not None:
            self._pending = task
            self._cancel.set()
            return
        self._start(task)

    def cancel(self) -> None:
        """Stop the running task at its next progress call and drop any waiting one."""
        self._pending = None
        if self._job is not None:
            self._cancel.set()

    def shutdown(self) -> None:
        """Cancel, wait for the thread to end, and deliver nothing more."""
        self._closed = True
        self.cancel()
        if self._job is not None:
            self._job.wait()
            self._job = None

    def _start(self, task: Task) -> None:
        cancel = threading.Event()
        last_report = [0.0]

        def report(message: str, fraction: float) -> None:
            if cancel.is_set():
                raise Cancelled
            now = time.monotonic()
            if now - last_report[0] >= PROGRESS_INTERVAL_S or fraction >= 1.0:
                last_report[0] = now
                self.progress.emit(message, float(fraction))

        job = Job(lambda: task(report), self._name, self)
        job.finished.connect(lambda result: self._ended(job, cancel, result, None))
        job.failed.connect(lambda error: self._ended(job, cancel, None, error))
        self._job, self._cancel = job, cancel
        job.start()

    def _ended(self, job: Job, cancel: threading.Event, result: Any, error: Exception | None) -> None:
        job.wait()
        job.deleteLater()
        if self._closed or job is not self._job:
            return
        self._job = None
        pending, self._pending = self._pending, None
        if pending is not None:
            self._start(pending)
        elif cancel.is_set() or isinstance(error, Cancelled):
            self.cancelled.emit()
        elif error is not None:
            self.failed.emit(error)
        else:
            self.finished.emit(result)
