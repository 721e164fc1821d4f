"""Feature maps: every channel of one layer's output as a tiled grid with a colour map, and one map per
layer as a strip down the whole network.

Hovering a tile shows the channel and the value under the mouse; clicking one enlarges it beside the
input. Tiles can share one colour scale (weak channels look dark) or each use its own (the pattern of
weak channels shows too), be sorted by mean activation, and dead channels (zero everywhere) hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data.pipeline import display_image
from cnnstudio.graph.describe import format_shape
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.ui.inspection.controls import choices, scrolling
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.ui.inspection.image_widgets import ColorBar, ImageCanvas
from cnnstudio.ui.inspection.layer_view import LayerView
from cnnstudio.ui.inspection.maps.layer_strip import STRIP_SIZE, LayerStripView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.featuremaps import LayerMaps, LayerStrip, layer_maps, network_strip

COLORMAPS = ("viridis", "inferno", "magma", "plasma", "turbo", "gray")
SCALINGS = (("Shared scale", "shared"), ("Per-tile scale", "channel"))
SORTS = (("Channel order", "channel"), ("Most active first", "mean"))
TILE_TARGET = 64  # small maps are enlarged to about this many pixels per tile


class FeatureMapsView(LayerView):
    title = "Feature maps"
    action = "Computing the feature maps"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "The layer whose output channels are shown", parent)
        self.maps: LayerMaps | None = None
        self.chosen_channel: int | None = None
        self._layers_of: Classifier | None = None  # the classifier whose layers the chosen channel is of
        self.scaling_combo = choices(
            SCALINGS,
            "Shared: one colour scale for all tiles (weak channels look dark); "
            "per tile: each tile stretched to its own range",
        )
        self.sort_combo = choices(SORTS)
        self.dead_box = QCheckBox("Hide dead")
        self.dead_box.setToolTip("Leave out channels that are zero everywhere for this input")
        self.colormap_combo = QComboBox()
        self.colormap_combo.addItems(COLORMAPS)
        controls = self.controls_row(
            "Layer", self.scaling_combo, self.sort_combo, self.dead_box, self.colormap_combo, combo_stretch=2
        )
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
        strip_scroll = scrolling(self.strip, resizable=False)
        strip_scroll.setFixedHeight(STRIP_SIZE + 44)
        strip_title = QLabel("All layers: the most active channel of each (click one to show it above)")
        strip_title.setProperty("role", "muted")

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(summary_row)
        body_layout.addWidget(splitter, 1)
        body_layout.addWidget(strip_title)
        body_layout.addWidget(strip_scroll)
        self.lay_out(controls, body)

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
        if super().select_layer(name):
            return True
        if self.layer_combo.count():
            return False
        self.wanted_layer = name  # the list is still coming: the layer is chosen when it arrives
        return True

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
        wanted = self.current_layer()
        settings = {
            "sort": self.sort_combo.currentData(),
            "hide_dead": self.dead_box.isChecked(),
            "scaling": self.scaling_combo.currentData(),
            "colormap": self.colormap_combo.currentText(),
        }

        def compute(task: Task) -> LayerMaps:
            return layer_maps(subject.classifier.module, subject.x, wanted, tile_side=TILE_TARGET, **settings)

        self.status.info("Computing…")
        self.submit(self.title, compute, self._show_maps)

    def _compute_strip(self) -> None:
        subject = self.subject

        def compute(task: Task) -> LayerStrip:
            return network_strip(subject.classifier.module, subject.x, size=STRIP_SIZE)

        self.submit(f"{self.title} strip", compute, self._show_strip)

    # ----- showing
    def _show_maps(self, maps: LayerMaps) -> None:
        classifier = self.subject.classifier if self.subject is not None else None
        if self._layers_of is not classifier:
            self.chosen_channel = None
            self._layers_of = classifier
        self.maps = maps
        self.show_layers(maps.layers, maps.layer)
        self.canvas.set_image(maps.view.tiles.image)
        stats = maps.view.stats
        channels, shown = maps.activation.shape[0], len(maps.view.channels)
        info = maps.info
        low, high = stats.value_range
        text = (
            f"<b>{maps.layer}</b> ({info.kind}) · {channels} channel{'s' if channels != 1 else ''} of "
            f"{format_shape(info.shape[1:]) if len(info.shape) == 3 else '1×1'} · values "
            f"{format_value(low)} … {format_value(high)} · {stats.dead_count} dead"
        )
        if shown != channels:
            text += f" ({shown} shown)"
        self.summary.setText(text)
        ranges = maps.view.tiles.ranges
        if self.scaling_combo.currentData() == "shared":
            self.colorbar.set_scale(self.colormap_combo.currentText(), float(ranges[0, 0]), float(ranges[0, 1]))
        else:
            self.colorbar.clear()
        self.strip.set_selected(maps.layer)
        if self.chosen_channel is None:  # start with the most active channel enlarged
            self.chosen_channel = stats.most_active
        self._show_detail()

    def _show_strip(self, strip: LayerStrip) -> None:
        self.strip.set_strip(strip)
        self.strip.set_selected(self.maps.layer if self.maps is not None else "")

    def layer_changed(self) -> None:
        self.chosen_channel = None
        self._compute_maps()

    # ----- hover and the enlarged tile
    def tile_at(self, y: int, x: int) -> tuple[int, int, int] | None:
        """(channel, map row, map column) under grid-image pixel (y, x)."""
        return None if self.maps is None else self.maps.locate(y, x)

    def _hover(self, y: int, x: int) -> None:
        found = self.tile_at(y, x) if y >= 0 else None
        if found is None:
            self.hover_label.setText(" ")
            return
        channel, row, col = found
        value = float(self.maps.activation[channel, row, col])
        low, high = self.maps.tile_range(channel)
        self.hover_label.setText(
            f"channel {channel} · row {row}, column {col} · value {format_value(value)}"
            f"   (this tile's colours span {format_value(low)} … {format_value(high)})"
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
        detail = maps.detail(channel, self.colormap_combo.currentText())
        low, high = detail.value_range
        self.detail_canvas.set_image(detail.picture)
        self.detail_canvas.setToolTip(f"Colours span {format_value(low)} … {format_value(high)}")
        self.detail_title.setText(f"{maps.layer} · channel {channel}")
        self.detail_value.setText(f"mean {format_value(detail.mean)} · max {format_value(detail.maximum)}")
        self.input_canvas.set_image(display_image(subject.x, subject.spec))

    def _detail_hover(self, y: int, x: int) -> None:
        if self.maps is None or self.chosen_channel is None or y < 0:
            return
        value = float(self.maps.activation[self.chosen_channel, y, x])
        self.detail_value.setText(f"channel {self.chosen_channel} · row {y}, column {x} · value {format_value(value)}")
