"""One background thread that runs the Inspect tab's computations one after another.

The inspector's functions (cnnstudio.viz) put hooks on the model and switch it to eval mode while they
run, so two must never run on the same model at once: every view submits its work here. Requests have a
key (usually the view's name); a new request replaces a waiting one with the same key and cancels a
running one, so dragging a slider or drawing on the pad computes only the newest state. Callbacks run
on the GUI thread, and only for the newest request of their key.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from cnnstudio.viz.runtime import Cancelled


@dataclass(eq=False)
class Task:
    """What a running function gets: `cancel` to poll (or pass to viz functions), `progress(fraction)`
    and `partial(value)` to send intermediate results (e.g. each step of activation maximization)."""

    key: str
    cancel: threading.Event = field(default_factory=threading.Event)
    _runner: InspectRunner | None = None

    def progress(self, fraction: float) -> None:
        if self._runner is not None:
            self._runner._report.emit(self, "progress", float(fraction))

    def partial(self, value: Any) -> None:
        if self._runner is not None:
            self._runner._report.emit(self, "partial", value)


@dataclass(eq=False)
class _Request:
    task: Task
    function: Callable[[Task], Any]
    on_done: Callable[[Any], None]
    on_error: Callable[[Exception], None] | None
    on_progress: Callable[[float], None] | None
    on_partial: Callable[[Any], None] | None


_STOP = object()


class InspectRunner(QObject):
    """Runs `function(task)` requests on one thread; `busy_changed(bool)` follows whether work is pending."""

    busy_changed = Signal(bool)
    _report = Signal(object, str, object)  # (task, kind, value) from the worker thread → GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[Any] = queue.Queue()
        self._latest: dict[str, _Request] = {}
        self._lock = threading.Lock()
        self._busy = False
        self._report.connect(self._deliver)
        self._thread = threading.Thread(target=self._loop, name="cnnstudio-inspect", daemon=True)
        self._thread.start()

    def submit(
        self,
        key: str,
        function: Callable[[Task], Any],
        on_done: Callable[[Any], None],
        *,
        on_error: Callable[[Exception], None] | None = None,
        on_progress: Callable[[float], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
    ) -> Task:
        """Queue `function(task)`; its result goes to `on_done`, an exception to `on_error`.

        Raising `cnnstudio.viz.runtime.Cancelled` (or any exception once the task was cancelled)
        reports nothing. Returns the task, whose `cancel` the caller may also set.
        """
        request = _Request(Task(key, _runner=self), function, on_done, on_error, on_progress, on_partial)
        with self._lock:
            previous = self._latest.get(key)
            if previous is not None:
                previous.task.cancel.set()
            self._latest[key] = request
        self._set_busy(True)
        self._queue.put(request)
        return request.task

    def cancel(self, key: str) -> None:
        """Cancel the newest request of `key` (running or waiting); its callbacks will not run."""
        with self._lock:
            request = self._latest.pop(key, None)
        if request is not None:
            request.task.cancel.set()
        self._update_busy()

    def is_busy(self, key: str | None = None) -> bool:
        with self._lock:
            return bool(self._latest) if key is None else key in self._latest

    def shutdown(self, timeout: float = 10.0) -> None:
        """Cancel everything and end the thread (the tab is closing)."""
        with self._lock:
            for request in self._latest.values():
                request.task.cancel.set()
            self._latest.clear()
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # ----- worker thread
    def _loop(self) -> None:
        while True:
            request = self._queue.get()
            if request is _STOP:
                return
            if request.task.cancel.is_set():
                continue
            try:
                result = request.function(request.task)
            except Cancelled:
                continue
            except Exception as error:  # noqa: BLE001 - reported to the view, which shows it to the user
                self._report.emit(request.task, "error", error)
            else:
                self._report.emit(request.task, "done", result)

    # ----- GUI thread
    def _deliver(self, task: Task, kind: str, value: Any) -> None:
        with self._lock:
            request = self._latest.get(task.key)
            current = request is not None and request.task is task and not task.cancel.is_set()
            if current and kind in ("done", "error"):
                del self._latest[task.key]
        if not current:
            return
        if kind == "done":
            request.on_done(value)
        elif kind == "error" and request.on_error is not None:
            request.on_error(value)
        elif kind == "progress" and request.on_progress is not None:
            request.on_progress(value)
        elif kind == "partial" and request.on_partial is not None:
            request.on_partial(value)
        self._update_busy()

    def _update_busy(self) -> None:
        with self._lock:
            busy = bool(self._latest)
        self._set_busy(busy)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
