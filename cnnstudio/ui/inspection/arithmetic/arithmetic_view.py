"""The arithmetic, explained: pick a convolution or pooling layer, click a position of its output map,
and see how the layer computed that value from its own input and weights — the patch under the
kernel, the elementwise products and their sum for every input channel, the bias, the activation —
with the patch outlined on the input. For pooling: the window and which value won. The numbers are
checked against what the layer really output at that position."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui.inspection.arithmetic.explanation_panel import ExplanationPanel
from cnnstudio.ui.inspection.controls import scrolling
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.ui.inspection.image_widgets import ImageCanvas
from cnnstudio.ui.inspection.layer_view import LayerView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.arithmetic import ConvExplanation, PoolExplanation
from cnnstudio.viz.layer_values import LayerValues, layer_values
from cnnstudio.viz.tiles import single_map

EXPLAIN_KEY = "Arithmetic explain"


class ArithmeticView(LayerView):
    title = "Arithmetic"
    action = "Computing the arithmetic"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, "A convolution or pooling layer", parent)
        self.values: LayerValues | None = None
        self.position: tuple[int, int] | None = None  # the output (row, column) explained
        self.channel_spin = QSpinBox()
        self.channel_spin.setPrefix("output channel ")
        self.input_spin = QSpinBox()
        self.input_spin.setPrefix("input channel ")
        self.input_spin.setToolTip("Which channel of the layer's input to show on the left")
        controls = self.controls_row("Layer", self.channel_spin, self.input_spin)
        controls.addStretch(1)

        self.input_title = QLabel("Input")
        self.input_title.setProperty("role", "muted")
        self.input_title.setWordWrap(True)
        self.input_canvas = ImageCanvas("", minimum=150, preferred=240)
        self.output_title = QLabel("Output: click a position")
        self.output_title.setProperty("role", "muted")
        self.output_title.setWordWrap(True)
        self.output_canvas = ImageCanvas("", minimum=150, preferred=240)
        self.output_canvas.setCursor(Qt.PointingHandCursor)
        self.output_canvas.setToolTip("Click a position to see how its value was computed")
        self.hover_label = QLabel(" ")
        self.hover_label.setProperty("role", "muted")
        self.hover_label.setWordWrap(True)
        maps = QWidget()
        maps.setMinimumWidth(200)
        maps_layout = QVBoxLayout(maps)
        maps_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.output_title, self.output_canvas, self.input_title, self.input_canvas, self.hover_label):
            maps_layout.addWidget(widget, 1 if isinstance(widget, ImageCanvas) else 0)

        self.panel = ExplanationPanel()
        self.panel.channel_clicked.connect(self.input_spin.setValue)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(maps)
        splitter.addWidget(scrolling(self.panel))
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([250, 690])
        self.lay_out(controls, splitter)

        self.channel_spin.valueChanged.connect(lambda value: self._explain())
        self.input_spin.valueChanged.connect(lambda value: self._show_input())
        self.output_canvas.clicked.connect(self.explain_position)
        self.output_canvas.hovered.connect(self._hover_output)
        self.input_canvas.hovered.connect(self._hover_input)

    # ----- the tab's requests
    def refresh(self) -> None:
        if self.subject is None:
            self.runner.cancel(self.title)
            self.runner.cancel(EXPLAIN_KEY)
            self.values = None
            self.input_canvas.set_image(None)
            self.output_canvas.set_image(None)
            self.panel.clear("")
            self.status.info("")
            return
        self._compute_layer()

    def explain_position(self, row: int, col: int) -> None:
        """Explain output (row, col) of the chosen output channel."""
        self.position = (row, col)
        self._explain()

    # ----- computing
    def _compute_layer(self) -> None:
        subject, wanted = self.subject, self.current_layer()

        def compute(task: Task) -> LayerValues:
            return layer_values(subject.classifier.module, subject.x, wanted)

        self.status.info("Computing…")
        self.submit(self.title, compute, self._show_layer)

    def layer_changed(self) -> None:
        self.position = None
        if self.subject is not None:
            self._compute_layer()

    def _show_layer(self, values: LayerValues) -> None:
        changed_layer = self.values is None or self.values.layer != values.layer
        self.values = values
        self.show_layers(values.layers, values.layer)
        for spin, count in ((self.channel_spin, values.output.shape[0]), (self.input_spin, values.input.shape[0])):
            spin.blockSignals(True)
            spin.setRange(0, count - 1)
            spin.blockSignals(False)
        self.input_spin.setEnabled(values.is_conv)
        _, height, width = values.output.shape
        if changed_layer or self.position is None or self.position[0] >= height or self.position[1] >= width:
            self.position = values.peak(self.channel_spin.value())
        self._explain()

    def _explain(self) -> None:
        values = self.values
        if values is None or self.position is None:
            return
        channel = self.channel_spin.value()
        row, col = self.position
        self._show_output()

        def compute(task: Task) -> ConvExplanation | PoolExplanation:
            return values.explain(channel, row, col)

        self.submit(EXPLAIN_KEY, compute, self._show_explanation)

    # ----- showing
    def _show_output(self) -> None:
        values, channel = self.values, self.channel_spin.value()
        self.output_canvas.set_image(single_map(values.output[channel], colormap="viridis").image)
        row, col = self.position
        self.output_canvas.set_highlights([((row, col, row, col), "#ff3b30")])
        _, height, width = values.output.shape
        self.output_title.setText(f"Output of {values.layer}, channel {channel} ({height}×{width}): click a position")

    def _show_input(self, box: tuple[int, int, int, int] | None = None) -> None:
        values = self.values
        if values is None:
            return
        channel = self.input_spin.value() if values.is_conv else self.channel_spin.value()
        self.input_canvas.set_image(single_map(values.input[channel], colormap="gray").image)
        explanation = self.panel.explanation()
        if box is None and explanation is not None:
            box = explanation.box
        if box is not None:
            self.input_canvas.set_highlights([(box, "#ff3b30")])
        _, height, width = values.input.shape
        self.input_title.setText(
            f"Input of {values.layer}, channel {channel} ({height}×{width}); the patch is outlined"
        )

    def _show_explanation(self, explanation: ConvExplanation | PoolExplanation) -> None:
        values = self.values
        channel, row, col = self.channel_spin.value(), *self.position
        where = f"{values.layer} · output channel {channel}, row {row}, column {col}"
        actual, same = values.check(explanation)
        if isinstance(explanation, ConvExplanation):
            self.panel.show_conv(explanation, where)
            computed = explanation.pre_activation
            if explanation.channels and self.input_spin.value() not in [c.input_channel for c in explanation.channels]:
                self.input_spin.blockSignals(True)
                self.input_spin.setValue(explanation.channels[0].input_channel)
                self.input_spin.blockSignals(False)
        else:
            self.panel.show_pool(explanation, where)
            computed = explanation.value
        after = (
            f" (then {explanation.activation} makes it {format_value(explanation.value)})"
            if isinstance(explanation, ConvExplanation) and explanation.activation
            else ""
        )
        verdict = "✓ the same as the arithmetic" if same else f"✗ the arithmetic gives {format_value(computed)}"
        self.panel.set_check(f"{values.layer} really output {format_value(actual)} here{after}: {verdict}", same)
        self._show_input(explanation.box)

    def _hover_output(self, y: int, x: int) -> None:
        if self.values is None or y < 0:
            self.hover_label.setText(" ")
            return
        value = float(self.values.output[self.channel_spin.value(), y, x])
        self.hover_label.setText(f"output row {y}, column {x} · {format_value(value)}")

    def _hover_input(self, y: int, x: int) -> None:
        if self.values is None or y < 0:
            self.hover_label.setText(" ")
            return
        channel = self.input_spin.value() if self.values.is_conv else self.channel_spin.value()
        value = float(self.values.input[channel, y, x])
        self.hover_label.setText(f"input channel {channel}, row {y}, column {x} · {format_value(value)}")
