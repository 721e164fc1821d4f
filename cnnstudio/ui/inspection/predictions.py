"""The model's top classes for the current input as probability bars. Clicking a class makes it the
class that the class-specific views (Grad-CAM, saliency, …) explain; "Predicted" goes back."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QLabel,
    QToolButton,
    QWidget,
)

from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui.inspection.controls import titled_column
from cnnstudio.ui.widgets.prediction_bars import PredictionBars

ALL_CLASSES_UP_TO = 10  # show every class of small models, the top 5 of larger ones
TOP = 5


def rows_to_show(class_count: int) -> int:
    return class_count if class_count <= ALL_CLASSES_UP_TO else TOP


class PredictionsPanel(QWidget):
    """The bars, and which class the views explain ("predicted" or the one the user chose)."""

    class_chosen = Signal(object)  # an index, or None for "the predicted class"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars = PredictionBars(clickable=True)
        self.bars.class_clicked.connect(self.class_chosen.emit)
        self.target_label = QLabel()
        self.target_label.setProperty("role", "muted")
        self.target_label.setWordWrap(True)
        self.predicted_button = QToolButton()
        self.predicted_button.setText("Predicted")
        self.predicted_button.setToolTip("Explain the predicted class again")
        self.predicted_button.clicked.connect(lambda: self.class_chosen.emit(None))
        layout = titled_column(self, "Predictions", self.predicted_button)
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
