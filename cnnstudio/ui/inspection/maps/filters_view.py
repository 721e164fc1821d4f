"""Filters and weights: a convolution's kernels as pictures (a first layer on colour input as RGB
patches, deeper layers one small map per output × input channel on a signed scale), and a histogram of
every weight tensor, with how much each changed since the previous model (e.g. the previous epoch's
checkpoint while a network trains)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style
from cnnstudio.ui.inspection.image_widgets import ColorBar, ImageCanvas, format_value
from cnnstudio.ui.inspection.lazy_view import LazyView, StatusLine, error_text
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.filters import KernelView, conv_layers, kernels_of, render_kernels
from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.tiles import tile_maps
from cnnstudio.viz.weightstats import (
    Histogram,
    WeightChange,
    compare_weights,
    histogram,
    snapshot,
)

SCALINGS = (("symmetric", "Shared scale"), ("channel", "Per-kernel scale"))
KERNEL_TARGET = 36  # kernels are enlarged to about this many pixels
BINS = 50
COLUMNS = ("Tensor", "Shape", "Change")


@dataclass(frozen=True)
class Kernels:
    layers: list[str]
    layer: str
    weight: np.ndarray  # (out, in, kh, kw) of the kernels shown
    view: KernelView
    total: tuple[int, int]  # the layer's (output, input per group) channels, shown or not


@dataclass(frozen=True)
class TensorStats:
    name: str
    shape: tuple[int, ...]
    mean: float
    std: float
    histogram: Histogram


@dataclass(frozen=True)
class Weights:
    """A model's weight tensors, and how they changed since the previous model (when it had the same ones)."""

    snapshot: dict[str, torch.Tensor]
    stats: list[TensorStats]
    changes: dict[str, WeightChange]
    compared_with: str  # the previous model's title ("" when there is no comparison)


def weight_summary(module: torch.nn.Module, previous: dict[str, torch.Tensor] | None, previous_title: str) -> Weights:
    current = snapshot(module)
    stats = [
        TensorStats(
            name,
            tuple(tensor.shape),
            float(tensor.float().mean()),
            float(tensor.float().std()) if tensor.numel() > 1 else 0.0,
            histogram(tensor, BINS),
        )
        for name, tensor in current.items()
        if tensor.numel()
    ]
    changes, compared_with = {}, ""
    if previous is not None:
        try:
            changes = {change.name: change for change in compare_weights(previous, current, bins=BINS)}
            compared_with = previous_title if changes else ""
        except InspectError:  # a different network: nothing to compare with
            changes = {}
    return Weights(current, stats, changes, compared_with)


