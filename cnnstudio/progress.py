"""The progress and cancellation conventions of every slow core function (pure Python).

A slow function (loading or downloading data, training a head, timing networks, an attribution map, a
t-SNE embedding) takes `progress(message, fraction)` and/or a `cancel` flag:

- `progress(message, fraction)`: what is happening ("Downloading CIFAR-10 (12.0 of 170.5 MB)") and how
  far the current step is, from 0.0 to 1.0. It is called on the thread that runs the function. If it
  raises (the GUI's task runner raises `Cancelled` once the user cancelled), the function stops and the
  exception propagates; nothing half-written is left behind.
- `progress(fraction)` (`FractionProgress`): the same for functions whose steps need no message (the
  inspector's attribution, embedding and adversarial functions).
- `cancel`: anything with `is_set()` (a `threading.Event`); the function calls `check_cancel(cancel)`
  between steps and so raises `Cancelled`.

`Cancelled` is the one exception that means "stopped on request, no result"; callers treat it as an
outcome, never as an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

Progress = Callable[[str, float], None]
FractionProgress = Callable[[float], None]  # progress(fraction), for steps that need no message


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


class Cancelled(Exception):
    """The caller cancelled; the computation stopped without a result."""


def check_cancel(cancel: CancelFlag | None) -> None:
    """Raise `Cancelled` if `cancel` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


def no_progress(message: str, fraction: float) -> None:
    """A `Progress` that reports nowhere."""
