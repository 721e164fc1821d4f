"""Checking and formatting layer parameter values against their ParamSpec."""

from __future__ import annotations

import math
from typing import Any

from cnnstudio.graph.catalog import BOOL, CHOICE, FLOAT, INT, OPTIONAL_PAIR, PADDING, PAIR, ParamSpec

PADDING_WORDS = ("same", "valid")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _range_text(spec: ParamSpec) -> str:
    low = "" if spec.minimum is None else f"{spec.minimum:g}"
    high = "" if spec.maximum is None else f"{spec.maximum:g}"
    return f"{low}…{high}"


def _check_number(spec: ParamSpec, value: float) -> str | None:
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        return f"{spec.name} = {value!r} is out of range; allowed {_range_text(spec)}"
    return None


def _check_pair(spec: ParamSpec, value: Any) -> str | None:
    items = value if isinstance(value, list | tuple) else [value]
    if len(items) not in (1, 2) or not all(_is_int(v) for v in items):
        return f"{spec.name} must be a whole number or a [height, width] pair, not {value!r}"
    for item in items:
        problem = _check_number(spec, item)
        if problem:
            return problem
    return None


def check_param(spec: ParamSpec, value: Any) -> str | None:
    """A plain-language problem with `value` for this parameter, or None if it is valid."""
    if spec.kind == INT:
        if not _is_int(value):
            return f"{spec.name} must be a whole number, not {value!r}"
        return _check_number(spec, value)
    if spec.kind == FLOAT:
        if not (_is_int(value) or isinstance(value, float)) or not math.isfinite(value):
            return f"{spec.name} must be a number, not {value!r}"
        return _check_number(spec, value)
    if spec.kind == BOOL:
        return None if isinstance(value, bool) else f"{spec.name} must be true or false, not {value!r}"
    if spec.kind == CHOICE:
        if value not in spec.choices:
            return f"{spec.name} must be one of {', '.join(map(repr, spec.choices))}, not {value!r}"
        return None
    if spec.kind == PADDING and isinstance(value, str):
        return (
            None
            if value in PADDING_WORDS
            else f"{spec.name} must be a number, a pair, 'same' or 'valid', not {value!r}"
        )
    if spec.kind == OPTIONAL_PAIR and value is None:
        return None
    if spec.kind in (PAIR, PADDING, OPTIONAL_PAIR):
        return _check_pair(spec, value)
    raise ValueError(f"unknown parameter kind {spec.kind!r}")


def as_pair(value: Any) -> tuple[int, int]:
    """(height, width) of a PAIR value: 3 → (3, 3), [3, 5] → (3, 5)."""
    if isinstance(value, list | tuple):
        return (int(value[0]), int(value[-1]))
    return (int(value), int(value))


def normalize(value: Any) -> Any:
    """JSON-friendly canonical form: tuples become lists, equal pairs collapse to one number."""
    if isinstance(value, list | tuple):
        items = [normalize(v) for v in value]
        if len(items) == 2 and items[0] == items[1] and _is_int(items[0]):
            return items[0]
        return items
    return value


def format_value(value: Any) -> str:
    """Compact display: 3 → '3', [3, 5] → '3×5', None → 'auto', True → 'yes'."""
    if value is None:
        return "auto"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return "×".join(format_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
