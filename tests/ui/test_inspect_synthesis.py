"""The "What a unit wants" view: activation maximization forms step by step and never loses activation
without jitter, Cancel stops the work, the gallery fills in, DeepDream dreams, a new model clears."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_inspect_support import subject_for

from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.ui.inspection.synthesis.synthesis_view import SynthesisView
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.viz.tiles import BACKGROUND


@pytest.fixture
def digit() -> np.ndarray:
    from cnnstudio.data.bundled import load_digits

    return load_digits().images[5, 0].numpy()


@pytest.fixture
def view(qtbot):
    runner = TaskRunner("cnnstudio-inspect")
    view = SynthesisView(runner)
    view.resize(1100, 700)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()
    runner.shutdown()


def set_value(spin, value) -> None:
    """Type a value into a spin box and press Enter."""
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin.lineEdit(), str(value))
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert spin.value() == value


def ready(qtbot, view, page) -> None:
    view.pages.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.layers is not None and page.start_button.isEnabled(), timeout=10000)


def finished(qtbot, page, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: not page.running() and not page.status.is_running, timeout=timeout)
    assert not page.status.is_error, page.status.message


def test_maximizing_a_class_rises_step_by_step(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    page = view.maximize
    ready(qtbot, view, page)
    page.class_box.setCurrentIndex(page.class_box.findData(3))
    set_value(page.jitter, 0)
    set_value(page.steps, 12)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    assert page.steps_seen == list(range(1, 13))  # every step arrived as a partial result
    values = np.array(page.values)
    assert np.all(np.diff(values) >= -1e-6) and values[-1] > values[0]
    xs, ys = page.plot.curve.getData()
    assert len(xs) == 12 and ys[-1] == pytest.approx(values[-1])
    assert page.picture.pixels.shape == (28, 28, 3)
    assert "class '3'" in page.status.message
    assert f"{values[-1]:.4g}" in page.summary.text()


def test_maximizing_a_channel_of_a_layer(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    page = view.maximize
    ready(qtbot, view, page)
    page.what_box.setCurrentIndex(page.what_box.findData("channel"))
    assert page.layer_box.isEnabled() and not page.class_box.isEnabled()
    page.layer_box.setCurrentIndex(page.layer_box.findData("conv2"))
    assert page.channel.maximum() == 15  # conv2 has 16 channels
    set_value(page.channel, 5)
    set_value(page.jitter, 0)
    set_value(page.steps, 8)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    assert len(page.values) == 8 and np.all(np.diff(page.values) >= -1e-6)
    assert "channel 5 of conv2" in page.status.message


def test_cancel_stops_a_long_maximization(qtbot, view, efficientnet):
    from skimage import data

    view.set_subject(subject_for(efficientnet, data.coffee()))
    page = view.maximize
    ready(qtbot, view, page)
    set_value(page.steps, 2000)  # minutes of work if it were not stopped
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(page.steps_seen) >= 2, timeout=20000)
    assert page.status.cancel_button.isVisible()
    qtbot.mouseClick(page.status.cancel_button, Qt.LeftButton)
    assert page.status.message.startswith("Stopped at step") and not page.running()
    probe = []
    view.runner.submit(lambda task: "free", key="probe", on_done=probe.append)  # runs only once the ascent has stopped
    qtbot.waitUntil(lambda: bool(probe), timeout=5000)
    assert len(page.steps_seen) < 100 and page.picture.pixels.shape == (224, 224, 3)


def test_the_gallery_fills_in(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    page = view.gallery
    ready(qtbot, view, page)
    assert page.second_box.currentData() == "conv2"  # halfway through LeNet's maps
    set_value(page.count, 4)
    set_value(page.steps, 8)
    updates = []
    page.runner.busy_changed.connect(lambda busy: updates.append(busy))
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    assert page.made == 8 and page.status.message == "Done: 8 channel pictures."
    assert [section.layer for section in page.sections] == ["conv1", "conv2"]
    for section in page.section_views:
        assert section.isVisible() and section.images.shape == (4, 28, 28, 3)
        for tile in section.images:  # every tile was synthesized: none is left background grey
            assert not np.all(tile == np.array(BACKGROUND, dtype=np.uint8))
        assert section.pane.pixels is not None
    assert "conv1" in page.section_views[0].title.text()


def test_deep_dream_on_the_current_image(qtbot, view, lenet, digit):
    view.set_subject(subject_for(lenet, digit))
    page = view.dream
    ready(qtbot, view, page)
    assert page.original.pixels.shape == (224, 224, 3)
    set_value(page.octaves, 2)
    set_value(page.steps, 3)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    assert page.last.steps == 6 and "octave 2 of 2" in page.picture.caption_text
    assert not np.array_equal(page.picture.pixels, page.original.pixels)
    view.set_subject(subject_for(lenet, np.flipud(digit).copy()))  # a new image: the old dream goes
    assert page.picture.pixels is None


def test_a_new_model_stops_the_work_and_marks_the_pictures(qtbot, view, lenet, digit, efficientnet):
    view.set_subject(subject_for(lenet, digit))
    page, dream = view.maximize, view.dream
    ready(qtbot, view, page)
    dream.layer_box.setCurrentIndex(dream.layer_box.findData("conv1"))
    set_value(page.steps, 3)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    torch.manual_seed(1)
    next_epoch = classifier_from_design(load_template("lenet5"))  # as the Training tab's next checkpoint
    view.set_subject(subject_for(next_epoch, digit))
    assert page.picture.pixels is not None and "made with the previous model" in page.picture.caption_text
    assert page.status.message.startswith("The model changed.")
    qtbot.waitUntil(lambda: page.layers is not None, timeout=10000)
    assert dream.layer_box.currentData() == "conv1"  # the same design: the chosen layer stays
    set_value(page.steps, 2000)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(page.steps_seen) >= 2, timeout=10000)
    view.set_subject(subject_for(efficientnet, digit))
    assert not page.running() and page.status.message.startswith("Stopped: the model changed.")
    qtbot.waitUntil(lambda: dream.layers is not None, timeout=10000)
    assert dream.layer_box.currentData().startswith("blocks_")  # another network: its middle layer
    assert page.class_box.count() == 1000
    view.set_subject(None)
    assert page.picture.pixels is None and not page.start_button.isEnabled()


def test_a_model_without_maps_can_still_maximize_a_class(qtbot, view, digit):
    from torch import nn

    from cnnstudio.data.pipeline import Preprocessing

    torch.manual_seed(0)
    mlp = Classifier(
        nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10)),
        [str(i) for i in range(10)],
        Preprocessing((1, 28, 28), (0.5,), (0.5,)),
        "MLP",
    )
    view.set_subject(subject_for(mlp, digit))
    qtbot.waitUntil(lambda: view.gallery.layers is not None, timeout=10000)
    for page in (view.gallery, view.dream):
        assert not page.start_button.isEnabled() and "no layer with 2-D maps" in page.status.message
    page = view.maximize
    set_value(page.jitter, 0)
    set_value(page.steps, 5)
    qtbot.mouseClick(page.start_button, Qt.LeftButton)
    finished(qtbot, page)
    assert np.all(np.diff(page.values) >= -1e-6) and page.values[-1] > page.values[0]
