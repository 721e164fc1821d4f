"""A small copy of the network beside the views: every inspectable layer in order, coloured by its
kind as in the Designer, with its output shape. Clicking a layer shows it in the current view."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from cnnstudio.graph.catalog import COMBINATION, layer_spec
from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style
from cnnstudio.viz.activations import LayerInfo

NAME_ROLE = Qt.UserRole + 1
_FUNCTION_CATEGORIES = {"add": COMBINATION, "cat": COMBINATION, "mul": COMBINATION}


def layer_color(kind: str) -> QColor:
    """The Designer's category colour of a layer kind ("Conv2d", "ReLU6", "add" …)."""
    spec = layer_spec(kind)
    return style.category_color(spec.category if spec is not None else _FUNCTION_CATEGORIES.get(kind))


class NetworkMap(QListWidget):
    """`layer_clicked(name)` when the user picks a layer; `select_layer(name)` follows the views."""

    layer_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(12, 12))
        self.setSpacing(1)
        self.setToolTip("The network's layers and their output shapes; click one to look at it")
        self.itemClicked.connect(lambda item: self.layer_clicked.emit(item.data(NAME_ROLE)))
        self._icons: dict[str, QIcon] = {}

    def set_layers(self, layers: list[LayerInfo]) -> None:
        self.clear()
        for layer in layers:
            item = QListWidgetItem(f"{layer.name}\n{layer.kind} · {format_shape(layer.shape)}")
            item.setData(NAME_ROLE, layer.name)
            item.setToolTip(f"{layer.name}: {layer.kind}, output {format_shape(layer.shape)}")
            item.setIcon(self._icon(layer.kind))
            self.addItem(item)

    def layer_names(self) -> list[str]:
        return [self.item(row).data(NAME_ROLE) for row in range(self.count())]

    def select_layer(self, name: str) -> None:
        """Highlight `name` (without emitting layer_clicked) and scroll to it."""
        for row in range(self.count()):
            item = self.item(row)
            if item.data(NAME_ROLE) == name:
                self.setCurrentItem(item)
                self.scrollToItem(item)
                return
        self.clearSelection()

    def _icon(self, kind: str) -> QIcon:
        if kind not in self._icons:
            self._icons[kind] = style.color_swatch(layer_color(kind))
        return self._icons[kind]
