"""LatestFrameGrabber: reads a frame source on its own thread and keeps only the newest frame.

Whoever shows or classifies frames asks for the newest one when it is ready for it, so what it gets is
never stale: frames it was too slow for are dropped here, not queued. The grabber also turns
everything that can go wrong into a SourceStatus (a camera that is missing, busy or unplugged, a video
that ends, a source that stops delivering) and, for cameras, keeps trying to open the source again
until it is back.

For sources that are not live (a file processed frame by frame) the one slot applies back-pressure
instead: the next frame is decoded while the current one is being classified, and the grabber waits
until it is taken, so no frame is lost and none is older than one frame.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

from cnnstudio.camera.frames import (
    ENDED,
    FAILED,
    LOST,
    OPENING,
    RUNNING,
    STALLED,
    STOPPED,
    Frame,
    SourceStatus,
)
from cnnstudio.camera.rates import RateMeter
from cnnstudio.camera.sources import FrameSource, SourceEnded, SourceError

StatusCallback = Callable[[SourceStatus], None]


class LatestFrameGrabber:
    """Capture on a background thread with a one-frame buffer.

    mirror: flip frames horizontally (a selfie view). retry_interval: seconds between attempts to open a
    source that reconnects (cameras) after it failed or was lost. stall_timeout: seconds without a
    frame after which a running source is reported STALLED. on_status(status): called on the grabber
    thread whenever the status changes (a GUI forwards it with a signal).
    """

    def __init__(
        self,
        source: FrameSource,
        *,
        mirror: bool = False,
        retry_interval: float = 1.0,
        stall_timeout: float = 3.0,
        on_status: StatusCallback | None = None,
    ) -> None:
        self.source = source
        self.mirror = mirror
        self.retry_interval = retry_interval
        self.stall_timeout = stall_timeout
        self._on_status = on_status
        self._condition = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._frame: Frame | None = None
        self._taken = -1  # index of the newest frame a consumer took
        self._count = 0
        self._last_time: float | None = None
        self._rate = RateMeter()
        self._status = SourceStatus(OPENING, f"opening {source.description}", source.description)

    # ----- lifecycle
    def start(self) -> LatestFrameGrabber:
        if self._thread is not None:
            raise RuntimeError("the grabber was already started")
        self._thread = threading.Thread(target=self._run, name=f"grab {self.source.description}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop capturing and release the source (from the grabber thread, once its read returns)."""
        self._stop.set()
        with self._condition:
            self._condition.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> LatestFrameGrabber:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ----- for consumers (any thread)
    def latest(self) -> Frame | None:
        """The newest frame, without waiting (None before the first one)."""
        with self._condition:
            return self._frame

    @property
    def newest_index(self) -> int:
        """Index of the newest frame captured (-1 before the first)."""
        with self._condition:
            return self._count - 1

    def next_frame(self, after: int = -1, timeout: float | None = None) -> Frame | None:
        """Wait for a frame newer than index `after` and take it; None on timeout or when no more will come."""
        with self._condition:
            self._condition.wait_for(lambda: self._newer(after) or self._finished(), timeout)
            if not self._newer(after):
                return None
            frame = self._frame
            self._taken = frame.index
            self._condition.notify_all()  # a paced-by-consumer source may decode the next frame now
            return frame

    def status(self) -> SourceStatus:
        """The current status, reporting STALLED when a running source has sent nothing for a while."""
        with self._condition:
            status = dataclasses.replace(self._status, frames=self._count, fps=self._rate.rate)
            silent = time.monotonic() - self._last_time if self._last_time is not None else 0.0
            # A file handed over frame by frame waits for its consumer: that silence is not a stall.
            waited_on = self.source.live or self._frame is None or self._taken >= self._frame.index
        if status.state == RUNNING and waited_on and silent > self.stall_timeout:
            return dataclasses.replace(
                status, state=STALLED, fps=0.0, message=f"no frame from {self.source.description} for {silent:.0f} s"
            )
        return status

    def _newer(self, after: int) -> bool:
        return self._frame is not None and self._frame.index > after

    def _finished(self) -> bool:
        return self._stop.is_set() or self._status.final

    # ----- the capture thread
    def _run(self) -> None:
        import cv2

        source = self.source
        try:
            while not self._stop.is_set():
                try:
                    source.open()
                    self._capture(source)
                except SourceEnded as end:
                    self._set_status(ENDED, str(end))
                    return
                except (SourceError, cv2.error, OSError) as error:
                    state = LOST if self._status.state == RUNNING else FAILED
                    retrying = source.reconnects and not self._stop.is_set()
                    self._set_status(state, str(error), retrying=retrying)
                    if not retrying:
                        return
                except Exception as error:  # a fault in a source: report it rather than leave consumers waiting
                    self._set_status(FAILED, f"{source.description} failed: {type(error).__name__}: {error}")
                    return
                finally:
                    source.close()
                self._stop.wait(self.retry_interval)
        finally:
            if self._stop.is_set():
                self._set_status(STOPPED, f"{source.description} stopped")

    def _capture(self, source: FrameSource) -> None:
        import cv2

        due: float | None = None
        while not self._stop.is_set():
            image = source.read()
            if self.mirror:
                image = cv2.flip(image, 1)
            interval = source.frame_interval
            if interval:  # play at the source's pace; after a hold-up, resume without a burst
                now = time.monotonic()
                due = now if due is None else max(due + interval, now - interval)
                if self._stop.wait(max(0.0, due - now)):
                    return
            self._publish(image, source.live)

    def _publish(self, image, live: bool) -> None:
        with self._condition:
            if not live:  # back-pressure: hand over every frame, one at a time
                self._condition.wait_for(
                    lambda: self._frame is None or self._taken >= self._frame.index or self._stop.is_set()
                )
                if self._stop.is_set():
                    return
            now = time.monotonic()
            self._frame = Frame(image, self._count, now)
            self._count += 1
            self._last_time = now
            self._rate.tick(now)
            self._condition.notify_all()
            first = self._status.state != RUNNING
        if first:
            height, width = image.shape[:2]
            self._set_status(RUNNING, f"{self.source.description}: {width}×{height}", resolution=(width, height))

    def _set_status(
        self, state: str, message: str, *, retrying: bool = False, resolution: tuple[int, int] | None = None
    ) -> None:
        with self._condition:
            previous = self._status
            self._status = SourceStatus(
                state,
                message,
                self.source.description,
                retrying,
                self._count,
                self._rate.rate,
                resolution or previous.resolution,
            )
            if state != RUNNING:
                self._rate.reset()
                self._last_time = None
            self._condition.notify_all()
            status = self._status
        if self._on_status is not None and (previous.state, previous.message) != (state, message):
            self._on_status(status)
