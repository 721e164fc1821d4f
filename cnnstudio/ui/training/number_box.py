"""A spin box for rates that span decades (learning rate, weight decay): 0.001, 3e-4, 1e-05 …

It shows the shortest form of the number, accepts scientific notation, and its arrows step
through the 1-2-5 series (0.001 → 0.002 → 0.005 → 0.01), the steps people try by hand.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

_MANTISSAS = (1.0, 2.0, 5.0)


def step_125(value: float, up: bool, smallest: float) -> float:
    """The next number of the 1-2-5 series above (up) or below `value`; 0 below `smallest`."""
    if value <= 0:
        return smallest if up else 0.0
    exponent = math.floor(math.log10(value))
    series = [m * 10.0**e for e in range(exponent - 1, exponent + 2) for m in _MANTISSAS]
    if up:
        return min(candidate for candidate in series if candidate > value * (1 + 1e-9))
    below = [candidate for candidate in series if candidate < value * (1 - 1e-9)]
    return below[-1] if below and below[-1] >= smallest * (1 - 1e-9) else 0.0


class RateSpinBox(QDoubleSpinBox):
    """A QDoubleSpinBox for values from `smallest` (or 0 when `allow_zero`) to `maximum`."""

    def __init__(
        self, smallest: float, maximum: float, allow_zero: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.smallest = smallest
        self.setDecimals(12)  # the value is stored with this precision; the text stays short
        self.setRange(0.0 if allow_zero else smallest, maximum)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip())
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = stripped == "" or (stripped[-1] in ".eE-+" and _parses(stripped.rstrip(".eE-+") or "0"))
            return QValidator.Intermediate if partial else QValidator.Invalid
        return QValidator.Acceptable if self.minimum() <= value <= self.maximum() else QValidator.Intermediate

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = step_125(value, steps > 0, self.smallest)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def _parses(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