class FiltersView(LazyView):
    title = "Filters"
    layer_selected = Signal(str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.kernels: Kernels | None = None
        self.weights: Weights | None = None
        self._weights_of: object | None = None  # the classifier `weights` describes
        self._wanted_layer = ""
        self._selected_tensor = ""

        self.layer_combo = QComboBox()
        self.layer_combo.setMinimumContentsLength(14)
        self.layer_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.layer_combo.setToolTip("The convolution whose kernels are shown")
        self.scaling_combo = QComboBox()
        for value, text in SCALINGS:
            self.scaling_combo.addItem(text, value)
        self.colorbar = ColorBar()
        self.colorbar.setFixedWidth(220)
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("Convolution"))
        controls.addWidget(self.layer_combo, 1)
        controls.addWidget(self.scaling_combo)
        controls.addStretch(1)
        controls.addWidget(self.colorbar)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.canvas = ImageCanvas("The kernels of the model's convolutions appear here")
        self.hover_label = QLabel(" ")
        self.hover_label.setProperty("role", "muted")
        kernels_side = QWidget()
        kernels_layout = QVBoxLayout(kernels_side)
        kernels_layout.setContentsMargins(0, 0, 0, 0)
        kernels_layout.addWidget(self.summary)
        kernels_layout.addWidget(self.canvas, 1)
        kernels_layout.addWidget(self.hover_label)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._tensor_chosen)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(170)
        self.plot.setMaximumHeight(280)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTextPen(style.MUTED)
            self.plot.getAxis(axis).setPen(style.BORDER)
        self.plot.setLabel("left", "count")
        self.before_curve = self.plot.plot([0, 1], [0], stepMode="center", pen=pg.mkPen("#8c959f", width=1.5))
        self.after_curve = self.plot.plot(
            [0, 1], [0], stepMode="center", fillLevel=0, brush=(31, 111, 235, 90), pen=pg.mkPen(style.ACCENT, width=1.5)
        )
        self.histogram_title = QLabel()
        self.histogram_title.setWordWrap(True)
        self.change_label = QLabel()
        self.change_label.setWordWrap(True)
        self.change_label.setProperty("role", "muted")
        weights_side = QWidget()
        weights_layout = QVBoxLayout(weights_side)
        weights_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Weights")
        heading.setProperty("role", "heading")
        weights_layout.addWidget(heading)
        weights_layout.addWidget(self.change_label)
        weights_layout.addWidget(self.table, 1)
        weights_layout.addWidget(self.histogram_title)
        weights_layout.addWidget(self.plot)

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(kernels_side)
        splitter.addWidget(weights_side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([500, 440])
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.layer_combo.currentIndexChanged.connect(self._layer_chosen)
        self.scaling_combo.currentIndexChanged.connect(lambda index: self._compute_kernels())
        self.canvas.hovered.connect(self._hover)

    # ----- the tab's requests
    def set_subject(self, subject: InspectSubject | None) -> None:
        if subject is not None and subject.classifier is not self._weights_of:
            self._summarize_weights(subject)
        super().set_subject(subject)

    def select_layer(self, name: str) -> bool:
        """Show the kernels of convolution `name` (a design's node id or a module path)."""
        index = self.layer_combo.findData(name)
        if index < 0:
            return False
        self.layer_combo.setCurrentIndex(index)
        return True

    def refresh(self) -> None:
        if self.subject is None:
            self.runner.cancel(self.title)
            self.canvas.set_image(None)
            self.colorbar.clear()
            self.summary.clear()
            self.status.info("")
            return
        self._compute_kernels()

    # ----- kernels
    def _compute_kernels(self) -> None:
        subject = self.subject
        if subject is None:
            return
        wanted, scaling = self._wanted_layer or self.layer_combo.currentData() or "", self.scaling_combo.currentData()

        def compute(task: Task) -> Kernels:
            module = subject.classifier.module
            layers = conv_layers(module)
            if not layers:
                raise InspectError("This model has no convolution layers, so it has no kernels to show.")
            layer = wanted if wanted in layers else layers[0]
            weight = kernels_of(module, layer)
            scale = max(2, KERNEL_TARGET // max(weight.shape[2:]))
            view = render_kernels(weight, scaling=scaling, scale=scale)
            if not view.rgb and view.inputs == 1:  # one input channel: a square grid, not a single column
                tiles = tile_maps(weight[: view.outputs, 0], scaling=scaling, colormap="diverging", scale=scale)
                view = KernelView(tiles, False, view.outputs, 1, view.value_range)
            shown = weight[: view.outputs, : 3 if view.rgb else view.inputs].float().cpu().numpy()
            return Kernels(layers, layer, shown, view, (int(weight.shape[0]), int(weight.shape[1])))

        self.status.info("Computing…")
        self.runner.submit(compute, key=self.title, on_done=self._show_kernels, on_error=self._failed)

    def _failed(self, error: Exception) -> None:
        self.status.error(error_text(error))

    def _show_kernels(self, kernels: Kernels) -> None:
        if [self.layer_combo.itemData(i) for i in range(self.layer_combo.count())] != kernels.layers:
            self.layer_combo.blockSignals(True)
            self.layer_combo.clear()
            for name in kernels.layers:
                self.layer_combo.addItem(name, name)
            self.layer_combo.blockSignals(False)
        self.layer_combo.blockSignals(True)
        self.layer_combo.setCurrentIndex(self.layer_combo.findData(kernels.layer))
        self.layer_combo.blockSignals(False)
        self._wanted_layer = ""
        self.kernels = kernels
        view = kernels.view
        self.canvas.set_image(view.tiles.image)
        low, high = view.value_range
        size = format_shape(kernels.weight.shape[2:])
        outputs, inputs = kernels.total
        outputs_text = f"{view.outputs} of {outputs}" if view.outputs < outputs else f"{outputs}"
        if view.rgb:
            self.summary.setText(
                f"<b>{kernels.layer}</b>: {outputs_text} kernels of {size} over the red, green and "
                "blue input, as colour patches (grey = 0; brighter colour = larger weight of that "
                "colour)"
            )
        elif view.inputs == 1:
            self.summary.setText(
                f"<b>{kernels.layer}</b>: {outputs_text} kernels of {size}, one per output "
                "channel (blue negative, red positive)"
            )
        else:
            inputs_text = f"{view.inputs} of {inputs}" if view.inputs < inputs else f"{inputs}"
            self.summary.setText(
                f"<b>{kernels.layer}</b>: kernels of {size}; rows are {outputs_text} output "
                f"channels, columns {inputs_text} input channels (blue negative, red positive)"
            )
        if view.rgb or self.scaling_combo.currentData() == "channel":
            self.colorbar.clear()  # colour patches, or one scale per kernel: no single scale to show
        else:
            self.colorbar.set_scale("diverging", low, high)
        self.status.info("")
        self.layer_selected.emit(kernels.layer)
        self._select_tensor(f"{kernels.layer}.weight")

    def kernel_at(self, y: int, x: int) -> tuple[int, int | None, int, int] | None:
        """(output channel, input channel or None for an RGB patch, row, column) under picture pixel (y, x)."""
        if self.kernels is None:
            return None
        located = self.kernels.view.tiles.locate(y, x)
        if located is None:
            return None
        index, row, col = located
        if self.kernels.view.rgb:
            return index, None, row, col
        inputs = self.kernels.view.inputs
        return index // inputs, index % inputs, row, col

    def _hover(self, y: int, x: int) -> None:
        found = self.kernel_at(y, x) if y >= 0 else None
        if found is None:
            self.hover_label.setText(" ")
            return
        output, source, row, col = found
        weights = self.kernels.weight
        if source is None:
            values = ", ".join(
                f"{name} {format_value(float(weights[output, channel, row, col]))}"
                for channel, name in enumerate(("R", "G", "B"))
            )
            text = f"kernel {output} · row {row}, column {col} · {values}"
        else:
            text = (
                f"kernel {output}, input channel {source} · row {row}, column {col} · "
                f"weight {format_value(float(weights[output, source, row, col]))}"
            )
        self.hover_label.setText(text)

    def _layer_chosen(self, index: int) -> None:
        self._wanted_layer = self.layer_combo.itemData(index) or ""
        self._compute_kernels()

    # ----- weight histograms and changes
    def _summarize_weights(self, subject: InspectSubject) -> None:
        """Snapshot the new model's weights (even while hidden: the comparison needs every model)."""
        previous = self.weights.snapshot if self.weights is not None else None
        previous_title = self.subject.model_title if self.subject is not None else ""
        classifier = subject.classifier
        self._weights_of = classifier

        def done(weights: Weights) -> None:
            self.weights = weights
            self._show_weights()

        self.runner.submit(
            lambda task: weight_summary(classifier.module, previous, previous_title),
            key=f"{self.title} weights",
            on_done=done,
            on_error=self._failed,
        )

    def _show_weights(self) -> None:
        weights = self.weights
        self.table.blockSignals(True)
        self.table.setRowCount(len(weights.stats))
        for row, stats in enumerate(weights.stats):
            change = weights.changes.get(stats.name)
            cells = (
                stats.name,
                format_shape(stats.shape),
                f"{change.relative_change:.2%}" if change is not None else "—",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.UserRole, stats.name)
                item.setToolTip(
                    f"{stats.name}: {format_shape(stats.shape)}, mean {format_value(stats.mean)}, "
                    f"std {format_value(stats.std)}"
                )
                if column:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        if weights.compared_with:
            self.change_label.setText(
                f"Change = ‖after − before‖ / ‖before‖ since the previous model: {weights.compared_with}"
            )
        else:
            self.change_label.setText(
                "Change since the previous model appears when the model is refreshed (each epoch of a training run)."
            )
        self._select_tensor(self._selected_tensor or (weights.stats[0].name if weights.stats else ""))

    def _select_tensor(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == name:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
                self._selected_tensor = name
                self._plot_tensor(name)
                return

    def _tensor_chosen(self) -> None:
        items = self.table.selectedItems()
        if items:
            self._selected_tensor = items[0].data(Qt.UserRole)
            self._plot_tensor(self._selected_tensor)

    def _plot_tensor(self, name: str) -> None:
        if self.weights is None:
            return
        stats = next((stats for stats in self.weights.stats if stats.name == name), None)
        if stats is None:
            return
        change = self.weights.changes.get(name)
        if change is not None:
            self.after_curve.setData(change.after.edges, change.after.counts)
            self.before_curve.setData(change.before.edges, change.before.counts)
            self.before_curve.show()
            self.histogram_title.setText(
                f"<b>{name}</b>: this model (blue) and the previous one (grey outline); "
                f"mean |Δ| {format_value(change.mean_abs_change)}, "
                f"max |Δ| {format_value(change.max_abs_change)}"
            )
        else:
            self.after_curve.setData(stats.histogram.edges, stats.histogram.counts)
            self.before_curve.hide()
            self.histogram_title.setText(
                f"<b>{name}</b>: {format_shape(stats.shape)}, mean "
                f"{format_value(stats.mean)}, std {format_value(stats.std)}"
            )
        self.plot.enableAutoRange()
