"""The common frame of the synthesis pages (activation maximization, channel gallery, DeepDream): a
Start button, progress with Cancel, and the subject and layer list the page works on.

Synthesis is costly and does not change with every stroke on the drawing pad, so a page computes only
when its Start button is pressed. A new model (a new epoch of a training, an edited design) stops a
running synthesis; pictures already made stay, marked as made with the previous model, so they can be
compared with the new model's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Protocol

from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from cnnstudio.progress import check_cancel
from cnnstudio.ui.inspection.controls import StatusTask, TaskStatus, fill_layers
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.activations import LayerInfo, middle_spatial_layer, spatial_layers
from cnnstudio.viz.synthesis import SynthesisStep

FORM_WIDTH = 350  # the settings column of the maximization page
PREVIOUS_MODEL = "made with the previous model"
NO_MAPS = "This model has no layer with 2-D maps (all its outputs are vectors): there is nothing to show here."


class Step(Protocol):
    step: int  # 1 … steps
    steps: int


def run_steps(steps: Iterator[Step], task: Task) -> Step | None:
    """Drive a progressive synthesis on the runner's thread: send every step to the view, stop when
    cancelled. Returns the last step."""
    last = None
    try:
        for step in steps:
            check_cancel(task.cancel)
            task.partial(step)
            task.fraction(step.step / step.steps)
            last = step
    finally:
        steps.close()
    return last


def outdated(caption: str) -> str:
    """A caption marked as made with the previous model (once, however many models came since)."""
    return caption if caption.endswith(f"({PREVIOUS_MODEL})") else f"{caption} ({PREVIOUS_MODEL})"


class SynthesisPage(QWidget):
    """One synthesis page: `start()` submits the page's work under its own runner key."""

    title = ""
    action = ""  # what the status line calls the computation on failure

    def __init__(self, runner: TaskRunner, key: str, start_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.subject: InspectSubject | None = None
        self.layers: list[LayerInfo] | None = None
        self.start_button = QPushButton(start_text)
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.status = TaskStatus()
        self.task = StatusTask(runner, key, self.action, self.status)
        self.status.cancel_requested.connect(self.cancel)

    def set_subject(self, subject: InspectSubject | None, model_changed: bool) -> None:
        self.subject = subject
        if model_changed:
            was_running = self.running()
            self.stop()
            self.layers = None
            if subject is None:
                self.clear()
                self.status.finished("")
            elif self.has_pictures():
                self.mark_outdated()
                stopped = "Stopped: the model changed. " if was_running else "The model changed. "
                self.status.finished(
                    f"{stopped}The pictures were {PREVIOUS_MODEL}; press "
                    f"“{self.start_button.text()}” to make them for this one."
                )
        self.start_button.setEnabled(self.ready())

    def set_layers(self, layers: list[LayerInfo]) -> None:
        self.layers = layers
        self.start_button.setEnabled(self.ready())

    def fill_spatial_layers(self, box: QComboBox, layers: list[LayerInfo]) -> None:
        """List the layers with 2-D maps in `box`, the middle one chosen; say so when there are none."""
        spatial = spatial_layers(layers)
        fill_layers(box, spatial, middle_spatial_layer(layers) if spatial else None)
        if not spatial:
            self.status.finished(NO_MAPS)

    def ready(self) -> bool:
        """Whether Start can run now."""
        return self.subject is not None and self.layers is not None

    def running(self) -> bool:
        return self.task.running()

    def submit(
        self,
        text: str,
        function: Callable[[Task], Any],
        on_partial: Callable[[Any], None],
        on_done: Callable[[Any], None],
    ) -> None:
        self.task.submit(text, function, on_done, on_partial)

    def stop(self) -> None:
        """Stop the running computation without a message (the subject went away)."""
        self.task.stop()

    def cancel(self) -> None:
        """The user pressed Cancel: stop, keep what was made so far."""
        self.task.cancel(self.stopped_text())

    def stopped_text(self) -> str:
        return "Stopped."

    def start(self) -> None:
        """Submit the page's computation with the current settings."""

    def has_pictures(self) -> bool:
        """Whether the page shows pictures (made or being made)."""
        return False

    def mark_outdated(self) -> None:
        """Say on the pictures that they were made with the previous model."""

    def clear(self) -> None:
        """Forget the pictures (there is no model any more)."""


class PicturePage(SynthesisPage):
    """A page that forms one picture step by step (activation maximization, DeepDream) in `picture`."""

    def __init__(
        self, runner: TaskRunner, key: str, start_text: str, picture: ImagePane, parent: QWidget | None = None
    ) -> None:
        super().__init__(runner, key, start_text, parent)
        self.picture = picture
        self.last: SynthesisStep | None = None

    def stopped_text(self) -> str:
        if self.last is None:
            return "Stopped before the first step."
        return f"Stopped at step {self.last.step} of {self.last.steps}: the picture shows that step."

    def has_pictures(self) -> bool:
        return self.picture.pixels is not None

    def mark_outdated(self) -> None:
        self.picture.set_caption(outdated(self.picture.caption_text))

    def clear(self) -> None:
        self.last = None
        self.picture.set_image(None)
        self.picture.set_caption("")
