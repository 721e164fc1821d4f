"""The Grad-CAM & saliency view: the heat map finds the cat, every method runs on an untrained design,
the opacity slider re-blends without running the model, and problems read as messages."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_inspect_support import CATS, subject_for
from torch import nn

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.ui.inspection.attribution.attribution_view import METHODS, AttributionView
from cnnstudio.ui.tasks import TaskRunner

# Chelsea's face in skimage's 300×451 photograph (rows, columns), as in tests/viz/test_attribution.py.
CAT_ROWS, CAT_COLS = (40, 300), (90, 370)


@pytest.fixture
def digit() -> np.ndarray:
    from cnnstudio.data.bundled import load_digits

    return load_digits().images[0, 0].numpy()


@pytest.fixture
def view(qtbot):
    runner = TaskRunner("cnnstudio-inspect")
    view = AttributionView(runner)
    view.resize(1000, 700)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()
    runner.shutdown()


def wait_result(qtbot, view, method: str | None = None) -> None:
    qtbot.waitUntil(
        lambda: (
            view.result is not None
            and not view.runner.is_busy()
            and (method is None or view.result.attribution.method == method)
        ),
        timeout=20000,
    )


def choose(qtbot, combo, text: str) -> None:
    """Pick an entry of a combo box with the keyboard, as a user would."""
    combo.setFocus()
    index = combo.findText(text)
    assert index >= 0, text
    while combo.currentIndex() != index:
        QTest.keyClick(combo, Qt.Key_Down if combo.currentIndex() < index else Qt.Key_Up)


def type_into(spin, value: int) -> None:
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin.lineEdit(), str(value))
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)


def test_grad_cam_on_a_photo_puts_its_peak_on_the_cat(qtbot, view, efficientnet, chelsea):
    view.set_subject(subject_for(efficientnet, chelsea))
    wait_result(qtbot, view, "gradcam")
    attribution = view.result.attribution
    assert attribution.layer == "head_relu" and view.layer_box.currentData() == "head_relu"
    assert efficientnet.classes[attribution.target] in CATS
    assert efficientnet.classes[attribution.target] in view.explained.text()
    on_photo = cv2.resize(attribution.heat, (chelsea.shape[1], chelsea.shape[0]), interpolation=cv2.INTER_LINEAR)
    row, col = np.unravel_index(np.argmax(on_photo), on_photo.shape)
    assert CAT_ROWS[0] <= row < CAT_ROWS[1] and CAT_COLS[0] <= col < CAT_COLS[1], (row, col)
    assert view.overlay_image().shape == (224, 224, 3)
    assert view.raw_pane.pixels.shape == (7, 7, 3)  # the layer's own 7×7 map
    assert view.overlay_pane.scale.labels() == ("0", "relative importance", "1")
    assert not view.status.is_error


def test_opacity_re_blends_without_running_the_model(qtbot, view, efficientnet, chelsea, monkeypatch):
    view.set_subject(subject_for(efficientnet, chelsea))
    wait_result(qtbot, view)
    before = view.overlay_image().copy()
    submitted = []
    monkeypatch.setattr(view.runner, "submit", lambda *args, **kwargs: submitted.append(args))
    view.opacity.setFocus()
    QTest.keyClick(view.opacity, Qt.Key_End)  # fully opaque: only the heat map's colours remain
    assert view.opacity.value() == 100 and view.opacity_label.text() == "100%"
    opaque = view.overlay_image()
    assert not np.array_equal(opaque, before) and submitted == []
    QTest.keyClick(view.opacity, Qt.Key_Home)  # transparent: the input itself
    np.testing.assert_array_equal(view.overlay_image(), view._base)
    assert submitted == []


def test_another_class_and_another_layer(qtbot, view, efficientnet, chelsea):
    view.set_subject(subject_for(efficientnet, chelsea))
    wait_result(qtbot, view)
    bag = efficientnet.classes.index("plastic bag")
    view.class_box.setCurrentIndex(view.class_box.findData(bag))
    view.class_box.activated.emit(view.class_box.currentIndex())
    qtbot.waitUntil(lambda: view.result.attribution.target == bag and not view.runner.is_busy(), timeout=20000)
    assert "plastic bag" in view.explained.text()
    index = view.layer_box.findData("blocks_15_project_bn")
    assert index >= 0
    view.layer_box.setCurrentIndex(index)
    view.layer_box.activated.emit(index)
    qtbot.waitUntil(lambda: view.result.attribution.layer == "blocks_15_project_bn", timeout=20000)
    assert view.result.attribution.target == bag  # the chosen class stays


def test_occlusion_with_a_chosen_patch(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    wait_result(qtbot, view, "gradcam")
    assert not view.patch.isEnabled()
    choose(qtbot, view.method_box, "Occlusion")
    assert view.patch.isEnabled() and not view.layer_box.isEnabled()
    type_into(view.patch, 7)
    type_into(view.stride, 7)
    wait_result(qtbot, view, "occlusion")
    qtbot.waitUntil(lambda: not view.runner.is_busy())
    raw = view.result.attribution.raw
    assert raw.shape == (28, 28)
    # a 7-pixel patch moved by 7 pixels: the map is constant on each of the 4×4 squares it covered
    for top in range(0, 28, 7):
        for left in range(0, 28, 7):
            block = raw[top : top + 7, left : left + 7]
            np.testing.assert_allclose(block, block[0, 0], atol=1e-5)
    assert "score" in view.raw_pane.scale.labels()[1]


@pytest.mark.parametrize("method", [method.key for method in METHODS])
def test_every_method_on_an_untrained_design(qtbot, view, lenet, digit, method):
    view.set_subject(subject_for(lenet, digit))
    wait_result(qtbot, view)
    choose(qtbot, view.method_box, next(m.title for m in METHODS if m.key == method))
    wait_result(qtbot, view, method)
    assert view.result.attribution.heat.shape == (28, 28)
    assert view.overlay_image().shape == (224, 224, 3)  # the 28×28 input enlarged before blending
    assert not view.status.is_error, view.status.message


def test_a_model_without_maps_gets_a_clear_message(qtbot, view, digit):
    mlp = Classifier(
        nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)),
        [str(i) for i in range(10)],
        Preprocessing((1, 28, 28), (0.5,), (0.5,)),
        "MLP",
    )
    view.set_subject(subject_for(mlp, digit))
    qtbot.waitUntil(lambda: view.status.is_error, timeout=10000)
    assert "no layer with 2-D feature maps" in view.status.message
    choose(qtbot, view.method_box, "Saliency (gradient)")  # needs no layer: works
    wait_result(qtbot, view, "gradient")
    assert not view.status.is_error


def test_hidden_view_waits_and_no_subject_clears(qtbot, view, lenet, digit):
    view.hide()
    view.set_subject(subject_for(lenet, digit))
    assert not view.runner.is_busy() and view.result is None  # nothing computed while hidden
    view.show()
    wait_result(qtbot, view)
    view.set_subject(None)
    assert view.overlay_image() is None and view.result is None


def test_the_next_epoch_keeps_the_chosen_layer_and_the_training_mode(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    wait_result(qtbot, view)
    index = view.layer_box.findData("conv2")
    view.layer_box.setCurrentIndex(index)
    view.layer_box.activated.emit(index)
    qtbot.waitUntil(lambda: view.result.attribution.layer == "conv2" and not view.runner.is_busy(), timeout=10000)
    torch.manual_seed(1)
    next_epoch = classifier_from_design(load_template("lenet5"))
    next_epoch.module.train()  # a model mid-training: the view must not leave it in eval mode
    view.set_subject(subject_for(next_epoch, digit))
    qtbot.waitUntil(lambda: view.result is not None and not view.runner.is_busy(), timeout=10000)
    assert view.result.attribution.layer == "conv2" and view.layer_box.currentData() == "conv2"
    assert next_epoch.module.training and all(module.training for module in next_epoch.module.modules())
