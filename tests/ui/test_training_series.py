"""The plots' numeric helpers: growing buffers, TensorBoard-style smoothing, a run's series, the 1-2-5 rate steps."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnstudio.engine.events import BatchMetrics
from cnnstudio.ui.training.number_box import RateSpinBox, step_125
from cnnstudio.ui.training.series import GrowingArray, Smoother, TrainingSeries


def reference_ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, one point at a time."""
    smoothed, last = [], 0.0
    for count, value in enumerate(values, start=1):
        last = weight * last + (1 - weight) * value
        smoothed.append(last / (1 - weight**count))
    return smoothed


def test_a_growing_array_keeps_every_value_in_order_across_reallocations():
    array = GrowingArray(capacity=4)
    array.extend(np.arange(3))
    array.append(3)
    array.extend(np.arange(4, 1000))
    assert len(array) == 1000
    assert np.array_equal(array.values, np.arange(1000))
    array.clear()
    assert len(array) == 0 and array.values.size == 0


@given(
    values=st.lists(st.floats(-100, 100), min_size=1, max_size=60), weight=st.floats(0.0, 0.99), cut=st.integers(0, 60)
)
def test_smoothing_in_pieces_equals_smoothing_at_once(values, weight, cut):
    smoother = Smoother(weight)
    pieces = np.concatenate([smoother.extend(values[:cut]), smoother.extend(values[cut:])])
    assert np.allclose(pieces, reference_ema(values, weight), rtol=1e-9, atol=1e-9)


def test_smoothing_is_debiased_and_weight_zero_is_the_raw_curve():
    assert Smoother(0.9).extend([2.0, 2.0, 2.0]).tolist() == pytest.approx([2.0, 2.0, 2.0])
    assert Smoother(0.0).extend([1.0, 5.0, 3.0]).tolist() == [1.0, 5.0, 3.0]
    with pytest.raises(ValueError):
        Smoother(1.0)


def test_rates_step_through_the_1_2_5_series():
    assert step_125(0.001, True, 1e-7) == pytest.approx(0.002)
    assert step_125(0.002, True, 1e-7) == pytest.approx(0.005)
    assert step_125(0.005, True, 1e-7) == pytest.approx(0.01)
    assert step_125(0.0003, True, 1e-7) == pytest.approx(0.0005)
    assert step_125(0.01, False, 1e-7) == pytest.approx(0.005)
    assert step_125(1e-6, False, 1e-6) == 0.0
    assert step_125(0.0, True, 1e-6) == pytest.approx(1e-6)


def test_the_rate_box_shows_short_numbers_and_accepts_scientific_notation(qtbot):
    box = RateSpinBox(1e-7, 10.0)
    qtbot.addWidget(box)
    box.setValue(0.001)
    assert box.text() == "0.001"
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "3e-4")
    box.interpretText()
    assert box.value() == pytest.approx(3e-4)
    box.stepUp()
    assert box.value() == pytest.approx(5e-4) and box.text() == "0.0005"


def batch(epoch: int, done: int, loss: float, accuracy: float) -> BatchMetrics:
    return BatchMetrics(epoch, done, 4, (epoch - 1) * 4 + done, loss, accuracy, 0.01, 100.0, 1.0, 9.0)


def test_a_runs_series_places_batches_on_the_epoch_axis_and_smooths_them_again_on_request():
    series = TrainingSeries(0.5)
    losses = [2.0, 1.0, 0.5, 0.25, 0.2]
    series.add_batches([batch(1, 1, losses[0], 0.1), batch(1, 2, losses[1], 0.2)])
    series.add_batches([batch(1, 4, losses[2], 0.4), batch(2, 2, losses[3], 0.6), batch(2, 3, losses[4], 0.7)])
    assert series.x.values.tolist() == [0.25, 0.5, 1.0, 1.5, 1.75] and series.step.values.tolist() == [1, 2, 4, 6, 7]
    assert series.loss_smooth.values == pytest.approx(reference_ema(losses, 0.5))
    series.set_smoothing(0.9)
    assert series.loss_smooth.values == pytest.approx(reference_ema(losses, 0.9))
    series.add_batches([batch(2, 4, 0.1, 0.8)])  # later points continue the new smoothing
    assert series.loss_smooth.values == pytest.approx(reference_ema([*losses, 0.1], 0.9))
    series.add_epoch(1, 0.6, 0.5)
    series.add_epoch(2, 0.3, 0.75)
    assert series.nearest_batch(1.3) == 3 and series.nearest_batch(-5) == 0 and series.nearest_batch(9) == 5
    assert series.nearest_epoch(1.4) == 0 and series.nearest_epoch(1.6) == 1
    series.clear()
    assert len(series.x) == len(series.loss_smooth) == len(series.val_epoch) == 0
    assert series.nearest_batch(1.0) is None and series.nearest_epoch(1.0) is None
