"""The Training tab: hyperparameters | progress, live plots or results, and the runs list.

A run trains in a worker process (TrainingRunner) that the tab follows through the engine's
events. Every run gets its own folder under `runs_dir()`; the runs list is read back from those
folders. When a run ends its best checkpoint is published as the session's model (for the Inspect
and Webcam tabs) and evaluated on its validation images for the Results view. Loading, evaluating
and exporting happen in background jobs; `shutdown()` stops the worker and waits for all of them.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import DataError
from cnnstudio.engine.checkpoint import CheckpointError, trained_checkpoint
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.design_fit import fit_classes
from cnnstudio.engine.device import available_device
from cnnstudio.engine.evaluate import RunEvaluation, SplitCache, evaluate_run
from cnnstudio.engine.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochSummary,
    Error,
    Event,
    Finished,
    Started,
)
from cnnstudio.engine.exporting import export_run
from cnnstudio.engine.launch import TrainRequest
from cnnstudio.engine.run_folders import EpochHistory, RunRecord, data_text, new_run_dir, scan_runs
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pytorch.export import ExportError
from cnnstudio.ui.session import DataChoice, ModelChoice
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.training.banner import MessageBanner
from cnnstudio.ui.training.control_panel import ControlPanel
from cnnstudio.ui.training.exporting import ExportFormat
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.progress import ProgressPanel
from cnnstudio.ui.training.results import ResultsPanel
from cnnstudio.ui.training.runner import (
    IDLE,
    PAUSED,
    RUNNING,
    STARTING,
    STOPPING,
    TrainingRunner,
)
from cnnstudio.ui.training.runs_panel import RunsPanel

DEFAULT_SIZES = {"main": [340, 1100], "right": [560, 200]}
_RUN_STATE_TEXT = {STARTING: "starting", RUNNING: "running", PAUSED: "paused", STOPPING: "stopping"}


class TrainingTab(StudioTab):
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
        self.right_splitter.setStretchFactor(0, 1)
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

    # ----- what will be trained
    def _design_problem(self) -> str:
        """Why the design cannot train as it is ('' when it can, or its analysis is not ready yet)."""
        runner = self.context.document.analysis
        analysis = runner.analysis
        if analysis is None or not runner.is_current() or analysis.valid:
            return ""
        errors = [problem for problem in analysis.problems if problem.severity == "error"]
        first = str(errors[0]) if errors else ""
        return f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the design, e.g. {first}"

    def _fit_classes(self, graph: NetworkGraph, data: DataChoice) -> list[str]:
        """Point the copy of the design that trains at the data's classes (as `cnnstudio train` does); the
        design in the Designer is not changed. Done once the data is loaded, with the design's current
        analysis (none is made on the GUI thread: a design still being analyzed trains as it is)."""
        runner = self.context.document.analysis
        if data.split is None or runner.analysis is None or not runner.is_current():
            return []
        return fit_classes(graph, len(data.split.classes), runner.analysis)

    # ----- starting and controlling a run
    def start_training(self) -> None:
        """Train the current design on the session's data with the form's hyperparameters."""
        if self.runner.busy:
            return
        self.banner.clear()
        data = self.context.session.data
        if data is None:
            self.banner.show_message(
                "error",
                "No data to train on",
                "Choose a dataset or an image folder in the <a href='Data'>Data tab</a>, then press Train again.",
                rich=True,
            )
            return
        problem = self._design_problem()
        if problem:
            self.banner.show_message(
                "error",
                "The design cannot be trained",
                problem,
                "fix the layers marked in the Designer (see its Problems list)",
            )
            return
        try:
            config = self.form.config(data.spec)
        except (ConfigError, DataError) as error:
            self.banner.show_message(
                "error", "A hyperparameter is not valid", str(error), "correct it in the form on the left"
            )
            return
        graph = self.context.document.graph.copy()
        notes = self._fit_classes(graph, data)
        now = datetime.now().replace(microsecond=0)
        run_dir = new_run_dir(runs_dir(), graph.name, now)
        request = TrainRequest(
            str(run_dir),
            design=graph.to_dict(),
            data=data.spec,
            config=config,
            initial_weights=self.context.document.weights,
        )
        record = RunRecord(run_dir, now, graph.name, data_text(data.spec), 0, config.epochs, None, "starting")
        self._begin(request, record, f"{graph.name} on {data.title}", notes)

    def resume_run(self, record: RunRecord) -> None:
        """Continue a stopped run from its last checkpoint (on the device the form chooses)."""
        if self.runner.busy:
            self.banner.show_message(
                "note", "A run is in progress", "Stop it (or let it finish) before resuming another one."
            )
            return
        self.banner.clear()
        changes = {"device": self.form.device.currentData(), "precision": self.form.precision.currentData()}
        request = TrainRequest(str(record.path), resume=True, changes=changes)
        self._begin(
            request,
            replace(record, status="starting"),
            f"Resuming {record.design} ({record.name})",
            history=record.history,
        )

    def _begin(
        self,
        request: TrainRequest,
        record: RunRecord,
        what: str,
        notes: list[str] | None = None,
        history: EpochHistory | None = None,
    ) -> None:
        self.plots.clear()
        self._resume_history = history
        self._run_notes = list(notes or [])
        try:
            self.runner.start(request)
        except (OSError, RuntimeError) as error:
            self.banner.show_message(
                "error",
                "Cannot start the training process",
                str(error),
                "close other programs to free memory, then try again",
            )
            return
        self.active, self._active_record = record.path, record
        self.progress.starting(what)
        self.views.setCurrentWidget(self.plots)
        self.refresh_runs()

    def _pause_clicked(self) -> None:
        if self.runner.state == PAUSED:
            self.runner.resume()
        else:
            self.runner.pause()
            self.progress.set_state("Pausing…", "after the current batch")

    def _state_changed(self, state: str) -> None:
        self.controls.set_run_state(state)
        if state == STOPPING:
            self.progress.set_state("Stopping…", "after the current batch, writing the last checkpoint")
        elif state == PAUSED:
            self.progress.set_state("Paused", "Resume continues with the next batch; Stop keeps the run resumable")
        elif state == RUNNING:
            self.progress.running()
        if state == IDLE:
            self.active, self._active_record = None, None
            self.refresh_runs()
        elif self._active_record is not None:
            self.runs.update_record(self._active_record, _RUN_STATE_TEXT.get(state, ""))
        self._update_outputs()

    def _update_outputs(self) -> None:
        target = self._target_run()
        usable = target is not None and target != self.active and trained_checkpoint(target) is not None
        self.controls.set_outputs_enabled(usable)

    # ----- following the run
    def _events(self, events: list[Event]) -> None:
        batches: list[BatchMetrics] = []
        for event in events:
            if isinstance(event, BatchMetrics):
                batches.append(event)
            elif isinstance(event, Started):
                self._started(event)
            elif isinstance(event, EpochSummary):
                self.plots.add_epoch(event.epoch, event.val_loss, event.val_acc)
                self.progress.epoch(event)
                self._update_active_record(event.epoch, event.epochs, event.val_acc if event.best else None)
            elif isinstance(event, CheckpointWritten):
                self.context.session.checkpoint_written.emit(str(Path(event.path).parent), event.epoch)
            elif isinstance(event, Finished):
                self._finished(event)
            elif isinstance(event, Error):
                self._failed(event)
        if batches and not any(isinstance(event, Finished | Error) for event in events):
            self.progress.batch(batches[-1])  # the bar shows the newest (and repaints once per poll)
        self.plots.add_batches(batches)
        self.plots.refresh()

    def _update_active_record(self, epochs_done: int, epochs: int, best_val_acc: float | None = None) -> None:
        """best_val_acc: the validation accuracy of a new best epoch (None: the best did not change)."""
        record = self._active_record
        if record is None:
            return
        best = record.best_val_acc if best_val_acc is None else best_val_acc
        self._active_record = replace(record, epochs_done=epochs_done, epochs=epochs, best_val_acc=best)
        self.runs.update_record(self._active_record, _RUN_STATE_TEXT.get(self.runner.state, ""))

    def _started(self, event: Started) -> None:
        self.progress.started(event)
        self.plots.begin(event.epochs)
        self._update_active_record(event.start_epoch, event.epochs)
        if self._resume_history is not None:
            self.plots.add_history(self._resume_history, event.start_epoch)
        notes = self._run_notes + list(event.notes)
        if notes:
            self.banner.show_message("note", "About this run", "\n".join(f"• {note}" for note in notes))

    def _finished(self, event: Finished) -> None:
        run_dir = Path(event.run_dir)
        self.progress.finished(event)
        self.last_run = run_dir
        self._run_ended()
        if trained_checkpoint(run_dir) is not None:
            self._send_to_inspect(run_dir, switch=False)
            self.show_results(run_dir, switch=False)
        self.context.show_message(f"{self.progress.state.text()}: {run_dir.name}")

    def _failed(self, event: Error) -> None:
        self.progress.failed(event.message)
        hint = event.hint or ("if this repeats, please report it with the details" if event.details else "")
        self.banner.show_message("error", "Training failed", event.message, hint, event.details)
        if self.active is not None and self.active.is_dir():
            self.last_run = self.active
        self._run_ended()

    def _run_ended(self) -> None:
        """The run's folder is complete (its process may still be exiting): list it as it is on disk."""
        self.active, self._active_record = None, None
        self.refresh_runs()

    # ----- the runs list
    def refresh_runs(self) -> None:
        """Read the runs folder again (the run being trained is shown as its events describe it)."""
        records = scan_runs(runs_dir())
        if self._active_record is not None:
            row = next((index for index, record in enumerate(records) if record.path == self.active), None)
            if row is None:
                records.insert(0, self._active_record)
            else:
                records[row] = self._active_record
        self.runs.set_runs(records, self.active, _RUN_STATE_TEXT.get(self.runner.state, ""))
        self._update_outputs()

    def _runs_selected(self, records: list[RunRecord]) -> None:
        self.plots.set_overlays([record for record in records if record.path != self.active])
        self._update_outputs()

    def _target_run(self) -> Path | None:
        """The run that Send and Export act on: the one selected in the list, else the latest trained here."""
        selected = self.runs.selected()
        return selected[0].path if len(selected) == 1 else self.last_run

    def _run_action(self, key: str, record: RunRecord) -> None:
        if key == "results":
            self.show_results(record.path)
        elif key == "open":
            self._send_to_inspect(record.path)
        elif key == "resume":
            self.resume_run(record)
        elif key == "delete":
            self.delete_run(record)
        elif key == "reveal" and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(record.path))):
            self.context.show_message(f"Cannot open a file manager; the run is in {record.path}")

    def delete_run(self, record: RunRecord) -> None:
        if record.path == self.active:
            return
        if not self.context.prompts.confirm(
            "Delete run",
            f"Delete the run “{record.name}” with its checkpoints and metrics?\n\n"
            f"{record.path}\n\nThis cannot be undone.",
        ):
            return
        try:
            shutil.rmtree(record.path)
        except OSError as error:
            self.context.prompts.error("Cannot delete the run", f"{record.path}: {error.strerror or error}")
        if self.last_run == record.path:
            self.last_run = None
        if self.results.results is not None and self.results.results.run_dir == record.path:
            self.results.results = None
            self.results.show_text("The run shown here was deleted.")
        self.refresh_runs()

    # ----- results, the trained model, export (background jobs)
    def show_results(self, run_dir: Path, switch: bool = True) -> None:
        """Evaluate the run on its validation images and show the results."""
        self._evaluating = run_dir
        self.results.show_text(f"Evaluating {run_dir.name} on its validation images…")
        if switch:
            self.views.setCurrentWidget(self.results)
        else:
            self._mark_results_new(True)
        device = self._evaluation_device()

        def done(results: RunEvaluation) -> None:
            if results.run_dir == self._evaluating:
                self.results.show_results(results)

        def failed(error: Exception) -> None:
            if run_dir == self._evaluating:
                known = isinstance(error, CheckpointError | ConfigError | DataError)
                text = str(error) if known else f"{type(error).__name__}: {error}"
                self.results.show_text(f"Cannot evaluate {run_dir.name}: {text}", error=True)

        self.tasks.submit(
            lambda task: evaluate_run(run_dir, device=device, cache=self._splits),
            key="evaluate",
            on_done=done,
            on_error=failed,
        )

    def _evaluation_device(self) -> str:
        return str(available_device(self.form.device.currentData()))

    def _mark_results_new(self, new: bool) -> None:
        index = self.views.indexOf(self.results)
        self.views.setTabText(index, "Results •" if new and self.views.currentIndex() != index else "Results")

    def _view_changed(self, index: int) -> None:
        if index == self.views.indexOf(self.results):
            self._mark_results_new(False)

    def _send_to_inspect(self, run_dir: Path | None, switch: bool = True) -> None:
        """Load the run's trained network and make it the session's model (and show Inspect if `switch`)."""
        if run_dir is None:
            return

        def done(classifier: Classifier) -> None:
            tag = trained_checkpoint(run_dir)
            design = classifier.graph.name if classifier.graph is not None else run_dir.name
            self.context.session.set_model(ModelChoice(classifier, f"{design} · run {run_dir.name} · {tag}", run_dir))
            if switch:
                self.context.session.show_tab.emit("Inspect")
            self.context.show_message(f"The Inspect and Webcam tabs now use the network trained in {run_dir.name}")

        def failed(error: Exception) -> None:
            message = str(error) if isinstance(error, ModelLoadError) else f"{type(error).__name__}: {error}"
            self.banner.show_message(
                "error",
                "Cannot load the trained network",
                message,
                "the run's checkpoint may be damaged; try another run",
            )

        self.tasks.submit(lambda task: load_run_classifier(run_dir), key="load_run", on_done=done, on_error=failed)

    def export(self, export_format: ExportFormat) -> None:
        """Export the target run's trained network, asking where."""
        run_dir = self._target_run()
        if run_dir is None:
            return
        last = self.context.settings.get("last_dir")
        folder = Path(last) if isinstance(last, str) and Path(last).is_dir() else Path.home()
        stem = run_dir.name.split("_", 2)[-1] or "network"
        answer = self.context.prompts.save_path(
            f"Export {export_format.label.rstrip('…')}",
            str(folder / f"{stem}{export_format.extension}"),
            export_format.file_filter,
        )
        if not answer:
            return
        path = Path(answer if answer.endswith(export_format.extension) else answer + export_format.extension)

        def done(written: list[Path]) -> None:
            self.context.show_message(f"Exported {', '.join(str(file) for file in written)}")

        def failed(error: Exception) -> None:
            message = str(error) if isinstance(error, ExportError) else f"{type(error).__name__}: {error}"
            if isinstance(error, OSError):
                message = f"{path}: {error.strerror or error}"
            self.context.prompts.error(f"Cannot export {run_dir.name}", message)

        self.tasks.submit(lambda task: export_run(run_dir, export_format.key, path), on_done=done, on_error=failed)

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
