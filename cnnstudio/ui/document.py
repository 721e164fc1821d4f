"""The open design: its NetworkGraph, undo stack, file path and live analysis, shared by all tabs.

The graph object stays the same for the life of the window (opening a file replaces its content),
so every view subscribes to it once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from cnnstudio.graph.io import load_network, save_network
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import Problem
from cnnstudio.ui.analysis_runner import AnalysisRunner

SUFFIX = ".cnn.json"


class Document(QObject):
    """The design being edited. `path_changed` fires when it is opened, saved under a new name or reset."""

    path_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = NetworkGraph()
        self.undo_stack = QUndoStack(self)
        self.analysis = AnalysisRunner(self.graph, self)
        self.path: Path | None = None
        self.load_problems: list[Problem] = []

    # ----- state
    def display_name(self) -> str:
        return self.path.name if self.path else f"Untitled ({self.graph.name})"

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def push(self, command: QUndoCommand) -> None:
        """Apply an edit (its redo runs now) and make it undoable."""
        self.undo_stack.push(command)

    # ----- whole-document changes (not undoable: they start a new editing session)
    def replace(self, graph: NetworkGraph, path: Path | None = None, *, modified: bool = False,
                problems: list[Problem] | None = None) -> None:
        """Show `graph` as a fresh document; `modified` marks it unsaved (a recovered design)."""
        self.graph.replace_with(graph)
        self.undo_stack.clear()
        if modified:
            self.undo_stack.resetClean()
        self.load_problems = list(problems or [])
        self.path = path
        self.path_changed.emit()

    def open(self, path: str | Path) -> None:
        """Load a network file; raises NetworkFileError (and changes nothing) if it cannot be read."""
        path = Path(path)
        result = load_network(path)
        self.replace(result.graph, path.resolve(), problems=result.problems)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the design (atomically) to `path`, or to its current file."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the design has no file yet; choose one with Save As")
        save_network(self.graph, target)
        self.undo_stack.setClean()
        if target.resolve() != self.path:
            self.path = target.resolve()
            self.path_changed.emit()
        return target

    def close(self) -> None:
        """Stop background work (the window is closing)."""
        self.analysis.close()
