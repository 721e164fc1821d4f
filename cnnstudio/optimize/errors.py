"""The one error the optimization functions raise for what a user can cause."""

from __future__ import annotations


class OptimizeError(Exception):
    """A run, option or network that cannot be optimized as asked; the message says what and what to do."""


OPTIMIZE_EXTRA = 'pip install "cnnstudio[optimize]"'
