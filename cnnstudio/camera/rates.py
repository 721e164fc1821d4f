"""Rates of events (frames captured, frames classified) as a smoothed frames-per-second figure."""

from __future__ import annotations

import time


class RateMeter:
    """Events per second from the intervals between them, smoothed by an exponential moving average.

    smoothing: weight of the past (0: the last interval alone). The first interval is taken as is,
    so the rate is meaningful from the second event on.
    """

    def __init__(self, smoothing: float = 0.9) -> None:
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing {smoothing} must lie in [0, 1)")
        self.smoothing = smoothing
        self._last: float | None = None
        self._interval: float | None = None

    def tick(self, now: float | None = None) -> float:
        """Record an event (at `now`, default time.monotonic()) and return the current rate."""
        now = time.monotonic() if now is None else now
        if self._last is not None:
            interval = max(now - self._last, 1e-9)
            self._interval = (
                interval
                if self._interval is None
                else (self.smoothing * self._interval + (1.0 - self.smoothing) * interval)
            )
        self._last = now
        return self.rate

    @property
    def rate(self) -> float:
        return 1.0 / self._interval if self._interval else 0.0

    def reset(self) -> None:
        self._last = self._interval = None
