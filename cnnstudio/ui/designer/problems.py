"""The problems list: every error and warning of the design; clicking one selects its layer."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from cnnstudio.graph.validate import ERROR, Problem
from cnnstudio.ui import style

NODE_ROLE = Qt.UserRole + 1
COLUMNS = ("", "Layer", "Problem")


class ProblemsList(QTableWidget):
    """Errors first, then warnings, messages wrapped in full (they say the cause and the fix).

    `node_selected(id)` when the user clicks a problem of a layer.
    """

    node_selected = Signal(str)
    counts_changed = Signal(int, int)  # errors, warnings

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        header.setSectionResizeMode(0, QHeaderView.Fixed)
        header.resizeSection(0, 26)
        header.resizeSection(1, 170)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
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
            for column, text in enumerate((mark, layer, message)):
                item = QTableWidgetItem(text)
                item.setData(NODE_ROLE, node_id)
                item.setTextAlignment(Qt.AlignLeft | Qt.AlignTop)
                if column == 0:
                    item.setForeground(QColor(color))
                    item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
                self.setItem(row, column, item)
        self.resizeRowsToContents()
        errors = sum(problem.severity == ERROR for problem in problems)
        self.counts_changed.emit(errors, len(problems) - errors)

    def _clicked(self, item: QTableWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id:
            self.node_selected.emit(node_id)
