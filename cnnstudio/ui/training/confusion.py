"""The confusion matrix as a heatmap of counts: rows are the true classes, columns the predictions.

Each cell is coloured by the share of its row (its true class) it holds: blue on the diagonal
(right), red off it (mistakes), so a good network shows a blue diagonal on white and a mistake
pattern stands out however many images a class has. Clicking a cell asks for its images.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from cnnstudio.ui import style

MIN_CELL, MAX_CELL = 26, 64


def cell_color(count: int, row_total: int, diagonal: bool) -> QColor:
    """White for 0, towards blue (diagonal) or red (mistakes) as the cell's share of its row grows."""
    if count <= 0 or row_total <= 0:
        return QColor("#ffffff")
    strength = 0.15 + 0.85 * count / row_total  # even one mistake must be visible
    target = QColor(style.ACCENT if diagonal else style.ERROR)
    return QColor(
        *(round(255 + (channel - 255) * strength) for channel in (target.red(), target.green(), target.blue()))
    )


class ConfusionTable(QTableWidget):
    """`set_matrix(confusion, classes)`; `cell_chosen(true, predicted)` when a cell is clicked."""

    cell_chosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setShowGrid(True)
        self.setStyleSheet(
            f"QTableWidget {{ gridline-color: {style.BORDER}; }} "
            f"QTableWidget::item:selected {{ border: 2px solid {style.TEXT}; }}"
        )
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.Fixed)
            header.setHighlightSections(True)
        self.cellClicked.connect(self.cell_chosen)

    def set_matrix(self, confusion: list[list[int]], classes: list[str]) -> None:
        count = len(classes)
        self.clear()
        self.setRowCount(count)
        self.setColumnCount(count)
        for index, name in enumerate(classes):
            for setter, role in ((self.setHorizontalHeaderItem, "Predicted"), (self.setVerticalHeaderItem, "True")):
                header = QTableWidgetItem(name)
                header.setToolTip(f"{role} class: {name}")
                setter(index, header)
        for true, row in enumerate(confusion):
            total = sum(row)
            for predicted, value in enumerate(row):
                item = QTableWidgetItem(str(value) if value else "")
                item.setTextAlignment(Qt.AlignCenter)
                color = cell_color(value, total, true == predicted)
                item.setBackground(color)
                item.setForeground(QColor("#ffffff" if color.lightness() < 150 else style.TEXT))
                share = f" ({value / total:.1%} of the {classes[true]} images)" if total else ""
                item.setToolTip(
                    f"True {classes[true]}, predicted {classes[predicted]}: {value} image"
                    f"{'s' if value != 1 else ''}{share}. Click to see them."
                )
                self.setItem(true, predicted, item)
        self._fit_cells()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_cells()

    def _fit_cells(self) -> None:
        """Square cells as large as the view allows (within MIN_CELL..MAX_CELL)."""
        count = self.rowCount()
        if not count:
            return
        width = (
            self.viewport().width()
            if self.verticalScrollBar().isVisible()
            else self.width() - self.verticalHeader().width() - 2 * self.frameWidth()
        )
        height = self.height() - self.horizontalHeader().height() - 2 * self.frameWidth()
        side = max(MIN_CELL, min(MAX_CELL, min(width, height) // count))
        self.horizontalHeader().setDefaultSectionSize(side)
        self.verticalHeader().setDefaultSectionSize(side)

    def sizeHint(self) -> QSize:
        return QSize(420, 420)
