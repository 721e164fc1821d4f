"""The progress callback every slow data operation accepts."""

from collections.abc import Callable

Progress = Callable[[str, float], None]
"""progress(message, fraction): what is happening ("Downloading CIFAR-10 (12.0 of 170.5 MB)") and
how far the current step is, from 0.0 to 1.0. It is called on the thread that called the loading
function, never from worker threads. If it raises (for example to cancel), loading stops and the
exception propagates; nothing half-written is left behind."""
