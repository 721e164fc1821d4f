"""The grid editor's editable grids of numbers, and how it lays them out with their captions."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui import style

CELL_WIDTH, CELL_HEIGHT = 26, 22


class GridTable(QTableWidget):
    """An editable grid of numbers: small cells, each column as wide as its longest number."""

    def __init__(self, rows: int, cols: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, cols, parent)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.horizontalHeader().setMinimumSectionSize(CELL_WIDTH)
        self.horizontalHeader().setDefaultSectionSize(CELL_WIDTH)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.verticalHeader().setMinimumSectionSize(CELL_HEIGHT)
        self.verticalHeader().setDefaultSectionSize(CELL_HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.AllEditTriggers)
        self.setFont(style.monospace_font(9))
        self.setToolTip("Type a number in each cell")
        self.resize_to(rows, cols)
        self.cellChanged.connect(lambda row, col: self._fit())

    def resize_to(self, rows: int, cols: int) -> None:
        """Change the size, keeping the numbers that still fit (new cells are 0)."""
        old = self.current_text()
        self.blockSignals(True)
        self.setRowCount(rows)
        self.setColumnCount(cols)
        for row in range(rows):
            for col in range(cols):
                text = old[row][col] if row < len(old) and col < len(old[row]) else "0"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignCenter)
                self.setItem(row, col, item)
        self.blockSignals(False)
        self._fit()

    def _fit(self) -> None:
        """Show every cell without scrolling."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        width = sum(header.sectionSize(col) for col in range(self.columnCount()))
        self.setFixedSize(width + 2, self.rowCount() * CELL_HEIGHT + 2)

    def current_text(self) -> list[list[str]]:
        return [
            [(self.item(r, c).text() if self.item(r, c) else "0") for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]

    def set_values(self, values: np.ndarray) -> None:
        self.resize_to(*values.shape)
        self.blockSignals(True)
        for (row, col), value in np.ndenumerate(values):
            self.item(row, col).setText(f"{value:g}")
        self.blockSignals(False)
        self._fit()

    def values(self, where: str) -> np.ndarray:
        """The numbers typed (an empty cell is 0); ValueError naming the cell when one is not a number."""
        result = np.zeros((self.rowCount(), self.columnCount()))
        for (row, col), _ in np.ndenumerate(result):
            text = self.item(row, col).text().strip().replace("−", "-").replace(",", ".")
            try:
                result[row, col] = float(text) if text else 0.0
            except ValueError:
                raise ValueError(f"{where}, row {row}, column {col}: “{text}” is not a number") from None
        return result

    def mark(self, cells: set[tuple[int, int]], fill: QColor) -> None:
        self.blockSignals(True)
        for row in range(self.rowCount()):
            for col in range(self.columnCount()):
                self.item(row, col).setBackground(fill if (row, col) in cells else QColor("#ffffff"))
        self.blockSignals(False)


def section(heading: QLabel, content: QHBoxLayout | QGridLayout | QVBoxLayout) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setSpacing(4)
    layout.addWidget(heading)
    layout.addLayout(content)
    layout.addStretch(1)
    return layout


def captioned(widget: QWidget, caption: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 6, 0)
    layout.setSpacing(2)
    label = QLabel(caption)
    label.setProperty("role", "muted")
    layout.addWidget(label)
    layout.addWidget(widget)
    return box


def clear_layout(layout: QHBoxLayout | QGridLayout | QVBoxLayout) -> None:
    """Empty a layout: the grids are kept (the editor re-adds them), everything else is deleted."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is None:
            continue
        for table in widget.findChildren(GridTable):
            table.setParent(None)
        widget.deleteLater()
