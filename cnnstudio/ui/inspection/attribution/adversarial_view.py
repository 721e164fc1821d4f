"""Fooling: how small a change to the input flips the network's prediction (FGSM, PGD).

Shows the original, the perturbation (magnified around grey, with the factor) and the adversarial
image, each with the network's top prediction, and says in one line whether the prediction flipped.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data.pipeline import display_image
from cnnstudio.pretrained.predictions import Prediction, class_label
from cnnstudio.ui import style
from cnnstudio.ui.inspection.controls import ClassCombo, StatusTask, TaskStatus, choices
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import LazyView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import muted
from cnnstudio.viz.adversarial import AdversarialExample, adversarial_example
from cnnstudio.viz.tiles import enlarged

KEY = "adversarial"
LEVELS = 255  # ε is chosen in pixel levels of an 8-bit image
MAX_EPSILON = 16
SHOWN_SIDE = 224  # small inputs are enlarged (crisp pixels) to about this


@dataclass(frozen=True)
class _Request:
    epsilon: int  # in pixel levels (1/255)
    steps: int  # 1: FGSM
    target: int | None  # None: untargeted


def _attack(subject: InspectSubject, request: _Request, task: Task) -> AdversarialExample:
    """Runs on the runner's thread."""
    return adversarial_example(
        subject.classifier.module,
        subject.x,
        subject.spec,
        epsilon=request.epsilon / LEVELS,
        steps=request.steps,
        target=request.target,
        classes=subject.classes,
        progress=task.fraction,
        cancel=task.cancel,
    )


def _named(prediction: Prediction) -> str:
    return f"'{prediction.label}' ({prediction.prob:.0%})"


def verdict(example: AdversarialExample, epsilon: int, classes: list[str]) -> tuple[str, bool]:
    """The one-line outcome and whether the network was fooled."""
    before, after = example.before[0], example.after[0]
    size = f"ε = {epsilon}/{LEVELS}"
    if after.index == before.index:
        still = next((p for p in example.after if p.index == before.index), after)
        text = (
            f"Not fooled at {size}: still {_named(still)}, was {before.prob:.0%}. "
            "Try a larger ε or PGD with more steps."
        )
        return text, False
    text = f"Prediction flipped from {_named(before)} to {_named(after)} at {size}."
    if example.targeted and after.index != example.label:
        text += f" Not yet to '{class_label(example.label, classes)}': try a larger ε or more steps."
    return text, True


def prediction_caption(title: str, predictions: list[Prediction]) -> str:
    """The caption of an image: its top prediction ("Original: tabby 92%") and the runners-up (HTML)."""
    top, rest = predictions[0], predictions[1:4]
    others = " · ".join(f"{html.escape(p.label)} {p.prob:.0%}" for p in rest)
    return f"{title}: <b>{html.escape(top.label)}</b> {top.prob:.0%}" + (
        f"<br><span style='color:{style.MUTED}'>{others}</span>" if others else ""
    )


