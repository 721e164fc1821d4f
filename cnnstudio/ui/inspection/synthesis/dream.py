"""DeepDream on the current image: amplify what a layer (or one of its channels) sees, octave by octave,
shown as it forms beside the original."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from cnnstudio.data.pipeline import display_image
from cnnstudio.ui.inspection.controls import layer_combo, real_spin, setting, spin
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.synthesis.pages import PicturePage, run_steps
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.panes import horizontal, vertical
from cnnstudio.viz.activations import LayerInfo
from cnnstudio.viz.synthesis import SynthesisStep, deep_dream
from cnnstudio.viz.tiles import enlarged

KEY = "synthesis.dream"
SHOWN_SIDE = 224  # small inputs are enlarged (crisp pixels) to about this
# deep_dream's keyword arguments (besides the channel), each set by the page's control of the same name
SETTINGS = ("octaves", "octave_scale", "steps", "strength", "jitter")


@dataclass(frozen=True)
class DreamRequest:
    layer: str
    channel: int | None  # None: the whole layer
    settings: dict[str, int | float]  # deep_dream's keyword arguments (steps: per octave)


def dream(subject: InspectSubject, request: DreamRequest, task: Task) -> SynthesisStep | None:
    """Runs on the runner's thread; every step goes to the view as a partial result."""
    module, x, spec = subject.classifier.module, subject.x, subject.spec
    return run_steps(deep_dream(module, x, spec, request.layer, channel=request.channel, **request.settings), task)


class DreamPage(PicturePage):
    title = "DeepDream"
    action = "DeepDream"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        picture = ImagePane(placeholder="Press Dream to amplify what the chosen layer sees in the image.", minimum=200)
        super().__init__(runner, KEY, "Dream", picture, parent)
        self.request: DreamRequest | None = None
        self.layer_box = layer_combo("Early layers amplify edges and textures, deeper ones parts and objects", 24)
        self.channel = spin(-1, 0, -1, "Amplify one channel of the layer, or all of them")
        self.channel.setSpecialValueText("all channels")
        self.octaves = spin(1, 8, 3, "How many sizes the image is dreamed at, from small to full size")
        self.octave_scale = real_spin(1.1, 3.0, 1.4, 0.1, 2, "How much larger each octave is than the one before")
        self.steps = spin(1, 200, 10, "Gradient steps at each octave")
        self.strength = real_spin(0.001, 0.5, 0.02, 0.005, 3, "How much each step changes the pixels")
        self.jitter = spin(
            0, 64, 8, "Random shift before each step, in pixels (hides the grid of strided layers)", " px"
        )
        self.original = ImagePane("Original", placeholder="No image yet", minimum=200)
        self._build_layout()
        self.layer_box.currentIndexChanged.connect(self._layer_changed)

    def _build_layout(self) -> None:
        controls = QGridLayout()
        controls.setHorizontalSpacing(8)
        rows = (
            (("Layer", self.layer_box), ("Channel", self.channel), ("Octaves", self.octaves)),
            (
                ("Octave scale", self.octave_scale),
                ("Steps per octave", self.steps),
                ("Strength", self.strength),
                ("Jitter", self.jitter),
            ),
        )
        for row, pairs in enumerate(rows):
            for column, (text, widget) in enumerate(pairs):
                controls.addWidget(QLabel(text), row, 2 * column, Qt.AlignRight)
                controls.addWidget(widget, row, 2 * column + 1)
        controls.addWidget(self.start_button, 0, 7)
        controls.setColumnStretch(8, 1)
        images = horizontal([(self.original, 1), (self.picture, 1)])
        vertical(self, [controls, (images, 1), self.status])

    def _layer_changed(self) -> None:
        name = self.layer_box.currentData()
        layer = next((layer for layer in self.layers or [] if layer.name == name), None)
        self.channel.setMaximum(layer.shape[0] - 1 if layer else 0)

    def set_subject(self, subject: InspectSubject | None, model_changed: bool) -> None:
        image_changed = subject is None or self.subject is None or subject.x is not self.subject.x
        if image_changed and not model_changed:
            was_running = self.running()
            self.stop()
            self.clear()
            if was_running:
                self.status.finished("The image changed: press Dream to dream the new one.")
        if model_changed and subject is not None:
            self.jitter.setValue(max(1, min(subject.spec.height, subject.spec.width) // 28))
        super().set_subject(subject, model_changed)
        self.original.set_image(
            None if subject is None else enlarged(display_image(subject.x, subject.spec), SHOWN_SIDE)
        )

    def set_layers(self, layers: list[LayerInfo]) -> None:
        self.fill_spatial_layers(self.layer_box, layers)
        super().set_layers(layers)
        self._layer_changed()

    def ready(self) -> bool:
        return super().ready() and self.layer_box.count() > 0

    def start(self) -> None:
        subject = self.subject
        if subject is None or not self.ready():
            return
        channel = self.channel.value()
        settings = {name: setting(getattr(self, name)) for name in SETTINGS}
        request = DreamRequest(self.layer_box.currentData(), None if channel < 0 else channel, settings)
        self.request, self.last = request, None
        self.submit(
            f"Dreaming at {request.layer} …", lambda task: dream(subject, request, task), self._step, self._finished
        )

    def _describe(self) -> str:
        request = self.request
        return request.layer + ("" if request.channel is None else f", channel {request.channel}")

    def _step(self, step: SynthesisStep) -> None:
        self.last = step
        octave = (step.step - 1) // self.request.settings["steps"] + 1
        self.picture.set_image(enlarged(step.images[0], SHOWN_SIDE))
        self.picture.set_caption(
            f"DeepDream of {self._describe()}: octave {octave} of {self.request.settings['octaves']}, "
            f"step {step.step} of {step.steps}"
        )

    def _finished(self, last: SynthesisStep | None) -> None:
        self.status.finished(f"Done: {last.steps} steps at {self._describe()}." if last else "Nothing was computed.")

    def clear(self) -> None:
        super().clear()
        self.request = None
