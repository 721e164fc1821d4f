"""Running a plain function off the GUI thread and getting its result back on the GUI thread.

A `Job` runs in a Python thread (so torch work does not freeze the window) and reports through a
queued Qt signal, so the callbacks run on the GUI thread. Owners `wait()` for their jobs when they
close, so no thread outlives its window.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Job(QObject):
    """One call of `function()` in a background thread; emits `finished(result)` or `failed(error)`."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, function: Callable[[], Any], name: str = "cnnstudio-job", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            result = self._function()
        except Exception as error:  # noqa: BLE001 - any failure is reported to the GUI, which shows it
            self.failed.emit(error)
        else:
            self.finished.emit(result)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the thread ends; True if it did."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()
