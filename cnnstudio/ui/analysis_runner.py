"""Keeps an up-to-date NetworkAnalysis of a graph, computed off the GUI thread.

Each `changed` event of the graph schedules a run (coalesced in the event loop). A run analyzes a
snapshot copy of the graph in a background thread; when it ends, its result is published only if
the graph has not changed meanwhile, otherwise the newer state is analyzed right away. Views listen
to `analyzed(analysis)`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import NetworkAnalysis, analyze
from cnnstudio.ui.workers import Job


class AnalysisRunner(QObject):
    """Publishes `analyzed(NetworkAnalysis)` after every change of `graph`."""

    analyzed = Signal(object)
    failed = Signal(str)

    def __init__(self, graph: NetworkGraph, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.analysis: NetworkAnalysis | None = None
        self._generation = 0
        self._job: Job | None = None
        self._job_generation = -1
        self._closed = False
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._start)
        graph.changed.connect(self.request)

    def request(self) -> None:
        """Note that the graph changed; a new analysis will follow."""
        self._generation += 1
        if not self._closed:
            self._timer.start()

    def is_current(self) -> bool:
        """True when `analysis` describes the graph as it is now."""
        return self.analysis is not None and self._job_generation == self._generation and not self.busy()

    def busy(self) -> bool:
        return self._job is not None or self._timer.isActive()

    def _start(self) -> None:
        if self._job is not None or self._closed:
            return  # the running job restarts us when it ends
        snapshot = self.graph.copy()
        self._job_generation = self._generation
        self._job = Job(lambda: analyze(snapshot), "cnnstudio-analysis", self)
        self._job.finished.connect(self._finished)
        self._job.failed.connect(self._failed)
        self._job.start()

    def _end_job(self) -> bool:
        """Forget the finished job; True if its result still matches the graph."""
        if self._job is not None:
            self._job.wait()
            self._job.deleteLater()
        self._job = None
        current = self._job_generation == self._generation
        if not current and not self._closed:
            self._start()
        return current and not self._closed

    def _finished(self, analysis: NetworkAnalysis) -> None:
        if self._end_job():
            self.analysis = analysis
            self.analyzed.emit(analysis)

    def _failed(self, error: Exception) -> None:
        if self._end_job():
            self.failed.emit(f"The analysis failed unexpectedly: {error}")

    def close(self) -> None:
        """Stop scheduling and wait for a running analysis to end."""
        self._closed = True
        self._timer.stop()
        if self._job is not None:
            self._job.wait()
            self._job = None
        self.graph.changed.disconnect(self.request)
