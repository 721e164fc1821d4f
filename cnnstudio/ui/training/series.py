"""Growing numeric series for the live plots, TensorBoard-style smoothing, and the series of a run.

A plot of a long run receives a few points ten times a second and holds 100,000+ of them, so the
values live in numpy arrays that grow by doubling (appending is amortized O(1), and `values` is a
view, not a copy), never in Python lists converted on every update.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnstudio.engine.events import BatchMetrics


class GrowingArray:
    """A 1-D float64 array that can be appended to; `values` views the filled part."""

    def __init__(self, capacity: int = 1024) -> None:
        self._data = np.empty(max(1, capacity), dtype=np.float64)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def values(self) -> np.ndarray:
        return self._data[: self._size]

    def extend(self, values: np.ndarray | list[float]) -> None:
        new = np.asarray(values, dtype=np.float64).ravel()
        end = self._size + new.size
        if end > self._data.size:
            grown = np.empty(max(end, 2 * self._data.size), dtype=np.float64)
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        self._data[self._size : end] = new
        self._size = end

    def append(self, value: float) -> None:
        self.extend([value])

    def clear(self) -> None:
        self._size = 0


class Smoother:
    """Debiased exponential moving average, as TensorBoard's smoothing slider computes it, updated
    incrementally as points arrive.

    m_t = weight·m_{t−1} + (1 − weight)·x_t with m_0 = 0, divided by 1 − weight^t so the first
    points are not pulled towards zero. Weight 0 returns the values unchanged.
    """

    def __init__(self, weight: float) -> None:
        if not 0.0 <= weight < 1.0:
            raise ValueError(f"the smoothing weight must lie in [0, 1), not {weight}")
        self.weight = weight
        self._biased = 0.0
        self._count = 0

    def extend(self, values: np.ndarray | list[float]) -> np.ndarray:
        """The smoothed values of the next points."""
        new = np.asarray(values, dtype=np.float64).ravel()
        if new.size == 0:
            return new
        w = self.weight
        biased = _linear_recurrence((1.0 - w) * new, w, self._biased)
        self._biased = float(biased[-1])
        steps = np.arange(self._count + 1, self._count + new.size + 1, dtype=np.float64)
        self._count += new.size
        return biased / (1.0 - w**steps)


def _linear_recurrence(b: np.ndarray, a: float, initial: float) -> np.ndarray:
    """m_t = a·m_{t−1} + b_t for every t, with m_0 = `initial`, in log2(len(b)) vectorized passes.

    A doubling scan (Hillis and Steele): after the pass with shift s, m_t holds the terms a^j·b_{t−j} for
    j < 2s, so no power of a is ever divided by and no term can overflow.
    """
    m = b.copy()
    m[0] += a * initial
    shift, factor = 1, a
    while shift < m.size:
        m[shift:] += factor * m[:-shift]  # the right side is evaluated first: it reads the previous pass
        shift, factor = 2 * shift, factor * factor
    return m


class TrainingSeries:
    """What the live plots draw of the current run: its batch messages (x in epochs, optimizer step, loss,
    accuracy as a fraction, learning rate, and the smoothed loss and accuracy) and its validation points."""

    def __init__(self, smoothing: float) -> None:
        self.x, self.step, self.loss, self.accuracy, self.lr = (GrowingArray() for _ in range(5))
        self.loss_smooth, self.accuracy_smooth = GrowingArray(), GrowingArray()
        self.val_epoch, self.val_loss, self.val_accuracy = GrowingArray(64), GrowingArray(64), GrowingArray(64)
        self.smoothing = smoothing
        self._smoothers = (Smoother(smoothing), Smoother(smoothing))

    def clear(self) -> None:
        for buffer in (self.x, self.step, self.loss, self.accuracy, self.lr, self.loss_smooth, self.accuracy_smooth):
            buffer.clear()
        for buffer in (self.val_epoch, self.val_loss, self.val_accuracy):
            buffer.clear()
        self._smoothers = (Smoother(self.smoothing), Smoother(self.smoothing))

    def add_batches(self, messages: Sequence[BatchMetrics]) -> None:
        """Batch messages; one at batch b of B in epoch e sits at x = e − 1 + b/B."""
        count = len(messages)
        x, step, loss, accuracy, lr = (np.empty(count) for _ in range(5))
        for i, message in enumerate(messages):
            x[i] = message.epoch - 1 + message.batch / max(1, message.batches)
            step[i], loss[i], accuracy[i], lr[i] = message.step, message.loss, message.accuracy, message.lr
        batches = (self.x, self.step, self.loss, self.accuracy, self.lr)
        for buffer, values in zip(batches, (x, step, loss, accuracy, lr), strict=True):
            buffer.extend(values)
        self.loss_smooth.extend(self._smoothers[0].extend(loss))
        self.accuracy_smooth.extend(self._smoothers[1].extend(accuracy))

    def add_epoch(self, epoch: float, val_loss: float, val_accuracy: float) -> None:
        self.val_epoch.append(epoch)
        self.val_loss.append(val_loss)
        self.val_accuracy.append(val_accuracy)

    def set_smoothing(self, weight: float) -> None:
        """Smooth every point again with `weight` (and the points to come)."""
        self.smoothing = weight
        self._smoothers = (Smoother(weight), Smoother(weight))
        pairs = ((self.loss, self.loss_smooth), (self.accuracy, self.accuracy_smooth))
        for (raw, smooth), smoother in zip(pairs, self._smoothers, strict=True):
            values = smoother.extend(raw.values)
            smooth.clear()
            smooth.extend(values)

    def nearest_batch(self, x: float) -> int | None:
        """The index of the batch message nearest to epoch position `x` (None: there is none)."""
        if not len(self.x):
            return None
        values = self.x.values
        i = int(np.clip(np.searchsorted(values, x), 0, len(values) - 1))
        return i - 1 if i > 0 and abs(values[i - 1] - x) < abs(values[i] - x) else i

    def nearest_epoch(self, x: float) -> int | None:
        """The index of the validation point nearest to epoch position `x` (None: there is none)."""
        return int(np.argmin(np.abs(self.val_epoch.values - x))) if len(self.val_epoch) else None
