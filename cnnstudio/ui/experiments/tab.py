"""The Experiments tab: a sweep of the open design on the session's data (Optuna, in the background on the
tab's TaskRunner), or an existing experiment folder; its trials in a table and plots, live while it runs;
"Open this trial" puts a trial's trained network into the Designer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.engine.events import EpochSummary
from cnnstudio.experiments.space import SpaceError, default_space, load_space
from cnnstudio.experiments.study import SweepError, SweepSettings, create_study, default_storage
from cnnstudio.experiments.trials import TrialEnded, TrialProgress, TrialRow, TrialStarted, run_trials
from cnnstudio.experiments.views import ExperimentView, TrialModel, experiment_view, open_experiment, trial_model
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.ui.experiments.plots import ExperimentPlots
from cnnstudio.ui.experiments.table import TrialsTable
from cnnstudio.ui.settings import data_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import Task, TaskRunner

SWEEP = "sweep"


def experiments_dir() -> Path:
    """Where the tab puts the experiment folders it starts, one per sweep."""
    return data_dir() / "experiments"


class ExperimentsTab(StudioTab):
    title = "Experiments"

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # two threads: a trial opens, or a cancelled sweep's table is read, while the sweep still runs
        self.tasks = TaskRunner("cnnstudio-experiments", parent=self, threads=2)
        self.tasks.busy_changed.connect(self._update_buttons)
        self.folder: Path | None = None
        self._study: Any = None  # the running sweep's study, once created
        self.trials = QSpinBox(minimum=1, maximum=1000, value=12)
        self.trials.setToolTip("How many trials the study should hold")
        self.epochs = QSpinBox(minimum=1, maximum=1000, value=10)
        self.epochs.setToolTip("Epochs of each trial (unless the space fixes them)")
        self.space = QLineEdit()
        self.space.setPlaceholderText("default space (lr, batch size, optimizer, … width, dropout)")
        self.space.setToolTip("A search-space JSON file (see cnnstudio sweep --space); empty: the default space")
        self.start_button = QPushButton("Start sweep")
        self.start_button.setToolTip("Sweep the design in the Designer on the data chosen in the Data tab")
        self.start_button.clicked.connect(self.start_sweep)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the sweep; the interrupted trial is redone when it is resumed")
        self.cancel_button.clicked.connect(self.cancel_sweep)
        self.open_button = QPushButton("Open experiment…")
        self.open_button.setToolTip("Show a sweep's folder (the --out folder with its study.db)")
        self.open_button.clicked.connect(self.choose_experiment)
        self.status = QLabel("No experiment yet: start a sweep or open an experiment folder.")
        self.status.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter trials: state, parameter or number (e.g. complete lr=0.01)")
        self.filter.setClearButtonEnabled(True)
        self.table = TrialsTable()
        self.filter.textChanged.connect(self.table.set_filter)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda item: self.open_trial())
        self.open_trial_button = QPushButton("Open this trial")
        self.open_trial_button.setToolTip("Put the selected trial's design and trained weights into the Designer")
        self.open_trial_button.clicked.connect(self.open_trial)
        self.plots = ExperimentPlots()
        self._build_layout()
        self._update_buttons()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("Trials", self.trials)
        form.addRow("Epochs", self.epochs)
        form.addRow("Space", self.space)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.cancel_button, self.open_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        left = QWidget()
        column = QVBoxLayout(left)
        column.addLayout(form)
        column.addLayout(buttons)
        column.addWidget(self.status)
        column.addWidget(self.filter)
        column.addWidget(self.table, 1)
        column.addWidget(self.open_trial_button, 0, Qt.AlignLeft)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.plots)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)

    def splitters(self) -> dict[str, QSplitter]:
        return {"splitter": self.splitter}

    def page_stacks(self) -> dict[str, Any]:
        return {"plots": self.plots}

    def _update_buttons(self, *_: Any) -> None:
        running = self.tasks.is_busy(SWEEP)
        self.start_button.setEnabled(not self.tasks.is_busy())
        self.open_button.setEnabled(not self.tasks.is_busy())
        self.cancel_button.setEnabled(running)
        trial = self.table.selected_trial()
        self.open_trial_button.setEnabled(trial is not None and trial.state == "complete" and bool(trial.run_dir))

    # ----- starting and following a sweep
    def sweep_settings(self) -> SweepSettings:
        """The sweep of the open design on the session's data as the form sets it; SweepError if it cannot."""
        data = self.context.session.data
        if data is None:
            raise SweepError("choose the data to sweep on in the Data tab first")
        path = self.space.text().strip()
        try:
            space = load_space(path) if path else default_space()
        except SpaceError as error:
            raise SweepError(str(error)) from None
        stamp = datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
        folder, count = experiments_dir() / stamp, 2
        while folder.exists():  # two sweeps started within a second
            folder, count = experiments_dir() / f"{stamp}-{count}", count + 1
        design = self.context.document.graph
        return SweepSettings(
            design.to_dict(),
            data.spec,
            space.to_dict(),
            str(folder),
            self.trials.value(),
            {"epochs": self.epochs.value(), "augment": self.context.session.augment},
        )

    def start_sweep(self) -> None:
        try:
            settings = self.sweep_settings()
        except SweepError as error:
            self.context.prompts.error("Cannot start the sweep", str(error))
            return
        self.folder = Path(settings.out)
        self.table.set_rows([])
        self.status.setText(f"Starting the sweep in {self.folder}…")

        def sweep(task: Task) -> ExperimentView:
            study = create_study(settings, SWEEP, default_storage(settings.out))
            task.partial(("study", study))
            run_trials(study, on_event=lambda event: _forward(task, event), cancel=task.cancel, progress=task.report)
            return experiment_view(study)

        self._study = None
        self.tasks.submit(
            sweep,
            key=SWEEP,
            on_done=self._sweep_done,
            on_error=self._sweep_failed,
            on_partial=self._sweep_event,
            on_progress=lambda message, fraction: self.status.setText(message),
            on_cancelled=self._sweep_cancelled,
        )
        self._update_buttons()

    def cancel_sweep(self) -> None:
        self.status.setText("Cancelling the sweep (at the next batch)…")
        self.tasks.cancel(SWEEP)
        self._update_buttons()

    def _sweep_event(self, value: Any) -> None:
        if isinstance(value, tuple):
            self._study = value[1]
        elif isinstance(value, TrialStarted):
            self.table.update_row(
                TrialRow(value.number, "running", value.params, None, None, None, None, value.run_dir)
            )
            self.status.setText(f"Trial {value.number} is training…")
        elif isinstance(value, TrialProgress) and isinstance(value.event, EpochSummary):
            row = self.table.rows.get(value.number)
            if row is not None and value.event.val_acc is not None:
                row.val_acc = value.event.val_acc
                self.table.update_row(row)
                self.status.setText(f"Trial {value.number}: epoch {value.event.epoch} of {value.event.epochs}")
        elif isinstance(value, TrialEnded):
            self.table.update_row(value.row)

    def _sweep_done(self, view: ExperimentView) -> None:
        self.show_view(view)
        best = view.best[0] if view.best else None
        summary = f", best {100 * best.val_acc:.2f} % (trial {best.number})" if best and best.val_acc else ""
        self.status.setText(f"The sweep finished: {len(view.rows)} trials{summary}. Folder: {self.folder}")

    def _sweep_failed(self, error: Exception) -> None:
        text = str(error) if isinstance(error, SweepError) else f"{type(error).__name__}: {error}"
        self.status.setText(f"The sweep stopped: {text}")
        self.context.prompts.error("The sweep cannot go on", text)

    def _sweep_cancelled(self) -> None:
        self.status.setText(f"Cancelled; the experiment is in {self.folder} (cnnstudio sweep --resume continues it)")
        if self._study is not None:
            study = self._study
            self.tasks.submit(lambda task: experiment_view(study), key="view", on_done=self.show_view)

    # ----- opening an experiment and a trial
    def choose_experiment(self) -> None:
        folder = self.context.prompts.choose_directory("Open experiment folder", str(experiments_dir()))
        if folder:
            self.open_folder(Path(folder))

    def open_folder(self, folder: Path) -> None:
        """Show the experiment in `folder` (read in the background)."""
        self.status.setText(f"Reading {folder}…")

        def opened(view: ExperimentView) -> None:
            self.folder = folder
            self.show_view(view)
            self.status.setText(f"{folder}: {len(view.rows)} trials of study {view.name}")

        def failed(error: Exception) -> None:
            text = str(error) if isinstance(error, SweepError) else f"{type(error).__name__}: {error}"
            self.status.setText(f"Cannot open {folder}: {text}")

        self.tasks.submit(
            lambda task: experiment_view(open_experiment(folder)), key="view", on_done=opened, on_error=failed
        )

    def show_view(self, view: ExperimentView) -> None:
        self.table.set_rows(view.rows)
        self.plots.show_view(view)
        self._update_buttons()

    def open_trial(self) -> None:
        """Put the selected trial's trained network into the Designer (a new, unsaved design)."""
        trial = self.table.selected_trial()
        if trial is None or trial.run_dir is None or trial.state != "complete":
            return
        run_dir = Path(trial.run_dir)
        document = self.context.document
        if document.is_modified() and not self.context.prompts.confirm(
            "Replace the design",
            f"The Designer's design “{document.display_name()}” has unsaved changes.\n\n"
            f"Replace it with trial {trial.number}? Save it first (File ▸ Save) to keep it.",
        ):
            return

        def done(model: TrialModel) -> None:
            model.graph.name = f"{model.graph.name} (trial {trial.number})"
            self.context.document.replace(
                model.graph, None, modified=True, weights=model.weights, weights_metadata=model.metadata
            )
            self.context.session.show_tab.emit("Designer")
            self.context.show_message(f"The Designer shows trial {trial.number} with its trained weights ({run_dir})")

        def failed(error: Exception) -> None:
            text = str(error) if isinstance(error, ModelLoadError) else f"{type(error).__name__}: {error}"
            self.context.prompts.error(f"Cannot open trial {trial.number}", text)

        self.tasks.submit(lambda task: trial_model(run_dir), key="trial", on_done=done, on_error=failed)

    def shutdown(self) -> None:
        self.tasks.shutdown()


def _forward(task: Task, event: Any) -> None:
    """Hand the GUI what the table shows: trial starts and ends and epoch summaries (not every batch)."""
    if isinstance(event, TrialStarted | TrialEnded) or (
        isinstance(event, TrialProgress) and isinstance(event.event, EpochSummary)
    ):
        task.partial(event)
