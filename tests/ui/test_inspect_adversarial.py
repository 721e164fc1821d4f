"""The Fooling view: the adversarial input stays within ε of the original, the view reports both
predictions in words, and the attack follows the controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from cnnstudio.graph.templates import load_template
from cnnstudio.models.classifier import Classifier
from cnnstudio.models.designs import classifier_from_design
from cnnstudio.models.resolve import load_classifier
from cnnstudio.ui.inspection.adversarial_view import AdversarialView
from cnnstudio.ui.inspection.runner import InspectRunner
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.viz.images import InputSpec, predict, prepare_image

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


@pytest.fixture(scope="module")
def efficientnet() -> Classifier:
    return load_classifier("efficientnet_lite0")


@pytest.fixture
def lenet() -> Classifier:
    torch.manual_seed(0)
    return classifier_from_design(load_template("lenet5"))


@pytest.fixture
def digit() -> np.ndarray:
    from cnnstudio.data.bundled import load_digits

    return load_digits().images[3, 0].numpy()


def subject_for(classifier: Classifier, image: np.ndarray) -> InspectSubject:
    x = prepare_image(image, InputSpec.like(classifier))
    target = predict(classifier.module, x, classifier.classes, top=1)[0].index
    return InspectSubject(classifier, classifier.name, image, x, target)


@pytest.fixture
def view(qtbot):
    runner = InspectRunner()
    view = AdversarialView(runner)
    view.resize(1100, 600)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()
    runner.shutdown()


def wait_example(qtbot, view) -> None:
    qtbot.waitUntil(lambda: view.example is not None and not view.runner.is_busy(), timeout=20000)


def pixels(subject: InspectSubject, x: torch.Tensor) -> torch.Tensor:
    return subject.spec.denormalize(x.detach().float()).clamp(0, 1)


def test_fgsm_stays_within_epsilon_on_an_untrained_design(qtbot, view, lenet, digit):
    subject = subject_for(lenet, digit)
    view.set_subject(subject)
    wait_example(qtbot, view)
    assert view.epsilon_label.text().startswith("ε = 2/255")
    change = (pixels(subject, view.example.adversarial) - pixels(subject, subject.x)).abs().max().item()
    assert 0 < change <= 2 / 255 + 1e-6
    before, after = view.example.before[0], view.example.after[0]
    assert before.label in view.original_pane.caption_text and after.label in view.adversarial_pane.caption_text
    text = view.verdict.text()
    if after.index != before.index:
        assert f"flipped from '{before.label}'" in text and f"to '{after.label}'" in text
    else:
        assert "Not fooled at ε = 2/255" in text
    assert f"×{view.example.magnification:.0f}" in view.perturbation_pane.caption_text
    original, perturbation, adversarial = view.shown_pixels()
    assert original.shape == perturbation.shape == adversarial.shape == (224, 224, 3)  # 28×28 enlarged ×8

    view.epsilon.setFocus()
    QTest.keyClick(view.epsilon, Qt.Key_End)  # the strongest attack the slider allows
    qtbot.waitUntil(lambda: view._shown_request.epsilon == 16 and not view.runner.is_busy(), timeout=20000)
    change = (pixels(subject, view.example.adversarial) - pixels(subject, subject.x)).abs().max().item()
    assert 8 / 255 < change <= 16 / 255 + 1e-6
    assert "16/255" in view.details.text()


def test_pgd_pushes_towards_a_chosen_class(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    wait_example(qtbot, view)
    assert not view.steps.isEnabled()
    view.attack_box.setCurrentIndex(view.attack_box.findData("pgd"))
    assert view.steps.isEnabled()
    qtbot.waitUntil(lambda: view._shown_request.steps == 10 and not view.runner.is_busy(), timeout=20000)
    wanted = next(index for index in range(10) if index != view.example.before[0].index)
    view.target_box.setCurrentIndex(view.target_box.findData(wanted))
    view.target_box.activated.emit(view.target_box.currentIndex())
    qtbot.waitUntil(lambda: view._shown_request.target == wanted and not view.runner.is_busy(), timeout=20000)
    assert view.example.targeted and view.example.label == wanted
    assert f"pushed towards '{wanted}'" in view.details.text()


def test_the_pretrained_network_on_a_photo(qtbot, view, efficientnet):
    from skimage import data

    view.set_subject(subject_for(efficientnet, data.chelsea()))
    wait_example(qtbot, view)
    before = view.example.before[0]
    assert before.label in CATS
    fooled = view.example.after[0].index != before.index
    assert ("flipped" in view.verdict.text()) == fooled
    assert view.status.message == "Done." and not view.status.is_error
