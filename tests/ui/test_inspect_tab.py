"""The Inspect tab as a person uses it: models, inputs, predictions, and following a training run."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from test_inspect_support import draw_stroke, inspect_tab, settle

from cnnstudio.data import load_data
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.loop import resume, train
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.ui.inspection.arithmetic.arithmetic_view import ArithmeticView
from cnnstudio.ui.inspection.inputs import DATASET, DRAW, FILE, WEBCAM
from cnnstudio.ui.inspection.maps.featuremaps_view import FeatureMapsView
from cnnstudio.ui.inspection.maps.filters_view import FiltersView
from cnnstudio.ui.inspection.model_source import (
    DESIGN,
    EFFICIENTNET,
    TORCHVISION,
    TRAINED,
)
from cnnstudio.ui.inspection.model_source import (
    FILE as MODEL_FILE,
)
from cnnstudio.ui.session import DataChoice, ModelChoice
from cnnstudio.viz.images import predict

CAT_CLASSES = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}


@pytest.fixture
def tab(qtbot, prompts):
    yield from inspect_tab(qtbot, prompts)


def probabilities(tab) -> list[float]:
    return [prediction.prob for prediction in tab.predictions.bars.predictions]


@pytest.fixture(scope="module")
def xo_run(tmp_path_factory) -> tuple[Path, object]:
    """A tiny X's-and-O's run trained for one epoch, and its data."""
    run = tmp_path_factory.mktemp("runs") / "xo"
    data = load_data("xo:count=120", (1, 9, 9))
    events = list(train(load_template("xo"), data, TrainConfig(epochs=1, batch_size=32, device="cpu"), run))
    assert type(events[-1]).__name__ == "Finished"
    return run, data


def test_in_the_window_the_untrained_design_is_shown_and_drawing_changes_the_predictions(window, qtbot):
    window.show_tab("Inspect")
    tab = window.tab("Inspect")
    settle(qtbot, tab)
    assert tab.model_source.source == DESIGN
    assert "untrained" in tab.model_source.title_label.text()
    assert tab.inputs.source == DRAW
    assert len(tab.predictions.bars.predictions) == 10  # LeNet-5: ten classes, all shown
    blank = probabilities(tab)

    draw_stroke(tab.inputs.pad, [(0.5, 0.15), (0.52, 0.4), (0.5, 0.65), (0.48, 0.85)])
    settle(qtbot, tab)
    assert tab.subject is not None and tab.subject.image.max() == 255  # the stroke is in the input
    assert probabilities(tab) != blank


def test_efficientnet_names_the_cat_in_a_photo_opened_from_a_file(tab, qtbot, prompts, tmp_path):
    skimage_data = pytest.importorskip("skimage.data")
    photo = tmp_path / "chelsea.png"
    Image.fromarray(skimage_data.chelsea()).save(photo)

    tab.model_source.combo.setCurrentIndex(EFFICIENTNET)
    settle(qtbot, tab)
    prompts.script("open_path", str(photo))
    qtbot.mouseClick(tab.inputs.buttons.button(FILE), Qt.LeftButton)
    qtbot.mouseClick(tab.inputs.open_button, Qt.LeftButton)
    settle(qtbot, tab)

    assert "EfficientNet-Lite0" in tab.model_source.title_label.text()
    assert tab.inputs.source == FILE and "chelsea.png" in tab.inputs.caption_label.text()
    assert len(tab.predictions.bars.predictions) == 5  # 1,000 classes: the top five
    assert tab.predictions.bars.predictions[0].label in CAT_CLASSES
    assert tab.subject.classes[tab.subject.target] in CAT_CLASSES


def test_clicking_a_class_makes_it_the_explained_class(tab, qtbot):
    bars = tab.predictions.bars
    third = bars.predictions[2].index
    qtbot.mouseClick(bars, Qt.LeftButton, pos=bars.row_rect(2).center().toPoint())
    assert tab.subject.target == third
    assert "(chosen)" in tab.predictions.target_label.text()

    qtbot.mouseClick(tab.predictions.predicted_button, Qt.LeftButton)
    assert tab.subject.target == bars.predictions[0].index
    assert "(predicted)" in tab.predictions.target_label.text()


def test_a_webcam_snapshot_is_shown_and_becomes_the_input(window, qtbot):
    skimage_data = pytest.importorskip("skimage.data")
    window.show_tab("Designer")
    window.session.send_image_to_inspect(skimage_data.coffee())
    tab = window.tab("Inspect")
    assert window.current_tab() is tab
    settle(qtbot, tab)
    assert tab.inputs.source == WEBCAM
    assert tab.inputs.canvas.image_shape() == (400, 600)
    assert tab.subject is not None and tab.subject.image.shape == (400, 600, 3)
    assert tuple(tab.subject.x.shape) == (1, 1, 28, 28)  # made ready for LeNet-5's grey 28×28 input

    window.session.send_image_to_inspect(np.zeros((10, 10, 5)))  # not a picture: said so, nothing lost
    assert "cannot be shown" in tab.inputs.caption_label.text()
    assert tab.subject.image.shape == (400, 600, 3)


def test_dropping_an_image_file_on_the_tab_opens_it(tab, qtbot, tmp_path):
    picture = tmp_path / "ring.png"
    pixels = np.zeros((40, 40), dtype=np.uint8)
    pixels[8:32, 8:32] = 255
    Image.fromarray(pixels).save(picture)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(picture))])
    # Offscreen Qt has no drag in progress to deliver events from, so the tab gets them directly.
    enter = QDragEnterEvent(QPoint(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    tab.dragEnterEvent(enter)
    assert enter.isAccepted()
    tab.dropEvent(QDropEvent(QPointF(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    settle(qtbot, tab)
    assert tab.inputs.source == FILE
    assert np.array_equal(tab.subject.image, pixels)

    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    mime.setUrls([QUrl.fromLocalFile(str(text))])
    refused = QDragEnterEvent(QPoint(200, 200), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    refused.ignore()
    tab.dragEnterEvent(refused)
    assert not refused.isAccepted()

    data = load_data("xo:count=40", (1, 28, 28))
    tab.context.session.set_data(DataChoice("xo:count=40", data, "X's and O's"))  # data arriving later
    settle(qtbot, tab)
    assert tab.inputs.source == FILE and np.array_equal(tab.subject.image, pixels)  # the user's file stays
    qtbot.mouseClick(tab.inputs.buttons.button(DATASET), Qt.LeftButton)
    settle(qtbot, tab)
    assert tab.subject.image.shape == (28, 28) and "validation image" in tab.inputs.caption_label.text()


def test_an_unreadable_file_is_reported_not_raised(tab, qtbot, prompts, tmp_path):
    broken = tmp_path / "notes.png"
    broken.write_text("this is not a picture")
    prompts.script("open_path", str(broken))
    qtbot.mouseClick(tab.inputs.buttons.button(FILE), Qt.LeftButton)
    qtbot.mouseClick(tab.inputs.open_button, Qt.LeftButton)
    settle(qtbot, tab)
    assert "cannot read the image" in tab.inputs.caption_label.text()
    assert "Choose a PNG" in tab.inputs.caption_label.text()


def test_a_design_with_errors_is_explained_and_fixing_it_brings_the_model_back(tab, qtbot):
    graph = tab.context.document.graph
    graph.set_param("conv2", "kernel_size", 40)  # larger than its 14×14 input
    settle(qtbot, tab)
    assert tab.subject is None
    assert tab.message.isVisible() and "has errors" in tab.message.text()
    assert "Designer" in tab.message.text()
    assert all(view.subject is None for view in tab.views)

    graph.set_param("conv2", "kernel_size", 5)
    settle(qtbot, tab)
    assert tab.subject is not None and not tab.message.isVisible()


def test_a_torchvision_model_without_cached_weights_says_how_to_get_them(tab, qtbot, prompts, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # an empty cache
    prompts.script("choose_torchvision_model", "resnet18")
    tab.model_source.combo.setCurrentIndex(TORCHVISION)
    settle(qtbot, tab)
    assert tab.subject is None
    assert "not on this computer" in tab.message.text() and "download" in tab.message.text()

    tab.model_source.combo.setCurrentIndex(DESIGN)  # back to a model that works
    settle(qtbot, tab)
    assert tab.subject is not None


def test_cancelling_the_torchvision_choice_keeps_the_model(tab, qtbot, prompts):
    before = tab.subject.classifier
    tab.model_source.combo.setCurrentIndex(TORCHVISION)  # no answer scripted: the dialog is cancelled
    settle(qtbot, tab)
    assert tab.model_source.combo.currentIndex() == DESIGN
    assert tab.subject.classifier is before


def test_browsing_the_validation_set_and_its_misclassified_images(tab, qtbot, xo_run):
    run, data = xo_run
    tab.context.session.set_model(ModelChoice(load_run_classifier(run), "X's and O's · 1 epoch", run))
    tab.context.session.set_data(DataChoice("xo:count=120", data, "X's and O's"))
    settle(qtbot, tab)
    assert tab.model_source.source == TRAINED
    assert tab.inputs.source == DATASET  # the blank pad gave way to the data
    browser = tab.inputs.browser
    first = browser.current_index()
    qtbot.mouseClick(browser.next_button, Qt.LeftButton)
    settle(qtbot, tab)
    assert browser.current_index() != first
    assert np.array_equal(tab.subject.image, data.val.images[browser.current_index()][0].numpy())
    assert tab.subject.dataset is data.val
    browser.class_combo.setCurrentIndex(2)  # "O" only
    for _ in range(3):
        qtbot.mouseClick(browser.random_button, Qt.LeftButton)
        assert data.val.classes[int(data.val.labels[browser.current_index()])] == "O"
    browser.class_combo.setCurrentIndex(0)

    browser.misclassified_box.setChecked(True)
    settle(qtbot, tab)
    model = tab.subject.classifier
    labels = data.val.labels.numpy()
    wrong = [
        i
        for i in range(len(data.val))
        if predict(model.module, tab.subject.spec.normalize(data.val.images[i : i + 1].float() / 255), top=1)[0].index
        != labels[i]
    ]
    if not wrong:
        assert "No misclassified images" in browser.position_label.text()
        return
    seen = set()
    for _ in range(len(wrong)):
        seen.add(browser.current_index())
        qtbot.mouseClick(browser.next_button, Qt.LeftButton)
    assert seen == set(wrong)


def test_a_checkpoint_of_the_running_training_refreshes_the_trained_model(tab, qtbot, xo_run, tmp_path):
    run, data = xo_run
    copy = tmp_path / "xo"

    shutil.copytree(run, copy)
    tab.context.session.set_model(ModelChoice(load_run_classifier(copy), "X's and O's · run", copy))
    settle(qtbot, tab)
    tab.show_view(tab.view(FiltersView))
    settle(qtbot, tab)
    before = {name: value.clone() for name, value in tab.subject.classifier.module.state_dict().items()}

    events = list(resume(copy, data, changes={"epochs": 2}))  # the training goes on: epoch 2's checkpoint
    assert type(events[-1]).__name__ == "Finished"
    tab.context.session.checkpoint_written.emit(str(copy), 2)
    settle(qtbot, tab)

    assert "epoch 2" in tab.model_source.title_label.text()
    after = tab.subject.classifier.module.state_dict()
    assert any(not torch.equal(before[name], after[name]) for name in before)
    weights = tab.view(FiltersView).weights_panel
    assert weights.weights.compared_with == "X's and O's · run"  # the weights' change since the last model
    change = weights.weights.changes["features.weight"]
    assert change.relative_change > 0
    row = [weights.table.item(r, 0).text() for r in range(weights.table.rowCount())].index("features.weight")
    assert weights.table.item(row, 2).text().endswith("%")

    maps = tab.view(FeatureMapsView)  # the other pages look at the refreshed model too
    tab.show_view(maps)
    settle(qtbot, tab)
    assert maps.maps.layer == "features" and maps.maps.view.tiles.count == 3
    arithmetic = tab.view(ArithmeticView)
    tab.show_view(arithmetic)
    settle(qtbot, tab)
    explanation = arithmetic.panel.explanation()
    with torch.no_grad():
        actual = tab.subject.classifier.module.features(tab.subject.x)[0, 0, explanation.row, explanation.col]
    assert explanation.pre_activation == pytest.approx(float(actual), abs=1e-5)


def test_clicking_a_layer_in_the_network_map_shows_it(tab, qtbot):
    assert tab.network_map.layer_names()[:3] == ["conv1", "relu1", "pool1"]
    row = tab.network_map.layer_names().index("pool2")
    item = tab.network_map.item(row)
    qtbot.mouseClick(tab.network_map.viewport(), Qt.LeftButton, pos=tab.network_map.visualItemRect(item).center())
    settle(qtbot, tab)
    maps = tab.view(FeatureMapsView)
    assert tab.current_view() is maps
    assert maps.current_layer() == "pool2" and maps.maps.layer == "pool2"


def test_a_run_opened_from_a_file_is_inspected(tab, qtbot, prompts, xo_run):
    run, _ = xo_run
    prompts.script("open_path", str(run / "last" / "state.json"))  # a file inside the run's checkpoint
    tab.model_source.combo.setCurrentIndex(MODEL_FILE)
    settle(qtbot, tab)
    assert tab.subject.classifier.classes == ["X", "O"]
    assert tab.model_source.title_label.text().startswith("X's and O's")
    assert tab.network_map.layer_names()[0] == "features"


def test_the_drawing_pad_ink_pen_and_clear(tab, qtbot):
    pad = tab.inputs.pad
    tab.inputs.pen_spin.setValue(40)
    draw_stroke(pad, [(0.2, 0.5), (0.8, 0.5)])
    settle(qtbot, tab)
    thick = int((tab.subject.image > 128).sum())
    assert tab.subject.image[140, 140] == 255 and tab.subject.image[0, 0] == 0

    tab.inputs.ink_combo.setCurrentIndex(1)  # black ink on white paper, the drawing inverted
    settle(qtbot, tab)
    assert tab.subject.image[140, 140] == 0 and tab.subject.image[0, 0] == 255
    assert int((tab.subject.image < 127).sum()) == thick  # v > 128 is 255 - v < 127

    qtbot.mouseClick(tab.inputs.clear_button, Qt.LeftButton)
    settle(qtbot, tab)
    assert np.all(tab.subject.image == 255)
    tab.inputs.pen_spin.setValue(8)
    draw_stroke(pad, [(0.2, 0.5), (0.8, 0.5)])
    settle(qtbot, tab)
    assert 0 < int((tab.subject.image < 128).sum()) < thick / 2
