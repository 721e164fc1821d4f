"""The Webcam tab: a live view of a camera, video file or image folder classified frame by frame, with
the top-5 classes, rates and latency, live feature maps and Grad-CAM, snapshots to the Inspect tab, and
teaching a new classifier from recorded frames.

Capture and inference run on their own threads (`LiveClassifier`); the tab shows their newest state at
display rate from a QTimer, so the window never waits for the camera or the model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.camera.frames import Frame
from cnnstudio.camera.pipeline import FrameResult
from cnnstudio.camera.sources import FrameSource, SourceError
from cnnstudio.pretrained.teach import TeachResult
from cnnstudio.ui.session import ModelChoice
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.webcam.dialogs import WebcamDialogs
from cnnstudio.ui.webcam.extras import Extras
from cnnstudio.ui.webcam.feature_panel import FeaturePanel
from cnnstudio.ui.webcam.live import TOP_K, LiveClassifier, LiveState
from cnnstudio.ui.webcam.model_panel import ModelPanel
from cnnstudio.ui.webcam.models import LiveModel
from cnnstudio.ui.webcam.source_panel import SourcePanel
from cnnstudio.ui.webcam.status import describe
from cnnstudio.ui.webcam.teach_panel import TeachPanel
from cnnstudio.ui.webcam.views import (
    PANEL_BACKGROUND,
    FrameView,
    ImageView,
)
from cnnstudio.ui.widgets.prediction_bars import PredictionBars

DISPLAY_INTERVAL_MS = 33  # ~30 Hz
ACTIVATE_DELAY_MS = 300  # look for cameras and load the model once the tab has been shown this long
SMOOTHING = 0.8
DEFAULT_SIZES = [300, 700, 440]
SIDE_MINIMUM_WIDTH = 150


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
        self.live = LiveClassifier()
        self._activated = False
        self._running = False
        self._shown_frame: Frame | None = None
        self._shown_result: FrameResult | None = None
        self._shown_extras: Extras | None = None
        self._status: tuple[str, bool] = ("", False)
        self._timer = QTimer(self, interval=DISPLAY_INTERVAL_MS)
        self._timer.timeout.connect(self._poll)
        self._activate_timer = QTimer(self, singleShot=True, interval=ACTIVATE_DELAY_MS)
        self._activate_timer.timeout.connect(self.activate)

        self.source_panel = SourcePanel()
        self.model_panel = ModelPanel(context)
        self.feature_panel = FeaturePanel()
        self.teach_panel = TeachPanel(context, self.newest_frame)

        self.start_button = QPushButton("▶ Start")
        self.stop_button = QPushButton("■ Stop")
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setToolTip("Hold the picture and its classes still (capture goes on)")
        self.snapshot_button = QPushButton("Snapshot")
        self.snapshot_button.setToolTip("Send the frame shown to the Inspect tab, to look inside the network for it")
        self.smoothing = QCheckBox("Smooth")
        self.smoothing.setToolTip(
            f"Average the probabilities over frames (weight of the past {SMOOTHING}) to steady a flickering label"
        )
        self.grad_cam = QCheckBox("Grad-CAM")
        self.grad_cam.setToolTip(
            "Colour the parts of the picture the top class rests on (updated a few times a second)"
        )
        self.video = FrameView()
        self.bars_title = QLabel("Top 5")
        self.bars_title.setProperty("role", "heading")
        self.bars = PredictionBars(rows=TOP_K)
        self.rates = QLabel()
        self.rates.setProperty("role", "muted")
        self.rates.setAlignment(Qt.AlignRight | Qt.AlignTop)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.network_view = ImageView("The network's input appears here.", background=PANEL_BACKGROUND)
        self.network_view.setFixedHeight(224)
        self.network_caption = QLabel("The dashed box on the video, scaled to the network's input size.")
        self.network_caption.setWordWrap(True)
        self.network_caption.setProperty("role", "muted")

        self._lay_out()

        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        self.freeze_button.toggled.connect(self._freeze_toggled)
        self.snapshot_button.clicked.connect(self.snapshot)
        self.smoothing.toggled.connect(lambda on: self.live.set_smoothing(SMOOTHING if on else 0.0))
        self.grad_cam.toggled.connect(self._grad_cam_toggled)
        self.source_panel.mirror.toggled.connect(self.live.set_mirror)
        self.source_panel.video_requested.connect(self._choose_video)
        self.source_panel.folder_requested.connect(self._choose_folder)
        self.model_panel.model_ready.connect(self._model_ready)
        self.model_panel.file_requested.connect(self._choose_model_file)
        self.feature_panel.layer_changed.connect(self.live.set_feature_layer)
        self.teach_panel.taught.connect(self._taught)
        self._update_buttons()

    def _lay_out(self) -> None:
        """Source and model on the left, the video and its classes in the middle, feature maps and teaching
        on the right."""
        toolbar = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.freeze_button, self.snapshot_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        results = QHBoxLayout()
        bars_box = QVBoxLayout()
        bars_box.addWidget(self.bars_title)
        bars_box.addWidget(self.bars)
        options = QVBoxLayout()
        options.addWidget(self.rates)
        options.addStretch(1)
        options.addWidget(self.smoothing)
        options.addWidget(self.grad_cam)
        results.addLayout(bars_box, 1)
        results.addLayout(options)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.addLayout(toolbar)
        center_layout.addWidget(self.video, 1)
        center_layout.addLayout(results)
        center_layout.addWidget(self.status)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.addWidget(self.source_panel)
        side_layout.addWidget(self.model_panel)
        seen = QGroupBox("What the network sees")
        seen_layout = QVBoxLayout(seen)
        seen_layout.addWidget(self.network_view)
        seen_layout.addWidget(self.network_caption)
        side_layout.addWidget(seen)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(SIDE_MINIMUM_WIDTH)

        teach_scroll = QScrollArea()  # the tab shrinks with a small window; the panel then scrolls
        teach_scroll.setWidget(self.teach_panel)
        teach_scroll.setWidgetResizable(True)
        teach_scroll.setFrameShape(QScrollArea.NoFrame)
        self.panels = QTabWidget()
        self.panels.setDocumentMode(True)
        self.panels.addTab(self.feature_panel, "Feature maps")
        self.panels.addTab(teach_scroll, "Teach")
        self.splitter = QSplitter(Qt.Horizontal)
        for widget in (scroll, center, self.panels):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes(DEFAULT_SIZES)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # ----- first use: nothing heavy happens until the tab is shown (and stays shown a moment)
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._activated:
            self._activate_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._activate_timer.stop()  # only passed through on the way to another tab

    def activate(self) -> None:
        """Look for cameras and load the default model (once)."""
        self._activate_timer.stop()
        if self._activated:
            return
        self._activated = True
        self.source_panel.find_cameras()
        self.model_panel.load_current()

    # ----- the source
    def start(self) -> None:
        """Start the chosen source with the panel's options; a source that cannot be made is reported."""
        try:
            source = self.source_panel.make_source()
        except SourceError as error:
            self._set_status(f"{error}", error=True)
            return
        self.start_source(source)

    def start_source(self, source: FrameSource) -> None:
        """Capture and classify `source` (opened on the capture thread)."""
        self.activate()
        self.freeze_button.setChecked(False)
        self._shown_frame = self._shown_result = self._shown_extras = None
        self.live.start(source, mirror=self.source_panel.mirror.isChecked())
        self._running = True
        self._timer.start()
        self._update_buttons()
        self._poll()

    def stop(self) -> None:
        if self._running:
            self.live.stop()
            self._poll()

    def newest_frame(self) -> Frame | None:
        """The newest captured frame (what recording takes), None when no source runs."""
        return self.live.state().frame if self._running else None

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
        self.bars_title.setText(f"Top {min(TOP_K, len(model.classifier.classes))} · {model.title}")
        self.bars.set_rows(min(TOP_K, len(model.classifier.classes)))
        self.bars.set_predictions([])
        self.video.set_overlay(None)
        self.network_caption.setText(
            f"The dashed box on the video, scaled to {model.title}'s input of "
            f"{'×'.join(map(str, model.classifier.input_shape[1:]))} pixels."
        )
        self._shown_result = self._shown_extras = None
        self._update_network_box()
        self._show_network_view()
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
        self.video.set_badge("FROZEN" if frozen else "")
        if not frozen:
            self._poll()

    def _grad_cam_toggled(self, enabled: bool) -> None:
        self.live.set_grad_cam(enabled)
        if not enabled:
            self.video.set_overlay(None)

    def snapshot(self) -> None:
        """Send the frame shown (as RGB) to the Inspect tab."""
        import cv2

        frame = self.video.frame()
        if frame is None:
            self._set_status("Nothing to send yet: start a source first.", error=True)
            return
        self.context.session.send_image_to_inspect(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))

    def _poll(self) -> None:
        state = self.live.state()
        if not self.freeze_button.isChecked():
            self._show_frame(state)
        self._show_state_messages(state)
        if self._running and not state.running:
            self._running = False
            self.live.stop()
            self._timer.stop()
            self._update_buttons()
            self.source_stopped.emit(state.status)

    def _show_frame(self, state: LiveState) -> None:
        if state.frame is not None and state.frame is not self._shown_frame:
            resized = self._shown_frame is None or self._shown_frame.image.shape != state.frame.image.shape
            self._shown_frame = state.frame
            self.video.set_frame(state.frame.image)
            if resized:
                self._update_network_box()
            self._show_network_view()
        if state.result is not None and state.result is not self._shown_result:
            self._shown_result = state.result
            self.bars.set_predictions(state.result.top)
            self.result_shown.emit(state.result)
        if state.extras is not self._shown_extras:
            self._shown_extras = state.extras
            self.feature_panel.show_extras(state.extras)
            if state.extras is not None and state.extras.heat is not None:
                self.video.set_overlay(state.extras.heat, state.extras.box)
                self.video.setToolTip(state.extras.heat_label)

    def _show_state_messages(self, state: LiveState) -> None:
        result = state.result
        if state.running and result is not None:  # once capture ends, the last rates stay shown
            self.rates.setText(
                f"Capture {result.capture_fps:.1f} fps\nInference {result.fps:.1f} fps\n"
                f"Latency {result.latency_ms:.0f} ms"
            )
        elif state.running and state.status is not None:
            self.rates.setText(f"Capture {state.status.fps:.1f} fps")
        problems = [problem for problem in (state.problem, state.extras.problem if state.extras else "") if problem]
        if problems:
            self._set_status(" ".join(problems), error=True)
        elif state.status is not None:
            text, error = describe(state.status)
            self._set_status(text, error=error)

    def _show_network_view(self) -> None:
        """The shown frame as the model gets it: its crop, scaled to the input size (a cheap resize)."""
        model, frame = self.live.model, self._shown_frame
        if model is None or frame is None:
            self.network_view.set_image(None)
            return
        pixels = model.classifier.preprocessing.pixels(frame.image)
        self.network_view.set_image(np.repeat(pixels[:, :, None], 3, axis=2) if pixels.ndim == 2 else pixels)

    def _update_network_box(self) -> None:
        model, frame = self.live.model, self._shown_frame
        if model is None or frame is None:
            self.video.set_network_box(None)
            return
        self.video.set_network_box(model.classifier.preprocessing.source_box(*frame.image.shape[:2]))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        if (text, error) == self._status:
            return
        self._status = (text, error)
        self.status.setText(text)
        self.status.setProperty("role", "error" if error else "muted")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def status_text(self) -> str:
        """The source's status line as shown (with what to do when something went wrong)."""
        return self._status[0]

    def _update_buttons(self) -> None:
        self.start_button.setEnabled(not self._running)
        self.stop_button.setEnabled(self._running)

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
        self.live.stop()
        self._running = False
        self.source_panel.shutdown()
        self.model_panel.shutdown()
        self.teach_panel.shutdown()
