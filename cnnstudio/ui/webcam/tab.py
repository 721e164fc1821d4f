"""The Webcam tab: a live view of a camera, video file or image folder classified frame by frame, with
the top-5 classes, rates and latency, live feature maps and Grad-CAM, snapshots to the Inspect tab, and
teaching a new classifier from recorded frames.

Capture runs on its own thread and the frame loop on a background task (`LiveClassifier`); the tab shows
their newest state at display rate from a QTimer, so the window never waits for the camera or the model.
The model follows the window (the design being edited, the Training tab's model: `ModelPanel`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from cnnstudio.camera.frames import Frame, SourceStatus, swap_red_blue
from cnnstudio.camera.pipeline import FrameResult
from cnnstudio.camera.sources import FrameSource, SourceError
from cnnstudio.pretrained.teach import TeachResult
from cnnstudio.ui.session import ModelChoice
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.webcam.dialogs import WebcamDialogs
from cnnstudio.ui.webcam.feature_panel import FeaturePanel
from cnnstudio.ui.webcam.live import LiveClassifier, LiveState
from cnnstudio.ui.webcam.live_pane import SMOOTHING, LivePane
from cnnstudio.ui.webcam.model_panel import ModelPanel
from cnnstudio.ui.webcam.source_panel import SourcePanel
from cnnstudio.ui.webcam.status import describe
from cnnstudio.ui.webcam.teach_panel import TeachPanel
from cnnstudio.ui.webcam.views import NetworkInput
from cnnstudio.ui.widgets.panes import ScrollPanel, side_by_side
from cnnstudio.viz.live import Extras, LiveModel

DISPLAY_INTERVAL_MS = 33  # ~30 Hz
ACTIVATE_DELAY_MS = 300  # look for cameras and load the model once the tab has been shown this long
DEFAULT_SIZES = [340, 700, 440]


class WebcamTab(StudioTab):
    """result_shown(FrameResult) each time a new classification is drawn; model_loaded(LiveModel) when
    the live view switches model; source_stopped(SourceStatus) when capture ends (stopped, ended, failed)."""

    title = "Webcam"
    result_shown = Signal(object)
    model_loaded = Signal(object)
    source_stopped = Signal(object)

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.dialogs = WebcamDialogs(context.prompts)
        self.live = LiveClassifier(self)
        self._activated = False
        self._shown_frame: Frame | None = None
        self._shown_result: FrameResult | None = None
        self._shown_extras: Extras | None = None
        self._timer = QTimer(self, interval=DISPLAY_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._activate_timer = QTimer(self, singleShot=True, interval=ACTIVATE_DELAY_MS)
        self._activate_timer.timeout.connect(self.activate)

        self.source_panel = SourcePanel()
        self.model_panel = ModelPanel(context)
        self.network_input = NetworkInput()
        self.pane = LivePane()
        self.feature_panel = FeaturePanel()
        self.teach_panel = TeachPanel(context, self.newest_frame)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        for panel in (self.source_panel, self.model_panel, self.network_input):
            side_layout.addWidget(panel)
        side_layout.addStretch(1)
        self.panels = QTabWidget()
        self.panels.setDocumentMode(True)
        self.panels.addTab(self.feature_panel, "Feature maps")
        self.panels.addTab(ScrollPanel(self.teach_panel, frame=False), "Teach")
        self.splitter = side_by_side(self, [ScrollPanel(side), self.pane, self.panels], DEFAULT_SIZES)

        pane = self.pane
        pane.start_button.clicked.connect(self.start)
        pane.stop_button.clicked.connect(self.stop)
        pane.freeze_button.toggled.connect(self._freeze_toggled)
        pane.snapshot_button.clicked.connect(self.snapshot)
        pane.smoothing.toggled.connect(lambda on: self.live.set_smoothing(SMOOTHING if on else 0.0))
        pane.grad_cam.toggled.connect(self._grad_cam_toggled)
        self.live.stopped.connect(self._stopped)
        self.source_panel.mirror.toggled.connect(self.live.set_mirror)
        self.source_panel.video_requested.connect(self._choose_video)
        self.source_panel.folder_requested.connect(self._choose_folder)
        self.model_panel.model_ready.connect(self._model_ready)
        self.model_panel.file_requested.connect(self._choose_model_file)
        self.feature_panel.layer_changed.connect(self.live.set_feature_layer)
        self.teach_panel.taught.connect(self._taught)

    # ----- first use: nothing heavy happens until the tab is shown (and stays shown a moment)
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._activated:
            self._activate_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._activate_timer.stop()  # only passed through on the way to another tab

    def activate(self) -> None:
        """Look for cameras and load the chosen model (once); from then on the model follows the window."""
        self._activate_timer.stop()
        if self._activated:
            return
        self._activated = True
        self.source_panel.find_cameras()
        self.model_panel.activate()

    # ----- the source
    def start(self) -> None:
        """Start the chosen source with the panel's options; a source that cannot be made is reported."""
        try:
            source = self.source_panel.make_source()
        except SourceError as error:
            self.pane.set_status(f"{error}", error=True)
            return
        self.start_source(source)

    def start_source(self, source: FrameSource) -> None:
        """Capture and classify `source` (opened on the capture thread)."""
        self.activate()
        self.pane.freeze_button.setChecked(False)
        self._shown_frame = self._shown_result = self._shown_extras = None
        self.live.start(source, mirror=self.source_panel.mirror.isChecked())
        self._timer.start()
        self.pane.set_running(True)
        self._poll()

    def stop(self) -> None:
        """Stop capturing; `source_stopped` follows once the source is released."""
        self.live.stop()

    def newest_frame(self) -> Frame | None:
        """The newest captured frame (what recording takes), None when no source runs."""
        return self.live.state().frame if self.live.running else None

    def _stopped(self, status: SourceStatus) -> None:
        self._poll()
        self._timer.stop()
        self.pane.set_running(False)
        self.source_stopped.emit(status)

    def _choose_video(self) -> None:
        path = self.dialogs.video_file(self._last_directory())
        if path:
            self.source_panel.add_file(path)

    def _choose_folder(self) -> None:
        path = self.dialogs.image_folder(self._last_directory())
        if path:
            self.source_panel.add_file(path)

    def _last_directory(self) -> str:
        files = self.source_panel.files()
        return str(Path(files[0]).parent) if files else str(Path.home())

    # ----- the model
    def _model_ready(self, model: LiveModel) -> None:
        self.live.set_model(model)
        self.feature_panel.set_model(model)
        self.live.set_feature_layer(self.feature_panel.current_layer())
        self.pane.set_model(model)
        self.network_input.set_model(model)
        self._shown_result = self._shown_extras = None
        self._show_network_input()
        self.model_loaded.emit(model)

    def _choose_model_file(self) -> None:
        path = self.dialogs.model_file(str(runs_dir()))
        if path:
            self.model_panel.add_model_file(path)

    def _taught(self, result: TeachResult) -> None:
        title = f"taught {', '.join(result.classifier.classes)}"
        self.model_panel.select_trained()
        self.context.session.set_model(ModelChoice(result.classifier, title))

    # ----- frame, results, options
    def _freeze_toggled(self, frozen: bool) -> None:
        if not frozen:
            self._poll()

    def _grad_cam_toggled(self, enabled: bool) -> None:
        self.live.set_grad_cam(enabled)
        if not enabled:
            self.pane.video.set_overlay(None)

    def snapshot(self) -> None:
        """Send the frame shown (as RGB) to the Inspect tab."""
        frame = self.pane.video.frame()
        if frame is None:
            self.pane.set_status("Nothing to send yet: start a source first.", error=True)
            return
        self.context.session.send_image_to_inspect(swap_red_blue(frame))

    def _poll(self) -> None:
        state = self.live.state()
        if not self.pane.freeze_button.isChecked():
            self._show(state)
        self.pane.show_rates(state)
        problems = [problem for problem in (state.problem, state.extras.problem if state.extras else "") if problem]
        if problems:
            self.pane.set_status(" ".join(problems), error=True)
        elif state.status is not None:
            text, error = describe(state.status)
            self.pane.set_status(text, error=error)

    def _show(self, state: LiveState) -> None:
        video = self.pane.video
        if state.frame is not None and state.frame is not self._shown_frame:
            self._shown_frame = state.frame
            video.set_frame(state.frame.image)
            self._show_network_input()
        if state.result is not None and state.result is not self._shown_result:
            self._shown_result = state.result
            self.pane.bars.set_predictions(state.result.top)
            self.result_shown.emit(state.result)
        if state.extras is not self._shown_extras:
            self._shown_extras = state.extras
            self.feature_panel.show_extras(state.extras)
            if state.extras is not None and state.extras.heat is not None:
                video.set_overlay(state.extras.heat, state.extras.box)
                video.setToolTip(state.extras.heat_label)

    def _show_network_input(self) -> None:
        """The shown frame as the model gets it, and its region outlined on the video."""
        model, frame = self.live.model, self._shown_frame
        image = frame.image if frame is not None else None
        self.network_input.show_frame(image)
        box = model.classifier.preprocessing.source_box(*image.shape[:2]) if model and image is not None else None
        self.pane.video.set_network_box(box)

    def status_text(self) -> str:
        """The source's status line as shown (with what to do when something went wrong)."""
        return self.pane.status_text()

    # ----- persistence and closing
    def splitters(self) -> dict[str, QSplitter]:
        return {"splitter": self.splitter}

    def save_state(self) -> dict[str, Any]:
        return {
            **super().save_state(),
            "files": self.source_panel.files(),
            "mirror": self.source_panel.mirror.isChecked(),
            "dataset": self.teach_panel.dataset.text(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        super().restore_state(state)
        files = state.get("files")
        if isinstance(files, list):
            self.source_panel.set_files([path for path in files if isinstance(path, str) and Path(path).exists()])
        if isinstance(state.get("mirror"), bool):
            self.source_panel.mirror.setChecked(state["mirror"])
        dataset = state.get("dataset")
        if isinstance(dataset, str) and dataset.strip():
            self.teach_panel.dataset.setText(dataset)
            self.teach_panel.dataset.editingFinished.emit()

    def shutdown(self) -> None:
        self._activate_timer.stop()
        self._activated = True  # nothing starts any more
        self._timer.stop()
        self.live.shutdown()
        self.source_panel.shutdown()
        self.model_panel.shutdown()
        self.teach_panel.shutdown()
