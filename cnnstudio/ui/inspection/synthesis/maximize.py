"""Activation maximization: the picture that most excites one class or one channel, formed step by step
by gradient ascent, with the activation plotted over the steps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QVBoxLayout, QWidget

from cnnstudio.pretrained.predictions import class_label
from cnnstudio.ui import style
from cnnstudio.ui.inspection.controls import (
    ClassCombo,
    choices,
    fill_layers,
    layer_combo,
    real_spin,
    setting,
    spin,
)
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.plots import style_plot
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.synthesis.pages import FORM_WIDTH, PicturePage, run_steps
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import muted
from cnnstudio.viz.activations import LayerInfo, channel_layers
from cnnstudio.viz.synthesis import SynthesisStep, maximize_activation

KEY = "synthesis.maximize"
CLASS, CHANNEL = "class", "channel"
# maximize_activation's keyword arguments, each set by the page's control of the same name
SETTINGS = ("steps", "learning_rate", "parameterization", "jitter", "blur_every", "blur_sigma", "decay", "seed")


@dataclass(frozen=True)
class MaximizeRequest:
    layer: str | None  # None: a class of the output
    unit: int
    settings: dict[str, int | float | str]  # maximize_activation's keyword arguments


def maximize(subject: InspectSubject, request: MaximizeRequest, task: Task) -> SynthesisStep | None:
    """Runs on the runner's thread; every step goes to the view as a partial result."""
    module, spec = subject.classifier.module, subject.spec
    return run_steps(maximize_activation(module, spec, [request.unit], request.layer, **request.settings), task)


