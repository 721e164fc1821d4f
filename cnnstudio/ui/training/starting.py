"""Starting a run from the Training tab: a new run of the current design on the session's data, or
resuming a stopped one; what keeps a design from training is said in the banner, and nothing starts.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QTabWidget

from cnnstudio.data import DataError
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.design_fit import fit_classes, fit_task
from cnnstudio.engine.launch import TrainRequest
from cnnstudio.engine.run_folders import EpochHistory, RunRecord, data_text, new_run_dir, restore_history
from cnnstudio.engine.worker import WorkerStartError
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import errors_only, validate
from cnnstudio.ui.session import DataChoice
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.training.banner import MessageBanner
from cnnstudio.ui.training.form import HyperparameterForm
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.progress import ProgressPanel
from cnnstudio.ui.training.runner import TrainingRunner


class RunStarting:
    """The Training tab's part that starts runs (a mixin of TrainingTab, which owns the widgets)."""

    context: StudioContext
    runner: TrainingRunner
    banner: MessageBanner
    form: HyperparameterForm
    plots: TrainingPlots
    progress: ProgressPanel
    views: QTabWidget
    active: Path | None
    _active_record: RunRecord | None
    _resume_history: EpochHistory | None
    _run_notes: list[str]

    def _design_problem(self) -> str:
        """Why the design cannot train as it is ('' when it can). While its analysis is not ready, its structure
        is checked instead (sizes in range, one Input, no cycle): the worker would otherwise build the data at
        an impossible input size before finding out."""
        runner = self.context.document.analysis
        analysis = runner.analysis
        current = analysis is not None and runner.is_current()
        errors = errors_only(analysis.problems if current else validate(self.context.document.graph))
        if not errors:
            return ""
        return f"{len(errors)} error{'s' if len(errors) != 1 else ''} in the design, e.g. {errors[0]}"

    def _fit_classes(self, graph: NetworkGraph, data: DataChoice) -> list[str]:
        """Point the copy of the design that trains at the data's classes (as `cnnstudio train` does); the
        design in the Designer is not changed. Done once the data is loaded, with the design's current
        analysis (none is made on the GUI thread: a design still being analyzed trains as it is)."""
        runner = self.context.document.analysis
        if data.split is None:
            return []
        if runner.analysis is None or not runner.is_current():
            return fit_task(graph, data.split.multilabel)
        return fit_classes(graph, len(data.split.classes), runner.analysis, multilabel=data.split.multilabel)

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
        try:
            run_dir = new_run_dir(runs_dir(), graph.name, now)  # a new folder: a run is never overwritten
        except OSError as error:
            self.banner.show_message(
                "error",
                "Cannot create the run's folder",
                f"{runs_dir()}: {error.strerror or error}",
                "free disk space or make the folder writable, then press Train again",
            )
            return
        request = TrainRequest(
            str(run_dir),
            design=graph.to_dict(),
            data=data.spec,
            config=config,
            initial_weights=self.context.document.weights,
        )
        record = RunRecord(run_dir, now, graph.name, data_text(data.spec), 0, config.epochs, None, "starting")
        if not self._begin(request, record, f"{graph.name} on {data.title}", notes):
            run_dir.rmdir()  # still empty: nothing started

    def resume_run(self, record: RunRecord) -> None:
        """Continue a stopped run from its last checkpoint (on the device the form chooses)."""
        if self.runner.busy:
            self.banner.show_message(
                "note", "A run is in progress", "Stop it (or let it finish) before resuming another one."
            )
            return
        self.banner.clear()
        lost = restore_history(record.path)
        if lost and not self.context.prompts.confirm(
            "Resume without the run's history?",
            f"{lost}.\n\nThe resumed run would record only the epochs it trains from now on; the curves of the "
            "earlier epochs would be lost. Restore metrics.json first (e.g. from a backup) to keep them.\n\n"
            "Resume anyway?",
        ):
            return
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
    ) -> bool:
        """Start the run; False (with the reason in the banner) when the training process could not start."""
        self.plots.clear()
        self._resume_history = history
        self._run_notes = list(notes or [])
        try:
            self.runner.start(request)
        except WorkerStartError as error:
            self.banner.show_message("error", "Cannot start the training process", error.message, error.hint)
            return False
        except (OSError, RuntimeError) as error:
            self.banner.show_message(
                "error",
                "Cannot start the training process",
                str(error),
                "close other programs to free memory, then try again",
            )
            return False
        self.active, self._active_record = record.path, record
        self.progress.starting(what)
        self.views.setCurrentWidget(self.plots)
        self.refresh_runs()
        return True
