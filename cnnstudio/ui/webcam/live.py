"""The live view's engine on the window's side: the camera package's frame loop, run as one long task of
the window's background mechanism (cnnstudio.ui.tasks), and the newest state for the tab to show.

A LatestFrameGrabber captures on its own thread (newest frame only). The frame loop
(cnnstudio.camera.pipeline.FrameLoop) classifies on a TaskRunner thread: it reports each result, extras
and problem with `task.partial` and stops within one frame when the task is cancelled. Models and options
change while it runs (they apply from the next frame on). The GUI never waits on either: `state()` reads
the newest frame and status from the grabber and the newest results the task delivered.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from cnnstudio.camera.frames import Frame, SourceStatus
from cnnstudio.camera.grabber import LatestFrameGrabber
from cnnstudio.camera.pipeline import ExtrasHook, FrameExtras, FrameLoop, FrameProblem, FrameResult
from cnnstudio.camera.sources import FrameSource
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.live import Extras, LiveModel, live_extras

TOP_K = 5
_KEY = "live"


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


class LiveClassifier(QObject):
    """Start a source, swap models and options while it runs, read the newest state.

    `stopped(SourceStatus)` when a run has ended (stopped on request, the source ended or failed) and its
    source is released.
    """

    stopped = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks = TaskRunner("cnnstudio-webcam-live", self)
        self._loop = FrameLoop(top_k=TOP_K)
        self._grabber: LatestFrameGrabber | None = None
        self._running = False
        self._model: LiveModel | None = None
        self._feature_layer: str | None = None
        self._grad_cam = False
        self._result: FrameResult | None = None
        self._extras: Extras | None = None
        self._problem = ""

    # ----- the source
    def start(self, source: FrameSource, *, mirror: bool = False) -> None:
        """Capture and classify `source`, replacing what runs (that run ends first and releases its source)."""
        grabber = LatestFrameGrabber(source, mirror=mirror)
        self._grabber, self._running = grabber, True
        self._result, self._extras, self._problem = None, None, ""
        self._tasks.submit(
            lambda task: self._follow(task, grabber),
            key=_KEY,
            on_partial=lambda event: self._delivered(grabber, event),
            on_done=lambda _status: self._ended(grabber),
            on_error=lambda error: self._ended(grabber, f"The live view stopped: {error}"),
            on_cancelled=lambda: self._ended(grabber),
        )

    def _follow(self, task: Task, grabber: LatestFrameGrabber) -> SourceStatus:
        """The task: run the frame loop on `grabber` until the source ends or the task is cancelled."""
        with grabber:
            for event in self._loop.run(grabber, stop=task.cancel):
                if not isinstance(event, SourceStatus):  # the GUI reads the status from the grabber
                    task.partial(event)
        return grabber.status()

    def stop(self) -> None:
        """End the run (within one frame); `stopped` follows once its source is released."""
        self._tasks.cancel(_KEY)

    @property
    def running(self) -> bool:
        return self._running

    def set_mirror(self, mirror: bool) -> None:
        if self._grabber is not None:
            self._grabber.mirror = mirror  # read by the grabber for each frame

    # ----- the model and the options
    @property
    def model(self) -> LiveModel | None:
        return self._model

    def set_model(self, model: LiveModel | None) -> None:
        self._model = model
        self._loop.set_model(model.classifier if model is not None else None, self._extras_hook())
        self._result, self._extras, self._problem = None, None, ""

    def set_smoothing(self, smoothing: float) -> None:
        self._loop.set_smoothing(smoothing)

    def set_feature_layer(self, layer: str | None) -> None:
        self._feature_layer = layer
        self._extras_changed()

    def set_grad_cam(self, enabled: bool) -> None:
        self._grad_cam = enabled
        self._extras_changed()

    def _extras_hook(self) -> ExtrasHook | None:
        if self._model is None:
            return None
        return live_extras(self._model, self._feature_layer, self._grad_cam)

    def _extras_changed(self) -> None:
        self._loop.set_extras(self._extras_hook())
        self._extras = None

    # ----- what the GUI reads
    def state(self) -> LiveState:
        grabber = self._grabber
        frame = grabber.latest() if grabber is not None else None
        status = grabber.status() if grabber is not None else None
        return LiveState(frame, self._result, self._extras, status, self._running, self._problem)

    def _delivered(self, grabber: LatestFrameGrabber, event: FrameResult | FrameExtras | FrameProblem) -> None:
        if grabber is not self._grabber or not self._loop.is_current(event.model):
            return  # from a run or a model that was replaced meanwhile
        if isinstance(event, FrameResult):
            self._result, self._problem = event, ""
        elif isinstance(event, FrameExtras):
            self._extras = event.value
        else:
            self._problem = event.message

    def _ended(self, grabber: LatestFrameGrabber, problem: str = "") -> None:
        if grabber is not self._grabber:
            return
        self._running = False
        if problem:
            self._problem = problem
        self.stopped.emit(grabber.status())

    def shutdown(self) -> None:
        """Stop the run and wait for it (the window is closing)."""
        self._tasks.shutdown()
