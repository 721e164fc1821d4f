"""Feature maps: every channel of one layer's output as a tiled grid with a colour map, and one map per
layer as a strip down the whole network.

Hovering a tile shows the channel and the value under the mouse; clicking one enlarges it beside the
input. Tiles can share one colour scale (weak channels look dark) or each use its own (the pattern of
weak channels shows too), be sorted by mean activation, and dead channels (zero everywhere) hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data.pipeline import display_image
from cnnstudio.graph.describe import format_shape
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.ui import style
from cnnstudio.ui.inspection.image_widgets import (
    ColorBar,
    ImageCanvas,
    format_value,
)
from cnnstudio.ui.inspection.layers import layers_of
from cnnstudio.ui.inspection.lazy_view import LazyView, StatusLine, error_text
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.activations import LayerInfo, capture
from cnnstudio.viz.featuremaps import (
    FeatureMapView,
    LayerStrip,
    layer_strip,
    render_feature_maps,
)
from cnnstudio.viz.tiles import tile_maps

COLORMAPS = ("viridis", "inferno", "magma", "plasma", "turbo", "gray")
SCALINGS = (("shared", "Shared scale"), ("channel", "Per-tile scale"))
SORTS = (("channel", "Channel order"), ("mean", "Most active first"))
TILE_TARGET = 64  # small maps are enlarged to about this many pixels per tile
STRIP_SIZE = 56


@dataclass(frozen=True)
class LayerMaps:
    """What the worker computed for one layer."""

    layers: list[LayerInfo]
    layer: str
    activation: np.ndarray  # (C, h, w) float32; a vector is (C, 1, 1)
    view: FeatureMapView


def _as_maps(activation: torch.Tensor) -> np.ndarray:
    values = activation.detach().float().cpu()
    if values.dim() == 1:
        values = values.reshape(-1, 1, 1)
    return values.numpy()


def default_layer(layers: list[LayerInfo]) -> str:
    """The first layer with 2-D maps (the first convolution, usually), else the first layer."""
    return next((layer.name for layer in layers if layer.is_spatial), layers[0].name)


class LayerStripView(QWidget):
    """The strip of one map per layer with each layer's name under its map; `layer_clicked(name)`."""

    layer_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strip: LayerStrip | None = None
        self._image = None
        self._selected = ""
        self.setMouseTracking(True)
        self.setCursor(Qt.PointingHandCursor)

    def set_strip(self, strip: LayerStrip | None) -> None:
        self._strip = strip
        self._image = None if strip is None else to_qimage(strip.tiles.image)
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def set_selected(self, name: str) -> None:
        self._selected = name
        self.update()

    def layers(self) -> list[str]:
        return list(self._strip.layers) if self._strip is not None else []

    def _label_height(self) -> int:
        return QFontMetrics(self.font()).height() + 6

    def sizeHint(self) -> QSize:
        if self._strip is None:
            return QSize(200, STRIP_SIZE + self._label_height())
        image = self._strip.tiles.image
        return QSize(image.shape[1], image.shape[0] + self._label_height())

    def tile_rect(self, index: int) -> QRectF:
        tiles = self._strip.tiles
        top, left = tiles.origin(index)
        return QRectF(left, top, tiles.map_width * tiles.scale, tiles.map_height * tiles.scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._strip is None or self._image is None:
            return
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)
        metrics = QFontMetrics(self.font())
        bottom = self._image.height()
        for index, name in enumerate(self._strip.layers):
            rect = self.tile_rect(index)
            if name == self._selected:
                painter.setPen(QPen(QColor(style.ACCENT), 3))
                painter.drawRect(rect.adjusted(-1, -1, 1, 1))
            painter.setPen(QColor(style.TEXT if name == self._selected else style.MUTED))
            label = metrics.elidedText(name, Qt.ElideMiddle, int(rect.width()) + 2)
            painter.drawText(
                QRectF(rect.left() - 2, bottom, rect.width() + 4, self._label_height()),
                Qt.AlignHCenter | Qt.AlignTop,
                label,
            )

    def _index_at(self, x: float) -> int | None:
        if self._strip is None:
            return None
        tiles = self._strip.tiles
        step = tiles.map_width * tiles.scale + tiles.padding
        index = int((x - tiles.padding) // step)
        return index if 0 <= index < len(self._strip.layers) else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().x())
        if index is not None:
            channel = self._strip.channels[index]
            shown = "the whole vector" if channel < 0 else f"its most active channel ({channel})"
            self.setToolTip(f"{self._strip.layers[index]}: {shown}")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().x())
        if event.button() == Qt.LeftButton and index is not None:
            self.layer_clicked.emit(self._strip.layers[index])


