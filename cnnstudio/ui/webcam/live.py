"""The live view's engine: a LatestFrameGrabber (its own thread, newest frame only) and an inference
thread that classifies the newest frame whenever it is free, through the camera package's
ClassificationPipeline. The GUI never waits on either: it reads `state()` at display rate.

Feature maps and Grad-CAM are computed on the inference thread for the newest frame every
EXTRAS_INTERVAL_S seconds, so the classification rate stays high and the video stays fluid.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass

from cnnstudio.camera.frames import Frame, SourceStatus
from cnnstudio.camera.grabber import LatestFrameGrabber
from cnnstudio.camera.pipeline import ClassificationPipeline, FrameResult
from cnnstudio.camera.sources import FrameSource
from cnnstudio.ui.webcam.extras import Extras, compute_extras
from cnnstudio.ui.webcam.models import LiveModel

EXTRAS_INTERVAL_S = 0.25
TOP_K = 5
_POLL_S = 0.1


@dataclass(frozen=True)
class LiveState:
    """A consistent snapshot for the GUI. frame: the newest captured frame. result: the newest
    classification (of `frame` or a slightly older one). problem: why the model could not classify."""

    frame: Frame | None
    result: FrameResult | None
    extras: Extras | None
    status: SourceStatus | None
    running: bool
    problem: str = ""


class LiveClassifier:
    """Start a source, swap models and options while it runs, read the newest state from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grabber: LatestFrameGrabber | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._model: LiveModel | None = None
        self._smoothing = 0.0
        self._feature_layer: str | None = None
        self._grad_cam = False
        self._result: FrameResult | None = None
        self._extras: Extras | None = None
        self._status: SourceStatus | None = None
        self._problem = ""

    # ----- control (GUI thread)
    def start(self, source: FrameSource, *, mirror: bool = False) -> None:
        """Stop what runs and start capturing and classifying `source`."""
        self.stop()
        with self._lock:
            self._result = self._extras = self._status = None
            self._problem = ""
        self._stop = threading.Event()
        self._grabber = LatestFrameGrabber(source, mirror=mirror).start()
        self._thread = threading.Thread(
            target=self._run, args=(self._grabber, self._stop), name="cnnstudio-webcam-inference", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop both threads and release the source (returns when they have ended)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._grabber is not None:
            self._grabber.stop()
            with self._lock:
                self._status = self._grabber.status()
        self._thread = self._grabber = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_model(self, model: LiveModel | None) -> None:
        with self._lock:
            self._model = model
            self._result = self._extras = None
            self._problem = ""

    @property
    def model(self) -> LiveModel | None:
        return self._model

    def set_mirror(self, mirror: bool) -> None:
        if self._grabber is not None:
            self._grabber.mirror = mirror  # read by the grabber for each frame

    def set_smoothing(self, smoothing: float) -> None:
        with self._lock:
            self._smoothing = smoothing

    def set_feature_layer(self, layer: str | None) -> None:
        with self._lock:
            self._feature_layer = layer
            self._extras = None

    def set_grad_cam(self, enabled: bool) -> None:
        with self._lock:
            self._grad_cam = enabled
            self._extras = None

    def state(self) -> LiveState:
        grabber = self._grabber
        frame = grabber.latest() if grabber is not None else None
        status = grabber.status() if grabber is not None else None
        with self._lock:
            return LiveState(frame, self._result, self._extras, status or self._status, self.running, self._problem)

    # ----- the inference thread
    def _run(self, grabber: LatestFrameGrabber, stop: threading.Event) -> None:
        last = -1
        model: LiveModel | None = None
        pipeline: ClassificationPipeline | None = None
        extras_due = 0.0
        while not stop.is_set():
            frame = grabber.next_frame(after=last, timeout=_POLL_S)
            status = grabber.status()
            if frame is None:
                if status.final:
                    return
                continue
            last = frame.index
            with self._lock:
                wanted, smoothing = self._model, self._smoothing
                feature_layer, grad_cam = self._feature_layer, self._grad_cam
            if wanted is not model:
                model = wanted
                pipeline = ClassificationPipeline(model.classifier, top_k=TOP_K) if model is not None else None
            if pipeline is None:
                continue  # no model yet: frames are still taken, so the video plays
            pipeline.smoothing = smoothing
            try:
                result = pipeline.classify(frame, capture_fps=status.fps)
            except (RuntimeError, ValueError) as error:
                self._publish(model, problem=f"{model.title} cannot classify these frames: {error}")
                continue
            result = dataclasses.replace(result, frame_age=max(0, grabber.newest_index - frame.index))
            self._publish(model, result=result)
            feature_layer = feature_layer if feature_layer in model.layers else None
            cam_layer = model.cam_layer if grad_cam else None
            if (feature_layer or cam_layer) and time.monotonic() >= extras_due:
                extras = compute_extras(model.classifier, frame, result.top[0].index, feature_layer, cam_layer)
                extras_due = time.monotonic() + EXTRAS_INTERVAL_S
                self._publish(model, extras=extras)

    def _publish(
        self, model: LiveModel, *, result: FrameResult | None = None, extras: Extras | None = None, problem: str = ""
    ) -> None:
        with self._lock:
            if model is not self._model:
                return  # computed with a model that was replaced meanwhile
            if result is not None:
                self._result = result
                self._problem = ""
            if extras is not None:
                self._extras = extras
            if problem:
                self._problem = problem
