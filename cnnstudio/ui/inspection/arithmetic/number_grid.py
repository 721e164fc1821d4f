"""A small grid of numbers drawn as a table (an input patch, a kernel, their products, a pooling
window), tinted by sign so positive and negative terms stand out, with cells that can be marked."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.inspection.formatting import format_compact

POSITIVE = QColor(214, 96, 77)
NEGATIVE = QColor(67, 147, 195)
PADDING_FILL = QColor("#eceff3")


def tint(value: float, extent: float) -> QColor:
    """A light red for positive values, a light blue for negative ones, stronger with |value|."""
    if math.isnan(value) or extent <= 0:
        return QColor("#ffffff")
    strength = min(1.0, abs(value) / extent) * 0.55
    base = POSITIVE if value > 0 else NEGATIVE
    white = QColor("#ffffff")
    return QColor(
        round(white.red() + (base.red() - white.red()) * strength),
        round(white.green() + (base.green() - white.green()) * strength),
        round(white.blue() + (base.blue() - white.blue()) * strength),
    )


class NumberGrid(QWidget):
    """Draws a 2-D array of numbers. `marked` cells get a thick outline (the pooling winner, the
    chosen output), `padding` cells are greyed ("pad" in place of NaN). `cell_clicked(row, col)`."""

    cell_clicked = Signal(int, int)

    def __init__(
        self, values: np.ndarray | None = None, *, caption: str = "", cell: int = 0, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.caption = caption
        self._values = np.zeros((0, 0))
        self._padding = np.zeros((0, 0), dtype=bool)
        self._marked: set[tuple[int, int]] = set()
        self._font = QFont(style.monospace_font(8))
        self._fixed_cell = cell
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        self.setMouseTracking(True)
        if values is not None:
            self.set_values(values)

    def set_values(
        self, values: np.ndarray, *, padding: np.ndarray | None = None, marked: set[tuple[int, int]] | None = None
    ) -> None:
        self._values = np.atleast_2d(np.asarray(values, dtype=np.float64))
        self._padding = np.zeros(self._values.shape, dtype=bool) if padding is None else np.asarray(padding, dtype=bool)
        self._marked = set(marked or ())
        self.updateGeometry()
        self.update()

    def values(self) -> np.ndarray:
        return self._values

    def text_at(self, row: int, col: int) -> str:
        """What cell (row, col) shows."""
        if self._padding[row, col] and math.isnan(self._values[row, col]):
            return "pad"
        return format_compact(float(self._values[row, col]))

    def set_marked(self, cells: set[tuple[int, int]]) -> None:
        self._marked = set(cells)
        self.update()

    # ----- geometry
    def _cell_size(self) -> tuple[int, int]:
        metrics = QFontMetrics(self._font)
        widest = max(
            [
                metrics.horizontalAdvance(self.text_at(r, c))
                for r in range(self._values.shape[0])
                for c in range(self._values.shape[1])
            ]
            or [0]
        )
        width = max(self._fixed_cell, widest + 8, 26)
        return width, max(22, metrics.height() + 8)

    def _caption_height(self) -> int:
        return QFontMetrics(self.font()).height() + 4 if self.caption else 0

    def sizeHint(self) -> QSize:
        cell_w, cell_h = self._cell_size()
        rows, cols = self._values.shape
        caption_w = QFontMetrics(self.font()).horizontalAdvance(self.caption) + 4 if self.caption else 0
        return QSize(max(cols * cell_w + 1, caption_w), rows * cell_h + 1 + self._caption_height())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def cell_rect(self, row: int, col: int) -> QRectF:
        cell_w, cell_h = self._cell_size()
        return QRectF(col * cell_w, self._caption_height() + row * cell_h, cell_w, cell_h)

    # ----- painting and the mouse
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.caption:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                QRectF(0, 0, self.width(), self._caption_height()), Qt.AlignLeft | Qt.AlignVCenter, self.caption
            )
        painter.setFont(self._font)
        finite = self._values[np.isfinite(self._values)]
        extent = float(np.abs(finite).max()) if finite.size else 0.0
        rows, cols = self._values.shape
        for row in range(rows):
            for col in range(cols):
                rect = self.cell_rect(row, col)
                value = float(self._values[row, col])
                fill = PADDING_FILL if self._padding[row, col] else tint(value, extent)
                painter.fillRect(rect, fill)
                painter.setPen(QColor(style.BORDER))
                painter.drawRect(rect)
                painter.setPen(QColor(style.MUTED if self._padding[row, col] else style.TEXT))
                painter.drawText(rect, Qt.AlignCenter, self.text_at(row, col))
        painter.setPen(QPen(QColor(style.TEXT), 2.5))
        for row, col in self._marked:
            if 0 <= row < rows and 0 <= col < cols:
                painter.drawRect(self.cell_rect(row, col).adjusted(1, 1, -1, -1))

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The (row, col) under widget position (x, y), None outside the cells."""
        cell_w, cell_h = self._cell_size()
        y -= self._caption_height()
        row, col = int(y // cell_h), int(x // cell_w)
        if y >= 0 and 0 <= row < self._values.shape[0] and 0 <= col < self._values.shape[1]:
            return row, col
        return None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is None:
            self.setToolTip("")
        else:
            value = float(self._values[cell])
            exact = "padding" if math.isnan(value) else f"{value:.6g}".replace("-", "−")
            self.setToolTip(f"row {cell[0]}, column {cell[1]}: {exact}")
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if event.button() == Qt.LeftButton and cell is not None:
            self.cell_clicked.emit(*cell)
        super().mousePressEvent(event)
