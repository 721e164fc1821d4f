"""The model's top classes for the current input as probability bars. Clicking a class makes it the
class that the class-specific views (Grad-CAM, saliency, …) explain; "Predicted" goes back."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui import style

ROW_HEIGHT = 21
ALL_CLASSES_UP_TO = 10  # show every class of small models, the top 5 of larger ones
TOP = 5


def rows_to_show(class_count: int) -> int:
    return class_count if class_count <= ALL_CLASSES_UP_TO else TOP


class PredictionBars(QWidget):
    """One row per class: name, bar, percentage. `class_clicked(index)` on a click."""

    class_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.predictions: list[Prediction] = []
        self.target: int | None = None
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Click a class to explain it in the class-specific views")

    def set_predictions(self, predictions: list[Prediction], target: int | None) -> None:
        self.predictions = list(predictions)
        self.target = target
        self.updateGeometry()
        self.update()

    def row_rect(self, row: int) -> QRectF:
        return QRectF(0, row * ROW_HEIGHT, self.width(), ROW_HEIGHT)

    def sizeHint(self) -> QSize:
        return QSize(240, max(1, len(self.predictions)) * ROW_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = QFontMetrics(self.font())
        label_width = min(self.width() * 0.42, 150)
        for row, prediction in enumerate(self.predictions):
            rect = self.row_rect(row)
            chosen = prediction.index == self.target
            if chosen:
                painter.fillRect(rect, QColor("#e8f0fe"))
            painter.setPen(QColor(style.TEXT))
            name = metrics.elidedText(prediction.label, Qt.ElideRight, int(label_width) - 8)
            painter.drawText(rect.adjusted(4, 0, 0, 0), Qt.AlignLeft | Qt.AlignVCenter, name)
            bar_space = rect.width() - label_width - 52
            bar = QRectF(rect.left() + label_width, rect.top() + 6, max(0.0, bar_space), rect.height() - 12)
            painter.fillRect(bar, QColor("#eef1f4"))
            filled = QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(1.0, prediction.prob)), bar.height())
            painter.fillRect(filled, QColor(style.ACCENT if row == 0 else "#8fb3f0"))
            painter.setPen(QColor(style.MUTED))
            painter.drawText(
                QRectF(bar.right() + 4, rect.top(), 48, rect.height()),
                Qt.AlignRight | Qt.AlignVCenter,
                f"{prediction.prob:.1%}",
            )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        row = int(event.position().y() // ROW_HEIGHT)
        if event.button() == Qt.LeftButton and 0 <= row < len(self.predictions):
            self.class_clicked.emit(self.predictions[row].index)
        super().mousePressEvent(event)


class PredictionsPanel(QWidget):
    """The bars, and which class the views explain ("predicted" or the one the user chose)."""

    class_chosen = Signal(object)  # an index, or None for "the predicted class"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars = PredictionBars()
        self.bars.class_clicked.connect(self.class_chosen.emit)
        self.target_label = QLabel()
        self.target_label.setProperty("role", "muted")
        self.target_label.setWordWrap(True)
        self.predicted_button = QToolButton()
        self.predicted_button.setText("Predicted")
        self.predicted_button.setToolTip("Explain the predicted class again")
        self.predicted_button.clicked.connect(lambda: self.class_chosen.emit(None))
        heading = QLabel("Predictions")
        heading.setProperty("role", "heading")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(heading)
        top.addStretch(1)
        top.addWidget(self.predicted_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.bars)
        layout.addWidget(self.target_label)
        self.clear("")

    def clear(self, message: str) -> None:
        self.bars.set_predictions([], None)
        self.target_label.setText(message)
        self.predicted_button.setEnabled(False)

    def show_predictions(self, predictions: list[Prediction], target: int, label: str, chosen: bool) -> None:
        """predictions: most probable first; target: the class explained (`label` its name)."""
        self.bars.set_predictions(predictions, target)
        self.predicted_button.setEnabled(chosen)
        self.target_label.setText(f"Explaining “{label}”" + (" (chosen)" if chosen else " (predicted)"))