class AdversarialView(LazyView):
    """An adversarial version of the current input and how the prediction changes."""

    title = "Fooling"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.example: AdversarialExample | None = None
        self._shown_request: _Request | None = None

        self.attack_box = choices(
            [("FGSM (one step)", "fgsm"), ("PGD (several steps)", "pgd")],
            "FGSM moves every pixel by ε in the direction that hurts the prediction "
            "most; PGD takes several smaller such steps, staying within ε",
        )
        self.epsilon = QSlider(Qt.Horizontal)
        self.epsilon.setRange(1, MAX_EPSILON)
        self.epsilon.setValue(2)
        self.epsilon.setPageStep(2)
        self.epsilon.setFixedWidth(180)
        self.epsilon.setToolTip("The most any pixel may change, in levels of an 8-bit image (0–255)")
        self.epsilon_label = QLabel()
        self.epsilon_label.setMinimumWidth(150)
        self.steps = QSpinBox()
        self.steps.setRange(2, 100)
        self.steps.setValue(10)
        self.steps.setToolTip("PGD steps")
        self.target_box = ClassCombo(none_text="any other class (untargeted)")
        self.target_box.setToolTip("Push the prediction towards one class, or just away from the current one")

        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.details = muted()
        self.original_pane = ImagePane(placeholder="No image yet")
        self.perturbation_pane = ImagePane()
        self.adversarial_pane = ImagePane()
        self.status = TaskStatus()
        self.task = StatusTask(runner, KEY, "The attack", self.status)
        self._build_layout()

        self.attack_box.currentIndexChanged.connect(self._attack_changed)
        self.epsilon.valueChanged.connect(self._epsilon_changed)
        self.steps.valueChanged.connect(lambda _value: self.recompute())
        self.target_box.class_chosen.connect(lambda _index: self.recompute())
        self.status.cancel_requested.connect(lambda: self.task.cancel("Cancelled."))
        self._attack_changed()
        self._epsilon_changed()

    def _build_layout(self) -> None:
        controls = QGridLayout()
        controls.setHorizontalSpacing(8)
        controls.addWidget(QLabel("Attack"), 0, 0, Qt.AlignRight)
        controls.addWidget(self.attack_box, 0, 1)
        controls.addWidget(QLabel("Steps"), 0, 2, Qt.AlignRight)
        controls.addWidget(self.steps, 0, 3)
        controls.addWidget(QLabel("Push towards"), 0, 4, Qt.AlignRight)
        controls.addWidget(self.target_box, 0, 5)
        strength = QHBoxLayout()
        strength.addWidget(self.epsilon)
        strength.addWidget(self.epsilon_label)
        controls.addWidget(QLabel("Strength"), 1, 0, Qt.AlignRight)
        controls.addLayout(strength, 1, 1, 1, 5)
        controls.setColumnStretch(6, 1)
        panes = QHBoxLayout()
        for pane in (self.original_pane, self.perturbation_pane, self.adversarial_pane):
            panes.addWidget(pane, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details)
        layout.addLayout(panes, 1)
        layout.addWidget(self.status)

    def subject_changed(self, previous: InspectSubject | None) -> None:
        subject = self.subject
        self.example = None
        for pane in (self.perturbation_pane, self.adversarial_pane):
            pane.set_image(None)
            pane.set_caption("")
        self.verdict.setText("")
        self.details.setText("")
        if subject is None:
            self.task.stop()
            self.original_pane.set_image(None)
            self.original_pane.set_caption("")
            self.original_pane.set_placeholder("Nothing to attack: choose a model and an image")
            self.status.finished("")
            return
        if self.model_changed(previous):
            self.target_box.follow_classes(subject.classes, None)
        self.original_pane.set_image(enlarged(display_image(subject.x, subject.spec), SHOWN_SIDE))
        self.original_pane.set_caption("Original")

    def refresh(self) -> None:
        self.recompute()

    def _attack_changed(self) -> None:
        self.steps.setEnabled(self.attack_box.currentData() == "pgd")
        self.recompute()

    def _epsilon_changed(self) -> None:
        value = self.epsilon.value()
        self.epsilon_label.setText(f"ε = {value}/{LEVELS} ({value / LEVELS:.4f})")
        self.recompute()

    def recompute(self) -> None:
        subject = self.subject_to_compute()
        if subject is None:
            return
        steps = self.steps.value() if self.attack_box.currentData() == "pgd" else 1
        request = _Request(self.epsilon.value(), steps, self.target_box.current_class())
        self.task.submit(
            f"Attacking with {'PGD' if steps > 1 else 'FGSM'} at ε = {request.epsilon}/{LEVELS} …",
            lambda task: _attack(subject, request, task),
            lambda example: self._show(example, request),
        )

    def _show(self, example: AdversarialExample, request: _Request) -> None:
        subject = self.subject
        if subject is None:
            return
        self.example, self._shown_request = example, request
        self.original_pane.set_caption(prediction_caption("Original", example.before))
        self.perturbation_pane.set_image(enlarged(example.perturbation, SHOWN_SIDE))
        self.perturbation_pane.set_caption(f"Perturbation ×{example.magnification:.0f} (grey = unchanged)")
        self.adversarial_pane.set_image(enlarged(example.image, SHOWN_SIDE))
        self.adversarial_pane.set_caption(prediction_caption("Adversarial", example.after))
        text, fooled = verdict(example, request.epsilon, subject.classes)
        colour = style.ERROR if fooled else style.OK
        self.verdict.setText(f"<span style='color:{colour}; font-weight:600'>{text}</span>")
        changed = round(example.linf * LEVELS)
        self.details.setText(
            f"Largest change of a pixel: {changed}/{LEVELS} ({example.linf:.4f}); the perturbation "
            f"is shown magnified ×{example.magnification:.0f} around grey. "
            f"{'PGD, ' + str(request.steps) + ' steps' if request.steps > 1 else 'FGSM'}"
            + (
                f", pushed towards '{class_label(example.label, subject.classes)}'."
                if example.targeted
                else ", pushed away from the predicted class."
            )
        )
        self.status.finished("Done.")

    def shown_pixels(self) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
        """What the three panes show: original, perturbation and adversarial image."""
        return self.original_pane.pixels, self.perturbation_pane.pixels, self.adversarial_pane.pixels

    def shutdown(self) -> None:
        self.task.stop()
