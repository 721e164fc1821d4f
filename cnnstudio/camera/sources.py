"""Frame sources: a camera, a video file, a folder of images — one small interface for all three.

A source only opens, reads one frame and closes; timing, threading, mirroring and recovery belong to
LatestFrameGrabber. `live` sources deliver in real time whether or not anyone is looking (a camera,
or a file played at its own frame rate), so the grabber keeps only their newest frame; the others
hand over every frame, one at a time, for offline processing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from cnnstudio.camera.frames import swap_red_blue
from cnnstudio.data.decode import ACCEPTED_EXTENSIONS
from cnnstudio.data.pipeline import ImageError, decode

if TYPE_CHECKING:  # OpenCV is imported where a camera or video is opened, not with this module
    import cv2

DEFAULT_FOLDER_INTERVAL_S = 1.0
_CAMERA_TIMEOUT_MS = 3000


class SourceError(Exception):
    """The source cannot be opened or stopped delivering; the message is for the user."""


class SourceEnded(Exception):
    """A video or folder has no more frames."""


class FrameSource(Protocol):
    """What LatestFrameGrabber reads.

    description: names the source in messages ("camera 0", "video cat.avi").
    live: frames come in real time; a consumer that is slower misses some (the grabber keeps the newest).
    frame_interval: seconds between frames when the grabber must pace the source itself (a file played
        in real time); None when reading already waits for the next frame (a camera) or there is no pace.
    reconnects: worth opening again after a failure (a camera that was unplugged or busy).
    """

    description: str
    live: bool
    frame_interval: float | None
    reconnects: bool

    def open(self) -> None:
        """Open the source; raises SourceError saying why it cannot be."""

    def read(self) -> np.ndarray:
        """The next frame (BGR uint8 H×W×3); raises SourceEnded at the end, SourceError on failure."""

    def close(self) -> None:
        """Release the source (safe to call when it is not open)."""


@contextlib.contextmanager
def quiet_opencv() -> Iterator[None]:
    """Silence OpenCV's own warnings (e.g. "can't open camera by index"): CNN Studio reports failures itself."""
    import cv2

    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def open_camera_capture(index: int, timeout_ms: int = _CAMERA_TIMEOUT_MS) -> cv2.VideoCapture:
    """cv2.VideoCapture for camera `index`, with open/read timeouts where the backend supports them."""
    import cv2

    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, timeout_ms, cv2.CAP_PROP_READ_TIMEOUT_MSEC, timeout_ms]
    with quiet_opencv():
        return cv2.VideoCapture(index, cv2.CAP_ANY, params)


class _CaptureSource:
    """What cameras and video files share: an OpenCV VideoCapture that is kept while it works, read, and
    released."""

    description: str
    _capture: cv2.VideoCapture | None = None

    def _keep(self, capture: cv2.VideoCapture, unusable: str) -> None:
        """Use `capture` if it opened; otherwise release it and raise SourceError(unusable)."""
        if not capture.isOpened():
            capture.release()
            raise SourceError(unusable)
        self._capture = capture

    def _read(self) -> tuple[bool, np.ndarray | None]:
        if self._capture is None:
            raise SourceError(f"{self.description} is not open")
        return self._capture.read()

    def close(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None


class CameraSource(_CaptureSource):
    """A camera OpenCV can open by index; `resolution` (width, height) is requested from the driver."""

    live = True
    frame_interval = None
    reconnects = True

    def __init__(self, index: int, resolution: tuple[int, int] | None = None) -> None:
        self.index = index
        self.resolution = resolution
        self.description = f"camera {index}"

    def open(self) -> None:
        import cv2

        self._keep(
            open_camera_capture(self.index),
            f"camera {self.index} cannot be opened: it is not connected, or another program is using it",
        )
        if self.resolution is not None:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.resolution[0])
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.resolution[1])

    def read(self) -> np.ndarray:
        with quiet_opencv():
            ok, frame = self._read()
        if not ok or frame is None:
            raise SourceError(f"camera {self.index} stopped delivering frames (unplugged, or taken by another program)")
        return frame


