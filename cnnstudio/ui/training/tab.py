"""The Training tab: hyperparameters | progress, live plots or results, and the runs list (the frame).

A run trains in a worker process (TrainingRunner) that the tab follows through the engine's
events. Every run gets its own folder under `runs_dir()`; the runs list is read back from those
folders. When a run ends its best checkpoint is published as the session's model (for the Inspect
and Webcam tabs) and evaluated on its validation images for the Results view. Loading, evaluating
and exporting happen in background jobs; `shutdown()` stops the worker and waits for all of them.

The tab's jobs live in their own modules, mixed into TrainingTab: starting a run (starting.py), following
it (following.py), the runs list's actions (runs_actions.py), and what a trained run hands on (outputs.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from cnnstudio.engine.evaluate import SplitCache
from cnnstudio.engine.run_folders import EpochHistory, RunRecord
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.training.banner import MessageBanner
from cnnstudio.ui.training.control_panel import ControlPanel
from cnnstudio.ui.training.following import RunFollowing
from cnnstudio.ui.training.outputs import RunOutputs
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.progress import ProgressPanel
from cnnstudio.ui.training.results import ResultsPanel
from cnnstudio.ui.training.runner import IDLE, TrainingRunner
from cnnstudio.ui.training.runs_actions import RunsActions
from cnnstudio.ui.training.runs_panel import RunsPanel
from cnnstudio.ui.training.starting import RunStarting

DEFAULT_SIZES = {"main": [340, 1100], "right": [560, 200]}


class TrainingTab(RunStarting, RunFollowing, RunsActions, RunOutputs, StudioTab):
    title = "Training"

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.runner = TrainingRunner(self)
        self.active: Path | None = None  # the folder of the run being trained
        self.last_run: Path | None = None  # the latest run trained here (what Send and Export use by default)
        self._active_record: RunRecord | None = None  # its row in the runs list, kept up to date from its events
        self._resume_history: EpochHistory | None = None
        self._run_notes: list[str] = []
        self._evaluating: Path | None = None
        self._splits = SplitCache()
        self.tasks = TaskRunner("cnnstudio-training-tab", self)

        self.controls = ControlPanel(context)
        self.form = self.controls.form
        self.banner = MessageBanner()
        self.progress = ProgressPanel()
        self.plots = TrainingPlots()
        self.results = ResultsPanel()
        self.runs = RunsPanel()
        self.views = QTabWidget()
        self.views.setDocumentMode(True)
        self.views.addTab(self.plots, "Training progress")
        self.views.addTab(self.results, "Results")
        self._build_layout()

        self.runner.events_received.connect(self._events)
        self.runner.state_changed.connect(self._state_changed)
        self.controls.train_button.clicked.connect(self.start_training)
        self.controls.pause_button.clicked.connect(self._pause_clicked)
        self.controls.stop_button.clicked.connect(self.runner.stop)
        self.controls.send_button.clicked.connect(lambda: self._send_to_inspect(self._target_run()))
        self.controls.export_requested.connect(self.export)
        self.banner.link_activated.connect(context.session.show_tab.emit)
        self.runs.selection_changed.connect(self._runs_selected)
        self.runs.action_requested.connect(self._run_action)
        self.results.image_activated.connect(context.session.send_image_to_inspect)
        self.views.currentChanged.connect(self._view_changed)
        self._state_changed(IDLE)

    def _build_layout(self) -> None:
        self.right_splitter = QSplitter(Qt.Vertical)
        self.right_splitter.addWidget(self.views)
        self.right_splitter.addWidget(self.runs)
        self.right_splitter.setChildrenCollapsible(False)
        # both give way when the window shrinks (the runs list used to keep its 200 px at 1024×640 and squeeze
        # the plots to a few dozen pixels), the plots four times as much
        self.right_splitter.setStretchFactor(0, 4)
        self.right_splitter.setStretchFactor(1, 1)
        self.right_splitter.setSizes(DEFAULT_SIZES["right"])
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 8, 8, 4)
        right_layout.setSpacing(6)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.progress)
        right_layout.addWidget(self.right_splitter, 1)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.controls)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(DEFAULT_SIZES["main"])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

    # ----- the tab's life
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.runner.busy:
            self.refresh_runs()  # runs trained meanwhile with `cnnstudio train` into the same folder

    def splitters(self) -> dict[str, QSplitter]:
        return {"main": self.splitter, "right": self.right_splitter}

    def save_state(self) -> dict[str, Any]:
        return {
            **super().save_state(),
            "form": self.form.values(),
            "smoothing": self.plots.smoothing,
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("form"), dict):
            self.form.restore(state["form"])
        super().restore_state(state)
        smoothing = state.get("smoothing")
        if isinstance(smoothing, int | float) and not isinstance(smoothing, bool):
            self.plots.set_smoothing(float(smoothing))

    def shutdown(self) -> None:
        """Stop the run (it writes its last checkpoint, so it can be resumed) and wait for every job."""
        self.runner.close()
        self.tasks.shutdown()
