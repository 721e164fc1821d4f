"""The live training plots: many points, smoothing, validation points, hover readout, other runs."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from cnnstudio.engine.events import BatchMetrics
from cnnstudio.engine.run_folders import EpochHistory, RunRecord
from cnnstudio.ui import style
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.series import Smoother

STEPS = 500  # batches per epoch of the synthetic run


def messages(start: int, count: int) -> list[BatchMetrics]:
    """Batch messages of a synthetic run whose loss falls and whose accuracy rises, with noise."""
    noise = np.random.default_rng(start).normal(0, 0.05, count)
    return [
        BatchMetrics(
            epoch=i // STEPS + 1,
            batch=i % STEPS + 1,
            batches=STEPS,
            step=i + 1,
            loss=float(2 * np.exp(-i / 20_000) + noise[i - start]),
            accuracy=min(1.0, i / 50_000),
            lr=1e-3 * (0.5 if i > 50_000 else 1.0),
            images_per_s=900.0,
            elapsed=i / 100,
            eta=0.0,
        )
        for i in range(start, start + count)
    ]


def size(values: np.ndarray | None) -> int:
    return 0 if values is None else len(values)


@pytest.fixture
def plots(qtbot):
    widget = TrainingPlots()
    qtbot.addWidget(widget)
    widget.resize(1000, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_the_curves_hold_100000_batch_points_and_draw_a_reduced_view(plots, qtbot):
    first, second = messages(0, 60_000), messages(60_000, 40_000)
    plots.add_batches(first)
    plots.refresh()
    plots.add_batches(second)
    plots.refresh()
    raw = np.array([message.loss for message in first + second])
    assert plots.point_count == 100_000
    assert np.array_equal(plots.loss_raw.xData[[0, -1]], [1 / STEPS, 200.0])  # x is in epochs
    assert np.array_equal(plots.loss_raw.yData, raw)
    assert np.allclose(plots.loss_smoothed.yData, Smoother(0.6).extend(raw))
    assert plots.accuracy_raw.yData[-1] == pytest.approx(100.0)  # accuracy is plotted in percent
    assert plots.lr_curve.yData[-1] == pytest.approx(5e-4)
    for curve in (plots.loss_raw, plots.loss_smoothed, plots.accuracy_raw, plots.lr_curve):
        assert curve.opts["clipToView"] and curve.opts["autoDownsample"] and curve.opts["downsampleMethod"] == "peak"
    # what is drawn is clipped and downsampled to the plot's width
    qtbot.waitUntil(lambda: size(plots.loss_raw.getData()[0]) < 20_000)


def test_the_smoothing_slider_recomputes_the_trend_from_the_raw_values(plots):
    batch = messages(0, 2_000)
    plots.add_batches(batch)
    plots.refresh()
    raw = np.array([message.loss for message in batch])
    plots.slider.setValue(0)
    assert np.allclose(plots.loss_smoothed.yData, raw)
    plots.slider.setValue(95)
    assert plots.slider_value.text() == "0.95"
    assert np.allclose(plots.loss_smoothed.yData, Smoother(0.95).extend(raw))
    plots.add_batches(messages(2_000, 10))  # new points continue the new average
    plots.refresh()
    raw = np.concatenate([raw, [message.loss for message in messages(2_000, 10)]])
    assert np.allclose(plots.loss_smoothed.yData, Smoother(0.95).extend(raw))


def test_validation_points_sit_at_the_end_of_their_epochs_and_clear_starts_over(plots):
    plots.add_batches(messages(0, 2 * STEPS))
    plots.add_epoch(1, 0.8, 0.7)
    plots.add_epoch(2, 0.5, 0.85)
    plots.add_epoch(3, None, None)  # a run without validation data
    plots.refresh()
    assert plots.loss_val.xData.tolist() == [1, 2] and plots.loss_val.yData.tolist() == [0.8, 0.5]
    assert plots.accuracy_val.yData.tolist() == pytest.approx([70.0, 85.0])
    plots.begin(30)  # a run's epoch axis spans the whole run from its start
    left, right = plots.loss_plot.vb.viewRange()[0]
    assert left < 0 and 30 < right <= 30 * 1.05 and plots.lr_plot.vb.viewRange()[0] == [left, right]
    plots.clear()
    assert plots.point_count == 0 and plots.epoch_count == 0
    assert size(plots.loss_raw.xData) == 0 and size(plots.loss_val.xData) == 0


def test_the_three_plots_share_one_padded_epoch_axis_with_readable_labels(plots, qtbot):
    """The plots used to disagree (loss 0–2, accuracy clipping its last validation dot, learning rate 0–1.5)
    and the "Epoch" label was drawn in the faint border grey."""
    plots.begin(2)
    plots.add_batches(messages(0, 2 * STEPS))
    plots.add_epoch(1, 0.8, 0.7)
    plots.add_epoch(2, 0.5, 0.85)
    plots.refresh()
    qtbot.wait(50)
    ranges = [plot.vb.viewRange()[0] for plot in plots.plots]
    assert ranges[0] == ranges[1] == ranges[2] and ranges[0][0] < 0 and ranges[0][1] > 2
    for plot in plots.plots:  # the last validation dot (7 px wide) is drawn whole, with room, in every plot
        view = plot.vb
        right_edge = view.mapViewToScene(view.viewRect().topRight()).x()
        assert right_edge - view.mapViewToScene(QPointF(2.0, 0.0)).x() >= 7
    plots.lr_plot.setXRange(0.5, 1.5, padding=0)  # zooming or panning one plot moves all three
    assert all(plot.vb.viewRange()[0] == pytest.approx([0.5, 1.5]) for plot in plots.plots)
    for plot in plots.plots:
        axis = plot.getAxis("bottom")
        assert axis.labelText == "Epoch" and axis.labelStyle["color"] == style.TEXT
        assert f"color:{style.TEXT}" in axis.label.toHtml().replace(" ", "")
        assert axis.textPen().color().name() == style.MUTED


def test_hovering_a_plot_reads_out_the_values_under_the_mouse(plots, qtbot):
    plots.add_batches(messages(0, 3 * STEPS))
    plots.add_epoch(1, 0.9, 0.6)
    plots.add_epoch(2, 0.7, 0.8)
    plots.refresh()
    view = plots.canvas
    center = plots.loss_plot.vb.sceneBoundingRect().center()
    QTest.mouseMove(view.viewport(), view.mapFromScene(center))
    qtbot.waitUntil(lambda: plots.readout_visible)
    text = plots.readout_text()
    assert re.search(r"Epoch 1\.\d\d · step \d+", text)  # the middle of three epochs
    assert "loss" in text and "smoothed" in text and "learning rate 0.001" in text
    assert "validation after epoch 2: loss 0.7 · accuracy 80.0%" in text
    assert all(cursor.isVisible() for cursor in plots.hover.cursors)
    QTest.mouseMove(view.viewport(), QPoint(2, 2))  # outside the plots
    qtbot.waitUntil(lambda: not plots.readout_visible)


def test_other_runs_are_overlaid_per_epoch_and_removed_again(plots):
    history = EpochHistory(
        [1, 2, 3], [1.2, 0.6, 0.4], [0.6, 0.8, 0.9], [1.0, 0.7, None], [0.7, 0.8, None], [0.01, 0.01, 0.001]
    )
    record = RunRecord(
        Path("2026-01-01_10-00-00_LeNet-5"),
        datetime(2026, 1, 1, 10),
        "LeNet-5",
        "digits",
        3,
        3,
        0.8,
        "completed",
        history=history,
    )
    plots.set_overlays([record, RunRecord(Path("empty"), datetime(2026, 1, 1), "?", "?", 0, None, None, "damaged")])
    assert plots.overlay_count == 5  # the damaged run has no curves
    loss_curves = plots.loss_plot.listDataItems()
    validation = next(item for item in loss_curves if item.name() == record.name)
    assert validation.xData.tolist() == [1.0, 2.0] and validation.yData.tolist() == [1.0, 0.7]
    assert plots.lr_plot.vb.viewRange()[1][1] == pytest.approx(0.011)  # the axis fits the highest rate
    plots.set_overlays([])
    assert plots.overlay_count == 0 and len(plots.loss_plot.listDataItems()) == 3
    assert all(label.text != record.name for _, label in plots.legend.items)


def test_the_smoothing_weight_is_clamped_and_shown(plots):
    plots.set_smoothing(2.0)
    assert plots.smoothing == 0.99 and plots.slider.value() == 99
    plots.slider.setValue(30)
    assert plots.smoothing == pytest.approx(0.3)
    assert Qt.Horizontal == plots.slider.orientation()
