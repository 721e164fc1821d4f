"""Numbers and failures as the Inspect tab writes them: measured values, grid cells, error messages."""

from __future__ import annotations

import math

from cnnstudio.data.pipeline import ImageError
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.viz.runtime import InspectError

# Errors whose message is written for the user: what is wrong and what to do.
_TOLD_AS_THEY_ARE = (InspectError, ModelLoadError, ImageError)


def format_value(value: float) -> str:
    """A measured value, short but exact enough to compare: 0.4123, −12.35, 1.2e-05."""
    if math.isnan(value):
        return "—"
    if value == round(value) and abs(value) < 1e5:
        return str(int(value)).replace("-", "−")
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.3g}".replace("-", "−")
    decimals = max(0, 3 - math.floor(math.log10(magnitude)))
    return f"{value:.{min(decimals, 4)}f}".replace("-", "−")


def format_compact(value: float) -> str:
    """A number for a small grid cell: whole numbers as they are ("2", "−1"), others to 3 significant
    digits ("0.123", "−12.3"); the exact value belongs in a tooltip."""
    if math.isnan(value):
        return "—"
    if value == round(value) and abs(value) < 1e5:
        return str(int(value)).replace("-", "−")
    text = f"{value:.3g}"
    if "e" in text:
        text = f"{value:.1e}"
    return text.replace("-", "−")


def error_message(error: Exception, action: str) -> str:
    """What to tell the user when `action` ("The attack", "Computing this view") failed: the error's own
    words when they are written for the user, otherwise what failed, the error's type (so it can be
    reported) and the first line of its message."""
    if isinstance(error, _TOLD_AS_THEY_ARE):
        return str(error)
    lines = str(error).strip().splitlines()
    return f"{action} failed: {type(error).__name__}" + (f": {lines[0]}" if lines else "")
