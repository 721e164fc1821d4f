"""Live feature maps: the most active channels of a chosen layer for the newest frame (deepvis style)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnstudio.ui.webcam.views import ImageView
from cnnstudio.ui.widgets.eliding_combo import ElidingComboBox
from cnnstudio.viz.live import Extras, LiveModel

NONE = "(off)"


class FeaturePanel(QWidget):
    """layer_changed(name or None) when the user picks a layer."""

    layer_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.layer = ElidingComboBox(24, Qt.ElideMiddle)
        self.view = ImageView("The feature maps of the chosen layer appear here while the model classifies.")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setProperty("role", "muted")
        row = QHBoxLayout()
        row.addWidget(QLabel("Layer:"))
        row.addWidget(self.layer, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.caption)
        self.layer.currentIndexChanged.connect(self._layer_chosen)
        self.set_model(None)

    def set_model(self, model: LiveModel | None) -> None:
        """List the model's layers and choose its default (mid-level) one."""
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItem(NONE, None)
        for name in model.layers if model is not None else []:
            self.layer.addItem(name, name)
        if model is not None and model.feature_layer:
            self.layer.setCurrentIndex(self.layer.findData(model.feature_layer))
        self.layer.blockSignals(False)
        self.layer.setToolTip(self.layer.currentText())  # its signals were blocked
        self.view.set_image(None)
        self.caption.setText(
            "" if model is None or model.layers else f"{model.title} has no layer with 2-D feature maps."
        )

    def _layer_chosen(self) -> None:
        self.layer_changed.emit(self.current_layer())

    def current_layer(self) -> str | None:
        return self.layer.currentData()

    def show_extras(self, extras: Extras | None) -> None:
        if extras is None or extras.features is None:
            if self.current_layer() is None:
                self.view.set_image(None)
                self.caption.setText("")
            return
        self.view.set_image(extras.features)
        self.caption.setText(extras.caption)
