"""Filters and weights: a convolution's kernels as pictures (a first layer on colour input as RGB
patches, deeper layers one small map per output × input channel on a signed scale), and a histogram of
every weight tensor, with how much each changed since the previous model (e.g. the previous epoch's
checkpoint while a network trains)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui.inspection.controls import choices
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.ui.inspection.image_widgets import ColorBar, ImageCanvas
from cnnstudio.ui.inspection.layer_view import LayerView
from cnnstudio.ui.inspection.maps.weights_panel import WeightsPanel
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.filters import Kernels, layer_kernels
from cnnstudio.viz.weightstats import weight_summary

SCALINGS = (("Shared scale", "symmetric"), ("Per-kernel scale", "channel"))
KERNEL_TARGET = 36  # kernels are enlarged to about this many pixels
BINS = 50


class FiltersView(LayerView):
    title = "Filters"
    action = "Computing the filters"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "The convolution whose kernels are shown", parent)
        self.kernels: Kernels | None = None
        self._weights_of: object | None = None  # the classifier `weights` describes
        self.scaling_combo = choices(SCALINGS)
        self.colorbar = ColorBar()
        self.colorbar.setFixedWidth(220)
        controls = self.controls_row("Convolution", self.scaling_combo)
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

        self.weights_panel = WeightsPanel()

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(kernels_side)
        splitter.addWidget(self.weights_panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([500, 440])
        self.lay_out(controls, splitter)

        self.scaling_combo.currentIndexChanged.connect(lambda index: self._compute_kernels())
        self.canvas.hovered.connect(self._hover)

    # ----- the tab's requests
    def set_subject(self, subject: InspectSubject | None) -> None:
        if subject is not None and subject.classifier is not self._weights_of:
            self._summarize_weights(subject)
        super().set_subject(subject)

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
        wanted, scaling = self.current_layer(), self.scaling_combo.currentData()

        def compute(task: Task) -> Kernels:
            return layer_kernels(subject.classifier.module, wanted, scaling=scaling, kernel_side=KERNEL_TARGET)

        self.status.info("Computing…")
        self.submit(self.title, compute, self._show_kernels)

    def _show_kernels(self, kernels: Kernels) -> None:
        self.kernels = kernels
        self.show_layers(kernels.layers, kernels.layer)
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
        self.weights_panel.select_tensor(f"{kernels.layer}.weight")

    def kernel_at(self, y: int, x: int) -> tuple[int, int | None, int, int] | None:
        """(output channel, input channel or None for an RGB patch, row, column) under picture pixel (y, x)."""
        return None if self.kernels is None else self.kernels.locate(y, x)

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

    def layer_changed(self) -> None:
        self._compute_kernels()

    # ----- weight histograms and changes
    def _summarize_weights(self, subject: InspectSubject) -> None:
        """Summarize the new model's weights (even while hidden: the comparison needs every model)."""
        previous = self.weights_panel.weights
        previous_title = self.subject.model_title if self.subject is not None else ""
        classifier = self._weights_of = subject.classifier
        self.runner.submit(
            lambda task: weight_summary(classifier.module, previous, previous_title, bins=BINS),
            key=f"{self.title} weights",
            on_done=self.weights_panel.show_weights,
            on_error=self.failed,
        )
