"""The middle of the Webcam tab: Start, Stop, Freeze and Snapshot over the video (with the region the network
sees and the Grad-CAM overlay), the top classes with the rates and latency, the smoothing and Grad-CAM
switches, and the status line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cnnstudio.ui.webcam.live import TOP_K, LiveState
from cnnstudio.ui.webcam.views import FrameView
from cnnstudio.ui.widgets.prediction_bars import PredictionBars
from cnnstudio.ui.widgets.progress import set_role
from cnnstudio.viz.live import LiveModel

SMOOTHING = 0.8


class LivePane(QWidget):
    """The widgets of the live view; the tab wires them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status: tuple[str, bool] = ("", False)
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
        self.bars_title = QLabel(f"Top {TOP_K}")
        self.bars_title.setProperty("role", "heading")
        self.bars = PredictionBars(rows=TOP_K)
        self.rates = QLabel()
        self.rates.setProperty("role", "muted")
        self.rates.setAlignment(Qt.AlignRight | Qt.AlignTop)
        self.status = QLabel()
        self.status.setWordWrap(True)

        toolbar = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.freeze_button, self.snapshot_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        bars_box = QVBoxLayout()
        bars_box.addWidget(self.bars_title)
        bars_box.addWidget(self.bars)
        options = QVBoxLayout()
        options.addWidget(self.rates)
        options.addStretch(1)
        options.addWidget(self.smoothing)
        options.addWidget(self.grad_cam)
        results = QHBoxLayout()
        results.addLayout(bars_box, 1)
        results.addLayout(options)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.video, 1)
        layout.addLayout(results)
        layout.addWidget(self.status)
        self.freeze_button.toggled.connect(lambda frozen: self.video.set_badge("FROZEN" if frozen else ""))
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def set_model(self, model: LiveModel) -> None:
        """Rows and heading for the model's classes; nothing of the previous model stays."""
        rows = min(TOP_K, len(model.classifier.classes))
        self.bars_title.setText(f"Top {rows} · {model.title}")
        self.bars.set_rows(rows)
        self.bars.set_predictions([])
        self.video.set_overlay(None)

    def show_rates(self, state: LiveState) -> None:
        """Capture and inference rates and the latency while capture runs (the last ones stay after)."""
        result = state.result
        if state.running and result is not None:
            self.rates.setText(
                f"Capture {result.capture_fps:.1f} fps\nInference {result.fps:.1f} fps\n"
                f"Latency {result.latency_ms:.0f} ms"
            )
        elif state.running and state.status is not None:
            self.rates.setText(f"Capture {state.status.fps:.1f} fps")

    def set_status(self, text: str, *, error: bool = False) -> None:
        if (text, error) != self._status:
            self._status = (text, error)
            self.status.setText(text)
            set_role(self.status, "error" if error else "muted")

    def status_text(self) -> str:
        return self._status[0]
