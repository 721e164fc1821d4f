"""What a frame source hands over: frames with their index and capture time, and status reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPENING = "opening"  # trying to open the source
RUNNING = "running"  # frames are arriving
ENDED = "ended"  # a video or folder has no more frames (not an error)
LOST = "lost"  # the source delivered frames, then failed (camera unplugged, read error)
FAILED = "failed"  # the source could not be opened (missing, busy, unreadable)
STALLED = "stalled"  # open, but no frame for longer than the stall timeout
STOPPED = "stopped"  # capture was stopped on request


def swap_red_blue(image: np.ndarray) -> np.ndarray:
    """BGR ↔ RGB: a camera frame's channel order for the views that show RGB, and back (a new array)."""
    return np.ascontiguousarray(image[:, :, ::-1])


@dataclass(frozen=True)
class Frame:
    """One captured image.

    image: BGR uint8 H×W×3, as OpenCV delivers it (mirrored when the grabber was asked to).
    index: 0, 1, 2 … in capture order, continuing across reconnections.
    timestamp: time.monotonic() when it was captured.
    """

    image: np.ndarray
    index: int
    timestamp: float


@dataclass(frozen=True)
class SourceStatus:
    """Where a frame source stands, with a message for the user.

    retrying: the grabber will try to open the source again (cameras after a failure).
    frames: frames captured so far. fps: the capture rate. resolution: (width, height) of the last frame.
    """

    state: str
    message: str
    source: str
    retrying: bool = False
    frames: int = 0
    fps: float = 0.0
    resolution: tuple[int, int] | None = None

    @property
    def display(self) -> str:
        """The message as shown to the user, saying when the grabber is trying again."""
        return f"{self.message} (trying again)" if self.retrying else self.message

    @property
    def is_error(self) -> bool:
        return self.state in (LOST, FAILED, STALLED)

    @property
    def final(self) -> bool:
        """No more frames will come (the video ended, capture stopped, or it failed for good)."""
        return self.state in (ENDED, STOPPED) or (self.state in (LOST, FAILED) and not self.retrying)
