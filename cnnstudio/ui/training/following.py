"""Following the run being trained: the worker's state and events drive the progress panel, the live
plots and the run's row in the runs list; when it ends, its network goes to Inspect and to the Results view.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cnnstudio.engine.checkpoint import trained_checkpoint
from cnnstudio.engine.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochSummary,
    Error,
    Event,
    Finished,
    Started,
    Validation,
)
from cnnstudio.engine.run_folders import EpochHistory, RunRecord
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.training.banner import MessageBanner
from cnnstudio.ui.training.control_panel import ControlPanel
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.progress import ProgressPanel
from cnnstudio.ui.training.runner import (
    IDLE,
    PAUSED,
    RUNNING,
    STOPPING,
    TrainingRunner,
)
from cnnstudio.ui.training.runs_actions import RUN_STATE_TEXT
from cnnstudio.ui.training.runs_panel import RunsPanel


class RunFollowing:
    """The Training tab's part that follows the running worker (a mixin of TrainingTab, which owns the widgets)."""

    context: StudioContext
    runner: TrainingRunner
    controls: ControlPanel
    banner: MessageBanner
    plots: TrainingPlots
    progress: ProgressPanel
    runs: RunsPanel
    active: Path | None
    last_run: Path | None
    _active_record: RunRecord | None
    _resume_history: EpochHistory | None
    _run_notes: list[str]

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
            self.runs.update_record(self._active_record, RUN_STATE_TEXT.get(state, ""))
        self._update_outputs()

    def _update_outputs(self) -> None:
        target = self._target_run()
        usable = target is not None and target != self.active and trained_checkpoint(target) is not None
        self.controls.set_outputs_enabled(usable)

    def _events(self, events: list[Event]) -> None:
        batches: list[BatchMetrics] = []
        for event in events:
            if isinstance(event, BatchMetrics):
                batches.append(event)
            elif isinstance(event, Started):
                self._started(event)
            elif isinstance(event, Validation):
                self.plots.add_epoch(event.position, event.val_loss, event.val_acc)
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
        self.runs.update_record(self._active_record, RUN_STATE_TEXT.get(self.runner.state, ""))

    def _started(self, event: Started) -> None:
        self.progress.started(event)
        self.plots.begin(event.epochs, event.task)
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
