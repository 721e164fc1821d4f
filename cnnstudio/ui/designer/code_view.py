"""The generated PyTorch source of the current design: read-only, highlighted, with Copy and Save as .py.

The source is generated in a background thread, and only while the view is visible (generation
re-runs the analysis, which takes a moment for very deep networks).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QWidget

from cnnstudio.fileio import atomic_write_text
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import BuildError, module_source
from cnnstudio.ui import style
from cnnstudio.ui.designer.highlighter import PythonHighlighter
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.panes import horizontal, vertical


def source_or_explanation(graph: NetworkGraph) -> tuple[str, bool]:
    """(source, True) for a valid design, else (a commented list of what to fix, False)."""
    try:
        return module_source(graph), True
    except BuildError as error:
        lines = ["# The design has errors, so no code can be generated yet.", "# Fix these first:", "#"]
        lines += [f"#   - {problem}" for problem in error.problems]
        return "\n".join(lines) + "\n", False


class CodeView(QWidget):
    """Shows `source_or_explanation(graph)`; `save_requested` asks the window for a .py path."""

    save_requested = Signal()
    generated = Signal()  # the shown source is up to date

    def __init__(self, graph: NetworkGraph, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.valid = False
        self.editor = QPlainTextEdit(readOnly=True)
        self.editor.setFont(style.monospace_font(10))
        self.editor.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.editor.setStyleSheet("QPlainTextEdit { background: #ffffff; }")
        self._highlighter = PythonHighlighter(self.editor.document())
        self.copy_button = QPushButton("Copy")
        self.save_button = QPushButton("Save as .py…")
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        bar = horizontal([(self.status, 1), self.copy_button, self.save_button], margins=(6, 4, 6, 0))
        vertical(self, [bar, (self.editor, 1)], margins=(0, 0, 0, 0), spacing=4)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save_requested)
        self._stale = True
        self._tasks = TaskRunner("cnnstudio-codegen", self)

    def mark_stale(self) -> None:
        """The design changed: regenerate now if visible, else when shown."""
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Generate the code of the design as it is now (a newer request replaces a running one)."""
        self._stale = False
        snapshot = self.graph.copy()
        self.status.setText("Generating…")
        self._tasks.submit(
            lambda task: source_or_explanation(snapshot),
            key="code",
            on_done=self._generated,
            on_error=lambda error: self._generated((f"# Code generation failed: {error}\n", False)),
        )

    def _generated(self, result: tuple[str, bool]) -> None:
        source, self.valid = result
        scroll = self.editor.verticalScrollBar().value()
        self.editor.setPlainText(source)
        self.editor.verticalScrollBar().setValue(scroll)
        self.status.setText(
            "Standalone PyTorch module for this design" if self.valid else "Fix the design's errors to get code"
        )
        self.copy_button.setEnabled(self.valid)
        self.save_button.setEnabled(self.valid)
        self.generated.emit()

    def source(self) -> str:
        return self.editor.toPlainText()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.source())

    def save_to(self, path: str | Path) -> None:
        atomic_write_text(path, self.source())

    def shutdown(self) -> None:
        self._tasks.shutdown()
