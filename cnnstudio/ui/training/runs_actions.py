"""The runs list's actions: listing the runs folder (the run being trained as its events describe it), the
selection (overlaid on the plots; the target of Send and Export), results, open, resume, delete, reveal.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from cnnstudio.engine.run_folders import RunRecord, scan_runs
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.results import ResultsPanel
from cnnstudio.ui.training.runner import (
    PAUSED,
    RUNNING,
    STARTING,
    STOPPING,
    TrainingRunner,
)
from cnnstudio.ui.training.runs_panel import RunsPanel

RUN_STATE_TEXT = {STARTING: "starting", RUNNING: "running", PAUSED: "paused", STOPPING: "stopping"}


class RunsActions:
    """The Training tab's part that acts on the runs list (a mixin of TrainingTab, which owns the widgets)."""

    context: StudioContext
    runner: TrainingRunner
    plots: TrainingPlots
    results: ResultsPanel
    runs: RunsPanel
    active: Path | None
    last_run: Path | None
    _active_record: RunRecord | None

    def refresh_runs(self) -> None:
        """Read the runs folder again (the run being trained is shown as its events describe it)."""
        records = scan_runs(runs_dir())
        if self._active_record is not None:
            row = next((index for index, record in enumerate(records) if record.path == self.active), None)
            if row is None:
                records.insert(0, self._active_record)
            else:
                records[row] = self._active_record
        self.runs.set_runs(records, self.active, RUN_STATE_TEXT.get(self.runner.state, ""))
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
