"""The frame loop: the newest frame → the model's preprocessing → model → top-k, with rates and latency.

One loop serves `cnnstudio classify` and the Webcam tab. It takes the newest frame from a started
LatestFrameGrabber whenever it is free (frames it was too slow for are dropped by the grabber), and yields
what happened, in order:

- `SourceStatus` whenever the source's state changes (opening, running, lost, stalled, ended …);
- `FrameResult` for each frame the model classified;
- `FrameProblem` when the model could not classify a frame (the loop goes on with the next one);
- `FrameExtras` with what the extras hook computed for the newest result, at most every
  `extras_interval` seconds (the Webcam tab's feature maps and Grad-CAM), so the classification rate
  stays high.

The model can be swapped (or removed) from any thread while the loop runs; the swap takes effect between
two frames. Without a model the loop still takes each frame, so a GUI that shows the grabber's newest
frame plays the video. `stop` (a threading.Event) ends the loop within one frame.

    with LatestFrameGrabber(open_source("0")) as grabber:
        for event in FrameLoop(load_classifier("efficientnet_lite0")).run(grabber):
            ...
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnstudio.camera.frames import Frame, SourceStatus
from cnnstudio.camera.grabber import LatestFrameGrabber
from cnnstudio.camera.rates import RateMeter
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.predictions import Prediction

_POLL_S = 0.1
EXTRAS_INTERVAL_S = 0.25

# extras(model, frame image, index of the top class) → anything the caller wants beside the classes.
ExtrasHook = Callable[[Classifier, np.ndarray, int], Any]


@dataclass(frozen=True)
class FrameResult:
    """The classification of one frame by `model`.

    top: the most probable classes, most probable first (smoothed over frames when asked).
    probabilities: all classes' probabilities [classes] as float32 (smoothed likewise).
    latency_ms: preprocessing + model + top-k for this frame. fps: classifications per second.
    capture_fps: frames per second delivered by the source.
    frame_age: frames captured after this one by the time its result was ready (0: nothing newer).
    """

    frame: Frame
    top: list[Prediction]
    probabilities: np.ndarray
    latency_ms: float
    fps: float
    capture_fps: float = 0.0
    frame_age: int = 0
    model: Classifier | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The `cnnstudio classify --json` line: {"frame", "top": [{"label", "prob"}], "fps", "latency_ms"}."""
        return {
            "frame": self.frame.index,
            "top": [{"label": p.label, "prob": round(p.prob, 6)} for p in self.top],
            "fps": round(self.fps, 3),
            "latency_ms": round(self.latency_ms, 3),
        }


@dataclass(frozen=True)
class FrameProblem:
    """`model` could not classify frame `frame_index` (or compute its extras): `message` says why."""

    frame_index: int
    message: str
    model: Classifier = field(compare=False, repr=False)


@dataclass(frozen=True)
class FrameExtras:
    """What the extras hook returned for frame `frame_index` classified by `model`."""

    frame_index: int
    value: Any
    model: Classifier = field(compare=False, repr=False)


LoopEvent = SourceStatus | FrameResult | FrameProblem | FrameExtras


class FrameLoop:
    """Classify the newest frames with a model that may change while the loop runs.

    top_k: how many classes each result lists. smoothing: weight of the past in an exponential moving
    average of the probabilities over frames (0: none; 0.8 steadies a flickering label).
    extras: see `set_model`. extras_interval: the least time between two extras computations.
    """

    def __init__(
        self,
        model: Classifier | None = None,
        *,
        top_k: int = 5,
        smoothing: float = 0.0,
        extras: ExtrasHook | None = None,
        extras_interval: float = EXTRAS_INTERVAL_S,
    ) -> None:
        if top_k < 1:
            raise ValueError(f"top_k must be at least 1, not {top_k}")
        self.top_k = top_k
        self.extras_interval = extras_interval
        self._lock = threading.Lock()
        self._model = model
        self._extras = extras
        self._smoothing = 0.0
        self.set_smoothing(smoothing)

    # ----- settings (any thread; they apply from the next frame on)
    @property
    def model(self) -> Classifier | None:
        return self._model

    def set_model(self, model: Classifier | None, extras: ExtrasHook | None = None) -> None:
        """Classify the next frames with `model` (None: take frames without classifying them).

        extras(model, image, top class index) runs beside the classification for the newest frame (no
        more often than every `extras_interval` seconds); None turns it off. It comes with the model,
        since what it computes (a layer's feature maps) depends on it.
        """
        with self._lock:
            self._model, self._extras = model, extras

    def set_extras(self, extras: ExtrasHook | None) -> None:
        """Change the extras hook of the current model (see `set_model`)."""
        with self._lock:
            self._extras = extras

    def set_smoothing(self, smoothing: float) -> None:
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing {smoothing} must lie in [0, 1)")
        with self._lock:
            self._smoothing = smoothing

    def is_current(self, model: Classifier | None) -> bool:
        """Whether `model` (an event's) is the one the loop classifies with now: events of a model that
        was swapped out meanwhile are stale."""
        return model is self._model

    # ----- the loop
    def run(
        self, grabber: LatestFrameGrabber, *, max_frames: int | None = None, stop: threading.Event | None = None
    ) -> Iterator[LoopEvent]:
        """Take the newest frame whenever the last one is done, until the source is finished,
        `max_frames` results were produced, or `stop` is set; yield the events of the module docstring.

        The grabber must be started; it is not stopped here, and the loop can run again afterwards (with
        another grabber).
        """
        last_index, produced = -1, 0
        reported: tuple[str, str] | None = None
        state = _ModelState(None)
        extras_due = 0.0
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
            with self._lock:
                model, extras, smoothing = self._model, self._extras, self._smoothing
            if model is not state.model:
                state, extras_due = _ModelState(model), 0.0
            if model is None:
                continue
            try:
                result = self._classify(state, frame, smoothing, status.fps)
            except (RuntimeError, ValueError) as error:
                yield FrameProblem(frame.index, f"{_name(model)} cannot classify these frames: {error}", model)
                continue
            produced += 1
            yield dataclasses.replace(result, frame_age=max(0, grabber.newest_index - frame.index))
            if extras is not None and time.monotonic() >= extras_due:
                try:
                    value = extras(model, frame.image, result.top[0].index)
                except (RuntimeError, ValueError) as error:
                    yield FrameProblem(frame.index, f"{_name(model)}: {error}", model)
                else:
                    yield FrameExtras(frame.index, value, model)
                extras_due = time.monotonic() + self.extras_interval

    def _classify(self, state: _ModelState, frame: Frame, smoothing: float, capture_fps: float) -> FrameResult:
        start = time.perf_counter()
        model = state.model
        assert model is not None
        x = model.preprocessing.frame_tensor(frame.image, model.device)
        probabilities = model.predict(x)[0]
        if smoothing and state.average is not None and state.average.shape == probabilities.shape:
            probabilities = smoothing * state.average + (1.0 - smoothing) * probabilities
        state.average = probabilities
        top = model.top(probabilities, self.top_k)
        latency_ms = (time.perf_counter() - start) * 1000.0
        return FrameResult(frame, top, probabilities.numpy(), latency_ms, state.rate.tick(), capture_fps, model=model)


@dataclass
class _ModelState:
    """What the loop keeps per model: its smoothing history and its classification rate."""

    model: Classifier | None
    average: Any = None
    rate: RateMeter = field(default_factory=RateMeter)


def _name(model: Classifier) -> str:
    return model.name or "the model"
