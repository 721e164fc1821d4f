"""The classification pipeline: frame → the classifier's preprocessing → model → top-k, with timing.

`ClassificationPipeline.classify` handles one frame; `run` drives it from a LatestFrameGrabber and
yields results and status changes, so a GUI worker thread and the command line use the same loop:

    with LatestFrameGrabber(open_source("0")) as grabber:
        for item in ClassificationPipeline(load_classifier("efficientnet_lite0")).run(grabber):
            ...  # FrameResult or SourceStatus
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch

from cnnstudio.camera.frames import Frame, SourceStatus
from cnnstudio.camera.grabber import LatestFrameGrabber
from cnnstudio.camera.rates import RateMeter
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.predictions import Prediction

_POLL_S = 0.1


@dataclass(frozen=True)
class FrameResult:
    """The classification of one frame.

    top: the most probable classes, most probable first (smoothed over frames when asked).
    probabilities: all classes' probabilities [classes] (smoothed likewise).
    latency_ms: preprocessing + model + top-k for this frame. fps: classifications per second.
    capture_fps: frames per second delivered by the source.
    frame_age: frames captured after this one by the time its result was ready (0: nothing newer).
    """

    frame: Frame
    top: list[Prediction]
    probabilities: torch.Tensor
    latency_ms: float
    fps: float
    capture_fps: float = 0.0
    frame_age: int = 0

    def to_json(self) -> dict[str, Any]:
        """The `cnnstudio classify --json` line: {"frame", "top": [{"label", "prob"}], "fps", "latency_ms"}."""
        return {
            "frame": self.frame.index,
            "top": [{"label": p.label, "prob": round(p.prob, 6)} for p in self.top],
            "fps": round(self.fps, 3),
            "latency_ms": round(self.latency_ms, 3),
        }


class ClassificationPipeline:
    """Classify frames with `classifier`.

    top_k: how many classes each result lists. smoothing: weight of the past in an exponential moving
    average of the probabilities over frames (0: none; 0.8 steadies a flickering label).
    """

    def __init__(self, classifier: Classifier, *, top_k: int = 5, smoothing: float = 0.0) -> None:
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, not {top_k}")
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing {smoothing} must lie in [0, 1)")
        self.classifier = classifier
        self.top_k = top_k
        self.smoothing = smoothing
        self._average: torch.Tensor | None = None
        self._rate = RateMeter()

    def reset(self) -> None:
        """Forget the smoothing history and the rate (a new source, a new model)."""
        self._average = None
        self._rate.reset()

    def classify(self, frame: Frame, *, capture_fps: float = 0.0) -> FrameResult:
        """Classify one frame (its `frame_age` is left at 0: only `run` knows what was captured meanwhile)."""
        start = time.perf_counter()
        classifier = self.classifier
        x = classifier.preprocessing.frame_tensor(frame.image, classifier.device)
        probabilities = classifier.predict(x)[0]
        if self.smoothing:
            if self._average is None or self._average.shape != probabilities.shape:
                self._average = probabilities
            else:
                self._average = self.smoothing * self._average + (1.0 - self.smoothing) * probabilities
            probabilities = self._average
        top = classifier.top(probabilities, self.top_k)
        latency_ms = (time.perf_counter() - start) * 1000.0
        return FrameResult(frame, top, probabilities, latency_ms, self._rate.tick(), capture_fps)

    def run(
        self, grabber: LatestFrameGrabber, *, max_frames: int | None = None, stop: threading.Event | None = None
    ) -> Iterator[FrameResult | SourceStatus]:
        """Classify the newest frame whenever the last result is done, until the source is finished,
        `max_frames` results were produced, or `stop` is set.

        Yields each FrameResult, and the grabber's SourceStatus whenever it changes (opening, running,
        lost, stalled, ended …). The grabber must be started; it is not stopped here, and the
        pipeline stays usable with another grabber afterwards.
        """
        self.reset()
        last_index = -1
        produced = 0
        reported: tuple[str, str] | None = None
        while not (stop is not None and stop.is_set()) and (max_frames is None or produced < max_frames):
            frame = grabber.next_frame(after=last_index, timeout=_POLL_S)
            status = grabber.status()
            if (status.state, status.message) != reported:
                reported = (status.state, status.message)
                yield status
            if frame is None:
                if status.final:
                    return
                continue
            last_index = frame.index
            result = self.classify(frame, capture_fps=status.fps)
            produced += 1
            yield dataclasses.replace(result, frame_age=max(0, grabber.newest_index - frame.index))