class FeatureMapsView(LazyView):
    title = "Feature maps"
    layer_selected = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.maps: LayerMaps | None = None
        self.chosen_channel: int | None = None
        self._layers_of: Classifier | None = None  # the classifier the layer list belongs to
        self._wanted_layer = ""

        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumContentsLength(14)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip("The layer whose output channels are shown")
        self.scaling_combo = QComboBox()
        self.sort_combo = QComboBox()
        self.scaling_combo.setToolTip(
            "Shared: one colour scale for all tiles (weak channels look dark); "
            "per tile: each tile stretched to its own range"
        )
        for combo, items in ((self.scaling_combo, SCALINGS), (self.sort_combo, SORTS)):
            for value, text in items:
                combo.addItem(text, value)
        self.dead_box = QCheckBox("Hide dead")
        self.dead_box.setToolTip("Leave out channels that are zero everywhere for this input")
        self.colormap_combo = QComboBox()
        self.colormap_combo.addItems(COLORMAPS)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("Layer"))
        controls.addWidget(self.layer_combo, 2)
        for widget in (self.scaling_combo, self.sort_combo, self.dead_box, self.colormap_combo):
            controls.addWidget(widget)
        controls.addStretch(1)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.colorbar = ColorBar()
        self.colorbar.setFixedWidth(220)
        summary_row = QHBoxLayout()
        summary_row.setContentsMargins(0, 0, 0, 0)
        summary_row.addWidget(self.summary, 1)
        summary_row.addWidget(self.colorbar)

        self.canvas = ImageCanvas("Feature maps appear here once a model and an input are chosen")
        self.hover_label = QLabel(" ")
        self.hover_label.setProperty("role", "muted")
        self.status = StatusLine()

        self.detail_title = QLabel("Click a tile to enlarge it")
        self.detail_title.setProperty("role", "heading")
        self.detail_title.setWordWrap(True)
        self.detail_canvas = ImageCanvas("", minimum=140, preferred=180)
        self.detail_value = QLabel(" ")
        self.detail_value.setProperty("role", "muted")
        self.input_canvas = ImageCanvas("", minimum=140, preferred=180)
        input_title = QLabel("The input")
        input_title.setProperty("role", "muted")
        detail = QFrame()
        detail.setProperty("role", "card")
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.detail_title)
        detail_layout.addWidget(self.detail_canvas, 1)
        detail_layout.addWidget(self.detail_value)
        detail_layout.addWidget(input_title)
        detail_layout.addWidget(self.input_canvas, 1)
        detail.setMinimumWidth(200)

        grid_side = QWidget()
        grid_layout = QVBoxLayout(grid_side)
        grid_layout.setContentsMargins(0, 0, 0, 0)
        grid_layout.addWidget(self.canvas, 1)
        grid_layout.addWidget(self.hover_label)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(grid_side)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 240])

        self.strip = LayerStripView()
        strip_scroll = QScrollArea()
        strip_scroll.setWidget(self.strip)
        strip_scroll.setWidgetResizable(False)
        strip_scroll.setFixedHeight(STRIP_SIZE + 44)
        strip_scroll.setFrameShape(QFrame.NoFrame)
        strip_title = QLabel("All layers: the most active channel of each (click one to show it above)")
        strip_title.setProperty("role", "muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(controls)
        layout.addLayout(summary_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(strip_title)
        layout.addWidget(strip_scroll)

        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)
        for combo in (self.scaling_combo, self.sort_combo, self.colormap_combo):
            combo.currentIndexChanged.connect(lambda index: self._compute_maps())
        self.dead_box.toggled.connect(lambda checked: self._compute_maps())
        self.canvas.hovered.connect(self._hover)
        self.canvas.clicked.connect(self._tile_clicked)
        self.detail_canvas.hovered.connect(self._detail_hover)
        self.strip.layer_clicked.connect(self.select_layer)

    # ----- the tab's requests
    def select_layer(self, name: str) -> bool:
        """Show layer `name` (from the network map or the strip); False if this model has no such layer."""
        self._wanted_layer = name
        index = self.layer_combo.findData(name)
        if index >= 0:
            self.layer_combo.setCurrentIndex(index)
            return True
        return self.layer_combo.count() == 0  # the list is still coming: the layer is chosen when it arrives

    def current_layer(self) -> str:
        return self.layer_combo.currentData() or ""

    def refresh(self) -> None:
        if self.subject is None:
            self.runner.cancel(self.title)
            self.canvas.set_image(None)
            self.strip.set_strip(None)
            self.summary.clear()
            self.colorbar.clear()
            self.status.info("")
            return
        if self._layers_of is not self.subject.classifier:
            self._layers_of = None
        self._compute_maps()
        self._compute_strip()

    # ----- computing
    def _compute_maps(self) -> None:
        subject = self.subject
        if subject is None:
            return
        wanted = self._wanted_layer or self.current_layer()
        settings = {
            "sort": self.sort_combo.currentData(),
            "hide_dead": self.dead_box.isChecked(),
            "scaling": self.scaling_combo.currentData(),
            "colormap": self.colormap_combo.currentText(),
        }

        def compute(task: Task) -> LayerMaps:
            layers = layers_of(subject.classifier)
            names = [layer.name for layer in layers]
            layer = wanted if wanted in names else default_layer(layers)
            activation = capture(subject.classifier.module, subject.x, [layer])[layer][0]
            maps = _as_maps(activation)
            side = max(maps.shape[1:])
            view = render_feature_maps(activation, scale=max(1, TILE_TARGET // side), **settings)
            return LayerMaps(layers, layer, maps, view)

        self.status.info("Computing…")
        self.runner.submit(compute, key=self.title, on_done=self._show_maps, on_error=self._failed)

    def _compute_strip(self) -> None:
        subject = self.subject

        def compute(task: Task) -> LayerStrip:
            names = [layer.name for layer in layers_of(subject.classifier)]
            return layer_strip(capture(subject.classifier.module, subject.x, names), size=STRIP_SIZE)

        self.runner.submit(compute, key=f"{self.title} strip", on_done=self._show_strip, on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.status.error(error_text(error))

    # ----- showing
    def _show_maps(self, maps: LayerMaps) -> None:
        classifier = self.subject.classifier if self.subject is not None else None
        if self._layers_of is not classifier:
            self._fill_layers(maps.layers)
            self._layers_of = classifier
        self.maps = maps
        self._wanted_layer = ""
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(self.layer_combo.findData(maps.layer))
        self.layer_combo.blockSignals(False)
        self.canvas.set_image(maps.view.tiles.image)
        stats = maps.view.stats
        channels, shown = maps.activation.shape[0], len(maps.view.channels)
        info = next(layer for layer in maps.layers if layer.name == maps.layer)
        dead = int(stats.dead.sum())
        text = (
            f"<b>{maps.layer}</b> ({info.kind}) · {channels} channel{'s' if channels != 1 else ''} of "
            f"{format_shape(info.shape[1:]) if len(info.shape) == 3 else '1×1'} · values "
            f"{format_value(float(stats.minimum.min()))} … {format_value(float(stats.maximum.max()))}"
            f" · {dead} dead"
        )
        if shown != channels:
            text += f" ({shown} shown)"
        self.summary.setText(text)
        ranges = maps.view.tiles.ranges
        if self.scaling_combo.currentData() == "shared":
            self.colorbar.set_scale(self.colormap_combo.currentText(), float(ranges[0, 0]), float(ranges[0, 1]))
        else:
            self.colorbar.clear()
        self.status.info("")
        self.strip.set_selected(maps.layer)
        self.layer_selected.emit(maps.layer)
        if self.chosen_channel is None:  # start with the most active channel enlarged
            self.chosen_channel = int(np.argmax(stats.mean))
        self._show_detail()

    def _show_strip(self, strip: LayerStrip) -> None:
        self.strip.set_strip(strip)
        self.strip.set_selected(self.maps.layer if self.maps is not None else "")

    def _fill_layers(self, layers: list[LayerInfo]) -> None:
        self.layer_combo.blockSignals(True)
        self.layer_combo.clear()
        for layer in layers:
            self.layer_combo.addItem(f"{layer.name}  ·  {layer.kind} {format_shape(layer.shape)}", layer.name)
        self.layer_combo.blockSignals(False)
        self.chosen_channel = None

    def _layer_chosen(self, index: int) -> None:
        self._wanted_layer = self.layer_combo.itemData(index) or ""
        self.chosen_channel = None
        self._compute_maps()

    # ----- hover and the enlarged tile
    def tile_at(self, y: int, x: int) -> tuple[int, int, int] | None:
        """(channel, map row, map column) under grid-image pixel (y, x)."""
        if self.maps is None:
            return None
        located = self.maps.view.tiles.locate(y, x)
        if located is None:
            return None
        index, row, col = located
        return int(self.maps.view.channels[index]), row, col

    def _hover(self, y: int, x: int) -> None:
        found = self.tile_at(y, x) if y >= 0 else None
        if found is None:
            self.hover_label.setText(" ")
            return
        channel, row, col = found
        value = float(self.maps.activation[channel, row, col])
        low, high = self.maps.view.tiles.ranges[list(self.maps.view.channels).index(channel)]
        self.hover_label.setText(
            f"channel {channel} · row {row}, column {col} · value {format_value(value)}"
            f"   (this tile's colours span {format_value(float(low))} … "
            f"{format_value(float(high))})"
        )

    def _tile_clicked(self, y: int, x: int) -> None:
        found = self.tile_at(y, x)
        if found is not None:
            self.chosen_channel = found[0]
            self._show_detail()

    def _show_detail(self) -> None:
        maps, subject = self.maps, self.subject
        if (
            maps is None
            or subject is None
            or self.chosen_channel is None
            or self.chosen_channel >= maps.activation.shape[0]
        ):
            self.detail_title.setText("Click a tile to enlarge it")
            self.detail_canvas.set_image(None)
            self.detail_value.setText(" ")
            self.input_canvas.set_image(display_image(subject.x, subject.spec) if subject is not None else None)
            return
        channel = self.chosen_channel
        plane = maps.activation[channel]
        order = list(maps.view.channels)
        ranges = maps.view.tiles.ranges
        low, high = ranges[order.index(channel)] if channel in order else (plane.min(), plane.max())
        picture = tile_maps(
            plane[None], scaling=(float(low), float(high)), colormap=self.colormap_combo.currentText(), padding=0
        ).image
        self.detail_canvas.set_image(picture)
        self.detail_canvas.setToolTip(f"Colours span {format_value(float(low))} … {format_value(float(high))}")
        stats = maps.view.stats
        self.detail_title.setText(f"{maps.layer} · channel {channel}")
        self.detail_value.setText(
            f"mean {format_value(float(stats.mean[channel]))} · max {format_value(float(stats.maximum[channel]))}"
        )
        self.input_canvas.set_image(display_image(subject.x, subject.spec))

    def _detail_hover(self, y: int, x: int) -> None:
        if self.maps is None or self.chosen_channel is None or y < 0:
            return
        value = float(self.maps.activation[self.chosen_channel, y, x])
        self.detail_value.setText(f"channel {self.chosen_channel} · row {y}, column {x} · value {format_value(value)}")
