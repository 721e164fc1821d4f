"""A model's most probable classes as labelled bars, most probable first (Inspect and Webcam tabs)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui import style

ROW_HEIGHT = 24
PERCENT_WIDTH = 56


class PredictionBars(QWidget):
    """One row per class: name, bar, percentage.

    rows: a fixed number of rows (their empty tracks keep the layout still while a live view updates), or
    None for as many rows as there are predictions. clickable: a click on a row emits
    `class_clicked(index)`, and `target`'s row is highlighted. Names that do not fit are elided, the
    whole name shows as a tooltip.
    """

    class_clicked = Signal(int)

    def __init__(self, rows: int | None = None, *, clickable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.predictions: list[Prediction] = []
        self.target: int | None = None
        self.rows = rows
        self.clickable = clickable
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMinimumWidth(200)
        if clickable:
            self.setCursor(Qt.PointingHandCursor)
            self.setToolTip("Click a class to explain it in the class-specific views")
        self._resize()

    def set_rows(self, rows: int | None) -> None:
        """Show this many rows (None: one per prediction)."""
        self.rows = rows if rows is None else max(1, rows)
        self._resize()

    def set_predictions(self, predictions: list[Prediction], target: int | None = None) -> None:
        self.predictions = list(predictions if self.rows is None else predictions[: self.rows])
        self.target = target
        self._resize()

    def labels(self) -> list[str]:
        return [prediction.label for prediction in self.predictions]

    def row_count(self) -> int:
        return max(1, len(self.predictions)) if self.rows is None else self.rows

    def row_rect(self, row: int) -> QRectF:
        return QRectF(0, 2 + row * ROW_HEIGHT, self.width(), ROW_HEIGHT)

    def row_at(self, y: float) -> int | None:
        row = int((y - 2) // ROW_HEIGHT)
        return row if 0 <= row < len(self.predictions) else None

    def sizeHint(self) -> QSize:
        return QSize(360, self.row_count() * ROW_HEIGHT + 4)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self.row_count() * ROW_HEIGHT + 4)

    def _resize(self) -> None:
        self.setFixedHeight(self.row_count() * ROW_HEIGHT + 4)
        self.updateGeometry()
        self.update()

    def _label_width(self) -> int:
        return min(220, int(self.width() * 0.4))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        label_width = self._label_width()
        bar_left = label_width + 8
        bar_width = max(10, self.width() - bar_left - PERCENT_WIDTH - 4)
        for row in range(self.row_count()):
            rect = self.row_rect(row)
            prediction = self.predictions[row] if row < len(self.predictions) else None
            if prediction is not None and self.clickable and prediction.index == self.target:
                painter.fillRect(rect, QColor("#e8f0fe"))
            track = QRectF(bar_left, rect.top() + 5, bar_width, ROW_HEIGHT - 10)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor("#e8ebef"))
            painter.drawRoundedRect(track, 3, 3)
            if prediction is None:
                continue
            share = max(0.0, min(1.0, prediction.prob))
            painter.setBrush(QColor(style.ACCENT if row == 0 else "#7aa7e8"))
            painter.drawRoundedRect(QRectF(track.x(), track.y(), max(2.0, track.width() * share), track.height()), 3, 3)
            font = QFont(self.font())
            font.setBold(row == 0)
            painter.setFont(font)
            painter.setPen(QColor(style.TEXT))
            label = painter.fontMetrics().elidedText(prediction.label, Qt.ElideRight, label_width - 6)
            painter.drawText(QRectF(4, rect.top(), label_width - 4, ROW_HEIGHT), Qt.AlignVCenter | Qt.AlignLeft, label)
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                QRectF(self.width() - PERCENT_WIDTH, rect.top(), PERCENT_WIDTH - 2, ROW_HEIGHT),
                Qt.AlignVCenter | Qt.AlignRight,
                f"{prediction.prob:.1%}",
            )

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos().y())
            if row is not None:
                prediction = self.predictions[row]
                QToolTip.showText(event.globalPos(), f"{prediction.label}: {prediction.prob:.2%}", self)
                return True
        return super().event(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = self.row_at(event.position().y())
        if self.clickable and event.button() == Qt.LeftButton and row is not None:
            self.class_clicked.emit(self.predictions[row].index)
        super().mousePressEvent(event)