class VideoFileSource(_CaptureSource):
    """A video file: every frame in order, or (realtime=True) played at its own frame rate like a camera."""

    reconnects = False

    def __init__(self, path: str | os.PathLike, *, realtime: bool = False, loop: bool = False) -> None:
        self.path = Path(path)
        self.live = realtime
        self.loop = loop
        self.description = f"video {self.path.name}"
        self.frame_interval: float | None = None
        self._delivered = 0

    def open(self) -> None:
        import cv2

        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file")
        with quiet_opencv():
            capture = cv2.VideoCapture(str(self.path))
        self._keep(
            capture, f"{self.path} cannot be read as a video (damaged, or a format OpenCV's FFmpeg cannot decode)"
        )
        fps = capture.get(cv2.CAP_PROP_FPS)
        self.frame_interval = (1.0 / fps if fps and 0 < fps < 1000 else 1.0 / 30) if self.live else None
        self._delivered = 0

    def read(self) -> np.ndarray:
        ok, frame = self._read()
        if not ok and self.loop and self._delivered:
            import cv2

            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._read()
        if not ok or frame is None:
            if not self._delivered:
                raise SourceError(f"{self.path} has no frame OpenCV can decode")
            raise SourceEnded(f"the video {self.path.name} ended after {self._delivered} frames")
        self._delivered += 1
        return frame


class ImageFolderSource:
    """The images of a folder (and its sub-folders) in name order, one frame each; unreadable files are skipped.

    Images are decoded as everywhere else (cnnstudio.data.pipeline: upright, 16-bit, CMYK, transparency)
    and delivered as BGR frames, the camera's layout.

    realtime=True shows each image for `interval` seconds, like a slow camera.
    """

    reconnects = False

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        realtime: bool = False,
        interval: float = DEFAULT_FOLDER_INTERVAL_S,
        loop: bool = False,
    ) -> None:
        self.path = Path(path)
        self.live = realtime
        self.frame_interval = interval if realtime else None
        self.loop = loop
        self.description = f"folder {self.path.name}"
        self.skipped: list[str] = []
        self._files: list[Path] = []
        self._position = 0
        self._delivered = 0

    def open(self) -> None:
        if self.path.is_file() and self.path.suffix.lower() in ACCEPTED_EXTENSIONS:
            self._files = [self.path]
        elif self.path.is_dir():
            self._files = sorted(
                p
                for p in self.path.rglob("*")
                if p.suffix.lower() in ACCEPTED_EXTENSIONS and p.is_file() and not _hidden(p.relative_to(self.path))
            )
        else:
            raise SourceError(f"{self.path}: no such folder")
        if not self._files:
            raise SourceError(f"{self.path} holds no images ({', '.join(sorted(ACCEPTED_EXTENSIONS))})")
        self._position = self._delivered = 0
        self.skipped = []

    def read(self) -> np.ndarray:
        while True:
            if self._position >= len(self._files):
                if not self._delivered:
                    raise SourceError(f"none of the {len(self._files)} images in {self.path} can be read")
                if not self.loop:
                    raise SourceEnded(f"all {self._delivered} images of {self.path.name} were shown")
                self._position = 0
            path = self._files[self._position]
            self._position += 1
            try:
                rgb = np.asarray(decode(path, 3))
            except ImageError as error:
                self.skipped.append(str(error))
                continue
            self._delivered += 1
            return swap_red_blue(rgb)

    def close(self) -> None:
        self._files = []


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def open_source(
    spec: str | int, *, resolution: tuple[int, int] | None = None, realtime: bool = False, loop: bool = False
) -> FrameSource:
    """A source for `spec`: a camera index (0, "1"), a video file, a folder of images, or one image file.

    realtime: play files at their own pace (a video at its frame rate, images one per second), as a
    camera would deliver them; otherwise every frame is handed over in order. Cameras are always live.
    The source is not opened yet. Raises SourceError when `spec` names nothing that exists.
    """
    text = str(spec).strip()
    if text.isdigit():
        return CameraSource(int(text), resolution)
    path = Path(text).expanduser()
    if path.is_dir() or (path.is_file() and path.suffix.lower() in ACCEPTED_EXTENSIONS):
        return ImageFolderSource(path, realtime=realtime, loop=loop)
    if path.is_file():
        return VideoFileSource(path, realtime=realtime, loop=loop)
    if "://" in text:
        raise SourceError(
            f"{text!r}: network streams are not supported; record the stream to a video file, or use a camera number"
        )
    raise SourceError(f"{text!r} is not a camera number, a video file or a folder of images")