class ObjectivePlot(pg.PlotWidget):
    """The maximized activation over the steps (one curve, updated with setData)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(150)
        self.setMaximumHeight(220)
        style_plot(self)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.setClipToView(True)
        self.setDownsampling(mode="peak")
        for axis, text in (("left", "activation"), ("bottom", "step")):
            self.setLabel(axis, text, color=style.MUTED)
        self.curve = self.plot(
            [],
            [],
            pen=pg.mkPen(style.ACCENT, width=2),
            symbol="o",
            symbolSize=4,
            symbolBrush=style.ACCENT,
            symbolPen=None,
        )

    def set_quantity(self, text: str) -> None:
        """Name what is maximized on the vertical axis ("class score", "mean activation")."""
        self.setLabel("left", text, color=style.MUTED)

    def show_values(self, steps: list[int], values: list[float]) -> None:
        self.curve.setData(np.asarray(steps, dtype=float), np.asarray(values, dtype=float))


class MaximizePage(PicturePage):
    title = "Activation maximization"
    action = "Activation maximization"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        picture = ImagePane(
            placeholder="Press Start to synthesize the input that most excites the chosen class or channel.",
            minimum=220,
        )
        super().__init__(runner, KEY, "Start", picture, parent)
        self.steps_seen: list[int] = []
        self.values: list[float] = []
        self.request: MaximizeRequest | None = None

        self.what_box = choices([("a class of the output", CLASS), ("a channel of a layer", CHANNEL)])
        self.class_box = ClassCombo()
        self.layer_box = layer_combo("The layer whose channel (or unit) is maximized", 24)
        self.channel = spin(0, 0, 0, "Which channel (map) of the layer, or which unit of a vector")
        self.steps = spin(1, 2000, 64, "Gradient-ascent steps")
        self.learning_rate = real_spin(0.001, 1.0, 0.05, 0.01, 3, "How far each step moves the picture")
        self.parameterization = choices(
            [("Fourier, decorrelated colours", "fourier"), ("pixels", "pixel")],
            "Fourier: the picture's spectrum is optimized, which favours natural, "
            "low-frequency patterns; pixels: every pixel on its own",
        )
        self.jitter = spin(
            0,
            64,
            4,
            "Shift the picture by up to this many pixels before each step: robust "
            "patterns instead of pixel-exact noise. At 0 no step ever lowers the activation.",
            " px",
        )
        self.blur_every = spin(0, 100, 0, "Blur the picture every this many steps (pixel parameterization; 0: never)")
        self.blur_every.setSpecialValueText("never")
        self.blur_sigma = real_spin(0.1, 5.0, 0.5, 0.1, 2, "Width of the blur, in pixels")
        self.decay = real_spin(0.0, 1.0, 0.0, 0.0005, 4, "Penalty on the picture's distance from grey")
        self.seed = spin(0, 1_000_000, 0, "The random start (and jitter); the same seed gives the same picture")

        self.plot = ObjectivePlot()
        self.summary = muted()
        self._build_layout()

        self.what_box.currentIndexChanged.connect(self._what_changed)
        self.layer_box.currentIndexChanged.connect(self._layer_changed)
        self.parameterization.currentIndexChanged.connect(self._parameterization_changed)
        self._what_changed()
        self._parameterization_changed()

    def _build_layout(self) -> None:
        form = QFormLayout()
        for text, widget in (
            ("Maximize", self.what_box),
            ("Class", self.class_box),
            ("Layer", self.layer_box),
            ("Channel", self.channel),
            ("Steps", self.steps),
            ("Step size", self.learning_rate),
            ("Picture as", self.parameterization),
            ("Jitter", self.jitter),
            ("Blur every", self.blur_every),
            ("Blur width", self.blur_sigma),
            ("Decay", self.decay),
            ("Seed", self.seed),
        ):
            form.addRow(text, widget)
        form.addRow(self.start_button)
        controls = QWidget()
        controls.setLayout(form)
        controls.setFixedWidth(FORM_WIDTH)
        results = QVBoxLayout()
        results.addWidget(self.picture, 1)
        results.addWidget(self.summary)
        results.addWidget(self.plot)
        columns = QHBoxLayout()
        columns.addWidget(controls)
        columns.addLayout(results, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.status)

    # ----- settings
    def _what_changed(self) -> None:
        by_class = self.what_box.currentData() == CLASS
        self.class_box.setEnabled(by_class)
        self.layer_box.setEnabled(not by_class)
        self.channel.setEnabled(not by_class)
        self.start_button.setEnabled(self.ready())

    def _layer_changed(self) -> None:
        layer = self._layer_info()
        self.channel.setMaximum(max(0, layer.shape[0] - 1) if layer else 0)

    def _layer_info(self) -> LayerInfo | None:
        name = self.layer_box.currentData()
        return next((layer for layer in self.layers or [] if layer.name == name), None)

    def _parameterization_changed(self) -> None:
        pixels = self.parameterization.currentData() == "pixel"
        self.blur_every.setEnabled(pixels)
        self.blur_sigma.setEnabled(pixels)

    def set_subject(self, subject: InspectSubject | None, model_changed: bool) -> None:
        if model_changed and subject is not None:
            self.class_box.follow_classes(subject.classes, subject.target)
        super().set_subject(subject, model_changed)

    def set_layers(self, layers: list[LayerInfo]) -> None:
        super().set_layers(layers)
        choices = channel_layers(layers)
        spatial = [layer.name for layer in choices if len(layer.shape) == 3]
        fill_layers(self.layer_box, choices, spatial[len(spatial) // 2] if spatial else None)
        self._layer_changed()

    def ready(self) -> bool:
        if self.subject is None:
            return False
        return self.what_box.currentData() == CLASS or (self.layers is not None and self.layer_box.count() > 0)

    # ----- running
    def current_request(self) -> MaximizeRequest:
        by_class = self.what_box.currentData() == CLASS
        unit = self.class_box.current_class() if by_class else self.channel.value()
        settings = {name: setting(getattr(self, name)) for name in SETTINGS}
        return MaximizeRequest(None if by_class else self.layer_box.currentData(), unit or 0, settings)

    def describe(self, request: MaximizeRequest) -> str:
        if request.layer is None:
            return f"class '{class_label(request.unit, self.subject.classes)}'"
        return f"channel {request.unit} of {request.layer}"

    def start(self) -> None:
        subject = self.subject
        if subject is None:
            return
        request = self.current_request()
        self.request, self.last = request, None
        self.steps_seen, self.values = [], []
        self.plot.show_values([], [])
        self.plot.set_quantity("class score" if request.layer is None else "mean activation")
        self.picture.set_image(None)
        self.summary.setText("")
        self.submit(
            f"Maximizing {self.describe(request)} …",
            lambda task: maximize(subject, request, task),
            self._step,
            self._finished,
        )

    def _step(self, step: SynthesisStep) -> None:
        self.last = step
        self.steps_seen.append(step.step)
        self.values.append(float(step.objective[0]))
        self.picture.set_image(step.images[0])
        self.picture.set_caption(f"{self.describe(self.request)}: step {step.step} of {step.steps}")
        self.plot.show_values(self.steps_seen, self.values)

    def _finished(self, last: SynthesisStep | None) -> None:
        if last is None:
            self.status.finished("Nothing was computed.")
            return
        quantity = "Class score" if self.request.layer is None else "Mean activation"
        self.summary.setText(
            f"{quantity} {self.values[0]:.4g} at the first step → {self.values[-1]:.4g} after {last.steps} steps."
        )
        self.status.finished(f"Done: the picture is what most excites {self.describe(self.request)}.")

    def clear(self) -> None:
        super().clear()
        self.request = None
        self.steps_seen, self.values = [], []
        self.plot.show_values([], [])
        self.summary.setText("")
