"""The Fooling view: the adversarial input stays within ε of the original, the view reports both
predictions in words, and the attack follows the controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_inspect_support import CATS, subject_for

from cnnstudio.ui.inspection.attribution.adversarial_view import AdversarialView
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import TaskRunner


@pytest.fixture
def digit() -> np.ndarray:
    from cnnstudio.data.bundled import load_digits

    return load_digits().images[3, 0].numpy()


@pytest.fixture
def view(qtbot):
    runner = TaskRunner("cnnstudio-inspect")
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
