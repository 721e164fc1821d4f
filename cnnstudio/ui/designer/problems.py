"""The problems list: every error and warning of the design; clicking one selects its layer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidgetItem, QWidget

from cnnstudio.graph.validate import ERROR, Problem
from cnnstudio.ui import style
from cnnstudio.ui.widgets.tables import ReadOnlyTable

COLUMNS = ("", "Layer", "Problem")


class ProblemsList(ReadOnlyTable):
    """Errors first, then warnings, messages wrapped in full (they say the cause and the fix).

    `node_selected(id)` when the user clicks a problem of a layer.
    """

    node_selected = Signal(str)
    counts_changed = Signal(int, int)  # errors, warnings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, stretch=2, parent=parent)
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Fixed)
        header.resizeSection(0, 26)
        header.setSectionResizeMode(1, QHeaderView.Interactive)
        header.resizeSection(1, 170)
        header.sectionResized.connect(lambda *args: self.resizeRowsToContents())
        self.itemClicked.connect(self._clicked)
        self.itemActivated.connect(self._clicked)

    def set_problems(self, problems: list[Problem]) -> None:
        ordered = sorted(problems, key=lambda p: p.severity != ERROR)
        rows = [
            (
                "✖" if p.severity == ERROR else "⚠",
                p.node or "network",
                p.message,
                style.ERROR if p.severity == ERROR else style.WARNING,
                p.node,
            )
            for p in ordered
        ]
        if not rows:
            rows = [("✔", "", "No problems: the design can be built and trained.", style.OK, None)]
        self.setRowCount(len(rows))
        for row, (mark, layer, message, color, node_id) in enumerate(rows):
            items = self.set_row(row, (mark, layer, message), data=node_id)
            for item in items:
                item.setTextAlignment(Qt.AlignLeft | Qt.AlignTop)
            items[0].setForeground(QColor(color))
            items[0].setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.resizeRowsToContents()
        errors = sum(problem.severity == ERROR for problem in problems)
        self.counts_changed.emit(errors, len(problems) - errors)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Rows follow the width: a narrower panel wraps the messages onto more lines (none is cut)."""
        super().resizeEvent(event)
        self.resizeRowsToContents()

    def _clicked(self, item: QTableWidgetItem) -> None:
        node_id = item.data(Qt.UserRole)
        if node_id:
            self.node_selected.emit(node_id)
