"""The layer palette: the catalog grouped by category, a search box, a tooltip per layer.

Drag a layer onto the canvas to place it there; double-click it to append it after the selected
layer. The drag is done inside the window (not with the platform's drag and drop), so it behaves the
same on every platform and can be driven by tests: on release, the widget under the cursor is asked
to take the layer if it has an `accept_layer_drop(layer_type, pos)` method. While dragging, the cursor
is a closed hand over such a widget and the no-drop cursor elsewhere; a drop elsewhere says where to drop.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.graph.catalog import LayerSpec, layers_by_category
from cnnstudio.graph.params import format_value
from cnnstudio.ui import style

LAYER_ROLE = Qt.UserRole + 1
SEARCH_ROLE = Qt.UserRole + 2


def layer_tooltip(spec: LayerSpec) -> str:
    """What the layer does and its parameters, as rich text."""
    lines = [
        f"<b>{escape(spec.type)}</b> <span style='color:{style.MUTED}'>({escape(spec.category)})</span>",
        escape(spec.description),
    ]
    if spec.torch_name:
        lines.append(f"<span style='color:{style.MUTED}'>PyTorch: <code>{escape(spec.torch_name)}</code></span>")
    if spec.params:
        rows = []
        for param in spec.params:
            limits = ""
            if param.minimum is not None or param.maximum is not None:
                low = "" if param.minimum is None else f"{param.minimum:g}"
                high = "" if param.maximum is None else f"{param.maximum:g}"
                limits = f" [{low}…{high}]"
            rows.append(
                f"<code>{escape(param.name)}</code> = {escape(format_value(param.default))}"
                f"{escape(limits)} — {escape(param.help)}"
            )
        lines.append("<br>".join(rows))
    if spec.is_merge:
        lines.append("Takes two or more inputs, in the order they are connected.")
    return "<br>".join(lines)


class LayerTree(QTreeWidget):
    """The tree of layers; starts an in-window drag of a layer and drops it on the widget under the cursor.

    `layer_activated(type)` on a double-click, `drop_refused(message)` when a layer is dropped where nothing
    takes it."""

    layer_activated = Signal(str)
    drop_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setIndentation(12)
        self.setRootIsDecorated(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setMouseTracking(True)
        self.itemDoubleClicked.connect(self._double_clicked)
        self._press: tuple[str, QPoint] | None = None
        self._ghost: QLabel | None = None
        for category, specs in layers_by_category().items():
            if not specs:
                continue
            group = QTreeWidgetItem(self, [category])
            font = group.font(0)
            font.setWeight(font.Weight.DemiBold)
            group.setFont(0, font)
            group.setForeground(0, QColor(style.MUTED))
            group.setFlags(Qt.ItemIsEnabled)
            for spec in specs:
                item = QTreeWidgetItem(group, [spec.type])
                item.setData(0, LAYER_ROLE, spec.type)
                item.setData(0, SEARCH_ROLE, f"{spec.type} {spec.category} {spec.description}".lower())
                item.setToolTip(0, layer_tooltip(spec))
                item.setIcon(0, style.color_swatch(style.category_color(spec.category)))
            group.setExpanded(True)

    def layer_items(self) -> dict[str, QTreeWidgetItem]:
        items = {}
        for index in range(self.topLevelItemCount()):
            group = self.topLevelItem(index)
            for child in range(group.childCount()):
                item = group.child(child)
                items[item.data(0, LAYER_ROLE)] = item
        return items

    def _double_clicked(self, item: QTreeWidgetItem) -> None:
        layer_type = item.data(0, LAYER_ROLE)
        if layer_type:
            self.layer_activated.emit(layer_type)

    # ----- the in-window drag
    def mousePressEvent(self, event: QMouseEvent) -> None:
        super().mousePressEvent(event)
        item = self.itemAt(event.position().toPoint())
        layer_type = item.data(0, LAYER_ROLE) if item is not None else None
        self._press = (
            (layer_type, event.position().toPoint()) if layer_type and event.button() == Qt.LeftButton else None
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.LeftButton:
            super().mouseMoveEvent(event)
            return
        layer_type, start = self._press
        position = event.position().toPoint()
        if self._ghost is None and (position - start).manhattanLength() >= QApplication.startDragDistance():
            self._ghost = self._make_ghost(layer_type)
        if self._ghost is not None:
            window_pos = self.viewport().mapTo(self.window(), position)
            self._ghost.move(window_pos + QPoint(12, 8))
            shape = Qt.ClosedHandCursor if self._target(window_pos) is not None else Qt.ForbiddenCursor
            QApplication.changeOverrideCursor(shape)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._ghost is not None and self._press is not None:
            layer_type = self._press[0]
            self._end_drag()
            self._drop(layer_type, self.viewport().mapTo(self.window(), event.position().toPoint()))
            event.accept()
            return
        self._press = None
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Escape and self._ghost is not None:
            self._end_drag()
            return
        super().keyPressEvent(event)

    def _make_ghost(self, layer_type: str) -> QLabel:
        ghost = QLabel(layer_type, self.window())
        ghost.setAttribute(Qt.WA_TransparentForMouseEvents)
        ghost.setStyleSheet(
            f"background: #ffffff; border: 1px solid {style.ACCENT}; border-radius: 5px;"
            f"padding: 4px 10px; color: {style.TEXT}; font-weight: 600;"
        )
        ghost.adjustSize()
        ghost.show()
        ghost.raise_()
        QApplication.setOverrideCursor(Qt.ForbiddenCursor)  # the drag starts over the palette
        return ghost

    def _end_drag(self) -> None:
        """However the drag ends: no ghost, the usual cursor, and no layer left highlighted in the palette."""
        if self._ghost is not None:
            self._ghost.deleteLater()
            QApplication.restoreOverrideCursor()
        self._ghost = None
        self._press = None
        self.clearSelection()
        self.setCurrentItem(None)

    def _target(self, window_pos: QPoint) -> QWidget | None:
        """The widget at `window_pos` that takes a dropped layer (None: nothing there does)."""
        widget = self.window().childAt(window_pos)
        while widget is not None and not hasattr(widget, "accept_layer_drop"):
            widget = widget.parentWidget()
        return widget

    def _drop(self, layer_type: str, window_pos: QPoint) -> None:
        target = self._target(window_pos)
        if target is None:
            self.drop_refused.emit(f"{layer_type} was not added: drop a layer on the canvas to place it there")
            return
        target.accept_layer_drop(layer_type, target.mapFrom(self.window(), window_pos))


class Palette(QWidget):
    """Search box + layer tree."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers…", clearButtonEnabled=True)
        self.search.setObjectName("search")
        self.tree = LayerTree()
        hint = QLabel("Drag a layer onto the canvas, or double-click it to append it after the selected layer.")
        hint.setProperty("role", "muted")
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(hint)
        self.search.textChanged.connect(self.filter)

    def filter(self, text: str) -> None:
        """Show the layers whose name, category or description contains `text`."""
        needle = text.strip().lower()
        for index in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(index)
            any_visible = False
            for child in range(group.childCount()):
                item = group.child(child)
                visible = not needle or needle in item.data(0, SEARCH_ROLE)
                item.setHidden(not visible)
                any_visible |= visible
            group.setHidden(not any_visible)
            group.setExpanded(True)
