"""Videos made from real photographs and generated scenes, and a scripted source that can fail on cue."""

import threading

import cv2
import numpy as np

from cnnstudio.camera.sources import SourceEnded, SourceError

FRAMES_PER_PHOTO = 4  # the photo video: this many frames of the cat, then as many of the coffee


def write_video(path, frames, fps: float = 30.0):
    """Write BGR frames (all the same size) as an MJPG .avi, the way a webcam recording is often stored."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames:
        writer.write(frame)
    writer.release()
    return path


def shape_scene(kind: str, rng: np.random.Generator, background: np.ndarray, size=(320, 240)) -> np.ndarray:
    """A coloured circle or square somewhere on a photo background, with random brightness: two classes
    that no ImageNet label names, so telling them apart must be learned."""
    width, height = size
    image = (cv2.resize(background, size) * rng.uniform(0.6, 1.0)).astype(np.uint8)
    x, y = int(rng.integers(80, width - 80)), int(rng.integers(70, height - 70))
    radius = int(rng.integers(35, 60))
    colour = tuple(int(c) for c in rng.integers(0, 256, 3))
    if kind == "circle":
        cv2.circle(image, (x, y), radius, colour, -1)
    else:
        cv2.rectangle(image, (x - radius, y - radius), (x + radius, y + radius), colour, -1)
    return image


class ScriptedSource:
    """A camera-like source for grabber tests: delivers numbered frames, fails when told to, can freeze.

    fail_after: read() raises SourceError after this many frames (once), as an unplugged camera does.
    fail_opens: the next N open() calls fail, as a camera that is still missing does.
    """

    def __init__(self, *, live=True, frame_interval=None, reconnects=True, fail_after=None, fail_opens=0, limit=None):
        self.description = "scripted camera"
        self.live, self.frame_interval, self.reconnects = live, frame_interval, reconnects
        self.fail_after, self.fail_opens, self.limit = fail_after, fail_opens, limit
        self.delivered = 0
        self.opens = 0
        self.frozen = threading.Event()  # set: read() blocks until released
        self.released = threading.Event()

    def open(self):
        self.opens += 1
        if self.fail_opens:
            self.fail_opens -= 1
            raise SourceError("scripted camera cannot be opened")

    def read(self):
        if self.frozen.is_set():
            self.released.wait(10)
        if self.fail_after is not None and self.delivered == self.fail_after:
            self.fail_after = None
            raise SourceError("scripted camera was unplugged")
        if self.limit is not None and self.delivered >= self.limit:
            raise SourceEnded("scripted camera ended")
        frame = np.full((4, 6, 3), self.delivered % 256, np.uint8)
        frame[0, 0] = (1, 2, 3)
        self.delivered += 1
        return frame

    def close(self):
        pass
