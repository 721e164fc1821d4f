"""Growing numeric series for the live plots, and TensorBoard-style smoothing.

A plot of a long run receives a few points ten times a second and holds 100,000+ of them, so the
values live in numpy arrays that grow by doubling (appending is amortized O(1), and `values` is a
view, not a copy), never in Python lists converted on every update.
"""

from __future__ import annotations

import numpy as np


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
