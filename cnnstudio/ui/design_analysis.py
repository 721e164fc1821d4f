"""The open design's analysis, kept up to date off the GUI thread.

Each `changed` event of the graph asks for a new analysis (coalesced in the event loop); the analysis of
a snapshot copy runs as the newest task of a `TaskRunner`, so a result is published only for the
graph as it is now, never for a state the user has already edited away. Views listen to
`analyzed(analysis)`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import NetworkAnalysis, analyze
from cnnstudio.ui.tasks import TaskRunner


class DesignAnalysis(QObject):
    """Publishes `analyzed(NetworkAnalysis)` after every change of `graph`; `failed(message)` if it breaks."""

    analyzed = Signal(object)
    failed = Signal(str)

    def __init__(self, graph: NetworkGraph, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.analysis: NetworkAnalysis | None = None
        self._tasks = TaskRunner("cnnstudio-analysis", self)
        self._requested = False
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._start)
        graph.changed.connect(self.request)

    def request(self) -> None:
        """Note that the graph changed; a new analysis will follow."""
        self._requested = True
        if not self._closed:
            self._timer.start()

    def is_current(self) -> bool:
        """True when `analysis` describes the graph as it is now."""
        return self.analysis is not None and not self.busy()

    def busy(self) -> bool:
        return self._requested or self._tasks.is_busy()

    def _start(self) -> None:
        if self._closed:
            return
        self._requested = False
        snapshot = self.graph.copy()
        self._tasks.submit(
            lambda task: analyze(snapshot), key="analysis", on_done=self._finished, on_error=self._failed
        )

    def _finished(self, analysis: NetworkAnalysis) -> None:
        self.analysis = analysis
        self.analyzed.emit(analysis)

    def _failed(self, error: Exception) -> None:
        self.failed.emit(f"The analysis failed unexpectedly: {error}")

    def close(self) -> None:
        """Stop scheduling and wait for a running analysis to end."""
        self._closed = True
        self._timer.stop()
        self._tasks.shutdown()
        self.graph.changed.disconnect(self.request)
