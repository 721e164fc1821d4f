"""The one way the window runs a core function off the GUI thread (training excepted: it has a process).

    tasks = TaskRunner("cnnstudio-inspect", parent=self)          # one per owner; threads=1 runs in order
    tasks.submit(lambda task: grad_cam(model, x, cancel=task.cancel, progress=task.fraction),
                 key="gradcam", on_done=self.show_map, on_error=self.show_error, on_progress=self.status)
    ...
    tasks.shutdown()                                              # when the owner closes

- The function runs on a worker thread and gets a `Task`: `task.cancel` (a `threading.Event` to pass to
  core functions as `cancel=`), `task.report(message, fraction)` (the `cnnstudio.progress.Progress`
  convention; it raises `Cancelled` once the task is cancelled), `task.fraction(f)` for functions that
  report only a fraction, and `task.partial(value)` for intermediate results (each step of a synthesis).
- Every callback runs on the GUI thread. `on_done(result)` or `on_error(exception)` ends a task;
  `Cancelled` raised by the function is no error: `on_cancelled()` runs if the owner cancelled it.
- Latest request wins: a task submitted with the `key` of a running or waiting one cancels that one,
  whose callbacks then never run. Views that recompute on every edit (a slider, the drawing pad, the
  analysis of the design) get only the newest state's result.
- Tasks of one runner run one after another on `threads` worker threads (1 by default): the inspector's
  functions hook into the model they look at, so two must never run on one model at once.
- `shutdown()` cancels everything, waits for the running function to return, and delivers nothing more,
  so no thread outlives its window.

Built on the standard library's ThreadPoolExecutor: its threads are Python threads (named, visible to
`threading`, joined on shutdown). QThreadPool's threads would register a never-ending `_DummyThread` in
`threading` the first time Python code asks for the current thread.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from cnnstudio.progress import Cancelled

# Progress reaches the GUI at most this often (a download reports every megabyte); the last one always.
PROGRESS_INTERVAL_S = 0.05


@dataclass(eq=False)
class Task:
    """A submitted function's handle: what it polls, how it reports, and how the owner cancels it."""

    key: str | None
    cancel: threading.Event = field(default_factory=threading.Event)
    cancelled_by_owner: bool = False
    _runner: TaskRunner | None = None
    _last_report: float = 0.0

    @property
    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def report(self, message: str, fraction: float) -> None:
        """Progress in the `cnnstudio.progress.Progress` convention; raises `Cancelled` once cancelled."""
        if self.cancel.is_set():
            raise Cancelled(message)
        now = time.monotonic()
        if now - self._last_report >= PROGRESS_INTERVAL_S or fraction >= 1.0:
            self._last_report = now
            self._emit("progress", (message, float(fraction)))

    def fraction(self, fraction: float) -> None:
        """Progress as a bare fraction (the inspector's functions report so)."""
        self.report("", fraction)

    def partial(self, value: Any) -> None:
        """An intermediate result, delivered to `on_partial` on the GUI thread."""
        if not self.cancel.is_set():
            self._emit("partial", value)

    def _emit(self, kind: str, value: Any) -> None:
        if self._runner is not None:
            self._runner._report.emit(self, kind, value)


@dataclass(eq=False)
class _Request:
    task: Task
    function: Callable[[Task], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[Exception], None] | None
    on_progress: Callable[[str, float], None] | None
    on_partial: Callable[[Any], None] | None
    on_cancelled: Callable[[], None] | None
    future: concurrent.futures.Future[None] | None = None


class TaskRunner(QObject):
    """Runs submitted functions in the background; see the module docstring.

    `busy_changed(bool)` follows whether any task is waiting or running.
    """

    busy_changed = Signal(bool)
    _report = Signal(object, str, object)  # (task, kind, value): worker thread → GUI thread

    def __init__(self, name: str, parent: QObject | None = None, threads: int = 1) -> None:
        super().__init__(parent)
        self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._requests: dict[Task, _Request] = {}
        self._by_key: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._busy = False
        self._closed = False
        self._report.connect(self._deliver)

    def submit(
        self,
        function: Callable[[Task], Any],
        *,
        key: str | None = None,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_progress: Callable[[str, float], None] | None = None,
        on_partial: Callable[[Any], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        """Run `function(task)` in the background; a task with the same `key` is superseded."""
        task = Task(key, _runner=self)
        request = _Request(task, function, on_done, on_error, on_progress, on_partial, on_cancelled)
        if self._closed:
            task.cancel.set()
            return task
        with self._lock:
            previous = self._by_key.get(key) if key is not None else None
            if previous is not None:
                self._drop(previous)
            self._requests[task] = request
            if key is not None:
                self._by_key[key] = task
        request.future = self._executor.submit(self._run, request)
        self._update_busy()
        return task

    def cancel(self, key: str | None = None) -> None:
        """Cancel the task of `key` (every task when None); `on_cancelled` runs when each one stops.

        The key is free at once (`is_busy(key)` is False); `is_busy()` stays True until the function returns.
        """
        with self._lock:
            tasks = list(self._requests) if key is None else [t for t in (self._by_key.get(key),) if t is not None]
            for task in tasks:
                task.cancelled_by_owner = True
                task.cancel.set()
                if task.key is not None and self._by_key.get(task.key) is task:
                    del self._by_key[task.key]

    def is_busy(self, key: str | None = None) -> bool:
        """A task (of `key`, or any) is waiting or running."""
        with self._lock:
            return bool(self._requests) if key is None else key in self._by_key

    def shutdown(self) -> None:
        """Cancel every task, wait for the running one to return (at its next `report` or cancel check),
        and deliver nothing more."""
        self._closed = True
        with self._lock:
            for task in list(self._requests):
                self._drop(task)
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._update_busy()

    # ----- worker thread
    def _run(self, request: _Request) -> None:
        task = request.task
        if task.cancel.is_set():
            task._emit("cancelled", None)
            return
        try:
            result = request.function(task)
        except Cancelled:
            task._emit("cancelled", None)
        except Exception as error:  # noqa: BLE001 - the owner shows every failure to the user
            task._emit("cancelled" if task.cancel.is_set() else "error", error)
        else:
            task._emit("cancelled" if task.cancel.is_set() else "done", result)

    # ----- GUI thread
    def _drop(self, task: Task) -> None:
        """Forget a task (lock held): it is cancelled and none of its callbacks will run."""
        task.cancel.set()
        task.cancelled_by_owner = False
        request = self._requests.pop(task, None)
        if task.key is not None and self._by_key.get(task.key) is task:
            del self._by_key[task.key]
        if request is not None and request.future is not None:
            request.future.cancel()

    def _deliver(self, task: Task, kind: str, value: Any) -> None:
        ending = kind in ("done", "error", "cancelled")
        with self._lock:
            request = self._requests.get(task)
            if request is not None and ending:
                del self._requests[task]
                if task.key is not None and self._by_key.get(task.key) is task:
                    del self._by_key[task.key]
        if request is None or self._closed:
            return
        if kind == "progress" and request.on_progress is not None and not task.cancelled:
            request.on_progress(*value)
        elif kind == "partial" and request.on_partial is not None and not task.cancelled:
            request.on_partial(value)
        elif kind == "done" and request.on_done is not None:
            request.on_done(value)
        elif kind == "error" and request.on_error is not None:
            request.on_error(value)
        elif kind == "cancelled" and task.cancelled_by_owner and request.on_cancelled is not None:
            request.on_cancelled()
        if ending:
            self._update_busy()

    def _update_busy(self) -> None:
        with self._lock:
            busy = bool(self._requests)
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
