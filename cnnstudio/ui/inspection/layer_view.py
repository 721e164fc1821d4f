"""The base of the views that show one layer at a time (feature maps, filters, the arithmetic): a layer
chooser that the network map and the tab can set too, the controls above the view's body and a status line
under it, and one computation per view on the runner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QWidget

from cnnstudio.ui.inspection.controls import StatusLine, fill_layers, layer_combo, select_quietly
from cnnstudio.ui.inspection.formatting import error_message
from cnnstudio.ui.inspection.view_base import LazyView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.panes import vertical
from cnnstudio.viz.activations import LayerInfo


class LayerView(LazyView):
    """Subclasses lay themselves out with `lay_out`, compute in `layer_changed` (also called when the user
    picks a layer), and call `show_layers` with what came back."""

    layer_selected = Signal(str)
    action = "Computing this view"  # what failed, in the status line's error message

    def __init__(self, runner: TaskRunner, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.wanted_layer = ""  # the layer asked for before the view could show it
        self.layer_combo = layer_combo(tooltip)
        self.status = StatusLine()
        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)

    def controls_row(self, label: str, *widgets: QWidget, combo_stretch: int = 1) -> QHBoxLayout:
        """The row above the view: `label`, the layer chooser, then `widgets` (add more after it)."""
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel(label))
        controls.addWidget(self.layer_combo, combo_stretch)
        for widget in widgets:
            controls.addWidget(widget)
        return controls

    def lay_out(self, controls: QBoxLayout, body: QWidget) -> None:
        vertical(self, [controls, (body, 1), self.status], margins=(8, 8, 8, 8))

    def select_layer(self, name: str) -> bool:
        """Show layer `name` (from the network map); False if the view has no such layer."""
        index = self.layer_combo.findData(name)
        if index < 0:
            return False
        self.layer_combo.setCurrentIndex(index)
        return True

    def current_layer(self) -> str:
        """The layer to compute: the one asked for, else the chosen one ("" for the default)."""
        return self.wanted_layer or self.layer_combo.currentData() or ""

    def submit(self, key: str, function: Callable[[Task], Any], on_done: Callable[[Any], None]) -> None:
        self.runner.submit(function, key=key, on_done=on_done, on_error=self.failed)

    def failed(self, error: Exception) -> None:
        self.status.error(error_message(error, self.action))

    def show_layers(self, layers: list[LayerInfo] | list[str], shown: str) -> None:
        """The computation came back for layer `shown` of `layers` (the choices): list and select them."""
        names = [layer.name if isinstance(layer, LayerInfo) else layer for layer in layers]
        if [self.layer_combo.itemData(i) for i in range(self.layer_combo.count())] != names:
            fill_layers(self.layer_combo, layers, shown)
        select_quietly(self.layer_combo, shown)
        self.wanted_layer = ""
        self.status.info("")
        self.layer_selected.emit(shown)

    def _layer_chosen(self, index: int) -> None:
        self.wanted_layer = self.layer_combo.itemData(index) or ""
        self.layer_changed()

    def layer_changed(self) -> None:
        """Compute the view for `current_layer()` (the user or the tab chose another layer)."""
        raise NotImplementedError
