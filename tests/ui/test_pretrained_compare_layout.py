"""Compare Pretrained Networks in a small window: on every x axis each label lies beside its point inside the
plot, over no other label, no point and not under the legend; the table shows every network's name in full."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, QRectF

from cnnstudio.ui.pretrained.compare import LATENCY, SYMBOL_SIZE, CompareDialog

TIMEOUT = 60000
# Latencies (ms) measured once on a laptop CPU: they crowd EfficientNet-Lite0, RegNet and MobileNet together.
LATENCY_MS = {
    "efficientnet_lite0": 66.1,
    "mobilenet_v3_small": 18.6,
    "mobilenet_v3_large": 34.9,
    "efficientnet_b0": 57.2,
    "squeezenet1_1": 27.1,
    "googlenet": 99.8,
    "resnet18": 78.8,
    "resnet50": 192.2,
    "densenet121": 187.8,
    "regnet_y_400mf": 55.4,
    "inception_v3": 287.3,
    "alexnet": 54.3,
    "vgg16": 513.2,
}


@pytest.fixture
def dialog(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    dialog = CompareDialog()
    qtbot.addWidget(dialog)
    dialog.resize(1024, 640)
    with qtbot.waitSignal(dialog.catalog_loaded, timeout=TIMEOUT):
        dialog.show()
    for info in dialog.infos:
        latency = LATENCY_MS[info.spec.split(":")[-1]]
        dialog.latency[info.spec] = latency
        dialog.table.set_cell(info.spec, LATENCY, f"{latency:.1f}", latency)
    yield dialog
    dialog.shutdown()


def scene_boxes(plot: Any) -> tuple[dict[str, QRectF], dict[str, QRectF]]:
    """Each visible label's text box and each point's symbol, in scene pixels."""
    view = plot.plotItem.vb
    labels = {
        spec: label.textItem.mapRectToScene(label.textItem.boundingRect())
        for spec, label in plot.labels.items()
        if label.isVisible()
    }
    half = SYMBOL_SIZE / 2
    symbols = {}
    for spec, (x, y) in plot.points.items():
        at = view.mapViewToScene(QPointF(math.log10(x), y))
        symbols[spec] = QRectF(at.x() - half, at.y() - half, SYMBOL_SIZE, SYMBOL_SIZE)
    return labels, symbols


def test_labels_overlap_nothing_on_any_axis(qtbot: Any, dialog: Any) -> None:
    plot = dialog.plot
    view = plot.plotItem.vb
    title = plot.plotItem.titleLabel
    assert "not downloaded" in title.text  # the legend, above the plot area
    for axis in ("latency", "params", "gflops"):
        dialog.set_x_axis(axis)
        dialog.redraw()
        qtbot.wait(20)
        labels, symbols = scene_boxes(plot)
        assert len(labels) == len(LATENCY_MS)
        inside = view.sceneBoundingRect()
        assert not title.sceneBoundingRect().intersects(inside)
        for spec, box in labels.items():
            assert inside.contains(box), (axis, spec)
            others = [other for key, other in labels.items() if key != spec]
            assert not any(box.intersects(other) for other in others), (axis, spec)
            assert not any(box.intersects(symbol) for symbol in symbols.values()), (axis, spec)
            assert box.adjusted(-12, -12, 12, 12).intersects(symbols[spec]), (axis, spec)  # beside its own point


def test_the_table_shows_every_name_in_full(qtbot: Any, dialog: Any) -> None:
    table = dialog.table
    qtbot.wait(20)
    for column in range(table.columnCount() - 1):  # Weights, the last, elides with its text as tooltip
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), table.horizontalHeaderItem(column).text()
