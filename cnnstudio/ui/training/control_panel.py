"""The Training tab's left column: what will be trained (the design and the data), Train / Pause /
Stop, the hyperparameters, and what to do with the trained network (send it on, export it)."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.graph.describe import format_count
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui import style
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.training.exporting import EXPORT_FORMATS
from cnnstudio.ui.training.form import HyperparameterForm
from cnnstudio.ui.training.runner import IDLE, PAUSED, RUNNING, STARTING


class ControlPanel(QWidget):
    """`export_requested(ExportFormat)` when a format is chosen from the Export menu."""

    export_requested = Signal(object)

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.form = HyperparameterForm(context.session)
        self.design_label = QLabel()
        self.data_label = QLabel()
        for label in (self.design_label, self.data_label):
            label.setWordWrap(True)
            label.setTextFormat(Qt.RichText)
            label.linkActivated.connect(context.session.show_tab.emit)

        self.train_button = QPushButton("Train")
        self.train_button.setToolTip("Train the design in the Designer on the data chosen in the Data tab")
        self.train_button.setStyleSheet(
            f"QPushButton:enabled {{ background: {style.ACCENT}; color: white; "
            "font-weight: 600; border-radius: 4px; padding: 5px 14px; }"
        )
        self.pause_button = QPushButton("Pause")
        self.pause_button.setToolTip("Pause after the current batch; Resume continues exactly there")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip(
            "Stop after the current batch; the run keeps its last checkpoint and can be resumed from the runs list"
        )
        self.send_button = QPushButton("Send to Inspect && Webcam")
        self.send_button.setToolTip(
            "Use the trained network (the selected run's, else the latest run's best "
            "checkpoint) in the Inspect and Webcam tabs"
        )
        self.export_button = QPushButton("Export")
        self.export_button.setToolTip("Export the trained network (the selected run's, else the latest run's)")
        self.export_menu = QMenu(self.export_button)
        self.export_menu.setToolTipsVisible(True)
        for export_format in EXPORT_FORMATS:
            action = self.export_menu.addAction(export_format.label)
            action.setToolTip(export_format.description)
            action.triggered.connect(lambda checked=False, f=export_format: self.export_requested.emit(f))
        self.export_button.setMenu(self.export_menu)

        summary = QVBoxLayout()
        summary.setContentsMargins(12, 10, 12, 4)
        summary.setSpacing(3)
        summary.addWidget(self.design_label)
        summary.addWidget(self.data_label)
        controls = QHBoxLayout()
        controls.setContentsMargins(12, 4, 12, 2)
        for button in (self.train_button, self.pause_button, self.stop_button):
            controls.addWidget(button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.form)
        outputs = QHBoxLayout()
        outputs.setContentsMargins(12, 6, 12, 10)
        outputs.addWidget(self.send_button, 1)
        outputs.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(summary)
        layout.addLayout(controls)
        layout.addWidget(scroll, 1)
        layout.addLayout(outputs)
        self.setMinimumWidth(285)

        context.session.data_changed.connect(self.show_data)
        context.document.analysis.analyzed.connect(self.show_design)
        self.show_design()
        self.show_data()

    def show_design(self, analysis: NetworkAnalysis | None = None) -> None:
        analysis = analysis or self.context.document.analysis.analysis
        name = escape(self.context.document.graph.name)
        if analysis is None:
            self.design_label.setText(f"<b>Design</b>&nbsp; {name}")
        elif not analysis.valid:
            errors = sum(problem.severity == "error" for problem in analysis.problems)
            self.design_label.setText(
                f"<b>Design</b>&nbsp; {name} · <span style='color:{style.ERROR}'>{errors} "
                f"error{'s' if errors != 1 else ''}</span> — "
                "<a href='Designer'>fix in the Designer</a>"
            )
        else:
            shape = analysis.output_shape
            outputs = f" · {shape[0]} outputs" if shape and len(shape) == 1 else ""
            self.design_label.setText(
                f"<b>Design</b>&nbsp; {name} · {format_count(analysis.total_params)} learnables{outputs}"
            )

    def show_data(self) -> None:
        data = self.context.session.data
        if data is None:
            self.data_label.setText(
                f"<b>Data</b>&nbsp; <span style='color:{style.MUTED}'>none chosen</span> — "
                "<a href='Data'>choose in the Data tab</a>"
            )
            return
        detail = ""
        if data.split is not None:
            detail = f" · {len(data.split.classes)} classes · {len(data.split.train) + len(data.split.val):,} images"
        self.data_label.setText(f"<b>Data</b>&nbsp; {escape(data.title)}{detail}")

    def set_run_state(self, state: str) -> None:
        """Enable what makes sense while the run is in `state` (see runner)."""
        self.train_button.setEnabled(state == IDLE)
        self.pause_button.setEnabled(state in (RUNNING, PAUSED))
        self.pause_button.setText("Resume" if state == PAUSED else "Pause")
        self.stop_button.setEnabled(state in (STARTING, RUNNING, PAUSED))

    def set_outputs_enabled(self, enabled: bool) -> None:
        self.send_button.setEnabled(enabled)
        self.export_button.setEnabled(enabled)
