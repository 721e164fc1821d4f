"""Finding the cameras OpenCV can open, with a short time limit.

Opening a camera that does not exist can block for seconds on some systems, so each index is probed on
its own daemon thread and whatever has answered by the deadline is reported. On Linux only the
indices with a /dev/videoN device are probed.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from cnnstudio.camera.sources import open_camera_capture, quiet_opencv

MAX_INDEX = 8


@dataclass(frozen=True)
class CameraInfo:
    """A camera that opened and delivered a frame of width×height."""

    index: int
    width: int
    height: int

    @property
    def label(self) -> str:
        return f"Camera {self.index} ({self.width}×{self.height})"


def candidate_indices(max_index: int = MAX_INDEX) -> list[int]:
    if sys.platform.startswith("linux"):
        return sorted(
            int(p.name[5:]) for p in Path("/dev").glob("video*") if p.name[5:].isdigit() and int(p.name[5:]) < max_index
        )
    return list(range(max_index))


def list_cameras(max_index: int = MAX_INDEX, timeout: float = 3.0) -> list[CameraInfo]:
    """The cameras that open and deliver a frame within `timeout` seconds in all, by index."""
    found: dict[int, CameraInfo] = {}
    lock = threading.Lock()

    def probe(index: int) -> None:
        capture = open_camera_capture(index, timeout_ms=int(timeout * 1000))
        try:
            with quiet_opencv():
                ok, frame = capture.read() if capture.isOpened() else (False, None)
            if ok and frame is not None:
                with lock:
                    found[index] = CameraInfo(index, frame.shape[1], frame.shape[0])
        finally:
            capture.release()

    threads = [
        threading.Thread(target=probe, args=(i,), name=f"probe camera {i}", daemon=True)
        for i in candidate_indices(max_index)
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    with lock:
        return [found[index] for index in sorted(found)]
