"""The Data tab's gallery of suspected label errors.

The trained run the window follows (`session.model.run_dir`) examines the chosen data
(`cnnstudio.engine.label_issues.find_run_label_issues`, in the background); the suspects are shown most likely
wrong first, each with its given and suggested label and three decisions — Relabel (as the suggestion),
Exclude, Keep — written at once to the data set's overrides file. The images are never changed; the
decisions apply when the data is loaded next.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data.overrides import Override, read_overrides, write_override
from cnnstudio.engine.label_issues import LabelIssue, LabelIssues, find_run_label_issues
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.images import thumbnail
from cnnstudio.ui.widgets.progress import ProgressStrip, set_role

SHOWN = 24  # suspects shown in the gallery, most likely wrong first
COLUMNS = 2
THUMB = 72
FIND = "find"
_DONE = {"relabel": "relabelled as {label}", "exclude": "excluded from training", "keep": "kept as labelled"}


class IssueCard(QWidget):
    """One suspect: its picture, rank, name, given and suggested label, and the three decisions.
    `decided(action)` when a button is pressed."""

    decided = Signal(str)

    def __init__(self, rank: int, issue: LabelIssue, pixels: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.issue = issue
        picture = QLabel()
        picture.setPixmap(thumbnail(pixels, THUMB))
        picture.setFixedSize(THUMB, THUMB)
        picture.setAlignment(Qt.AlignCenter)
        title = QLabel(f"{rank}. {issue.source}")
        title.setToolTip(issue.source)
        labels = QLabel(
            f"given <b>{issue.given_label}</b> → suggested <b>{issue.suggested_label}</b><br>"
            f"confidence in the given label {issue.score:.1%}"
        )
        self.state = QLabel()
        set_role(self.state, "muted")
        self.relabel_button = QPushButton(f"Relabel as {issue.suggested_label}")
        self.exclude_button = QPushButton("Exclude")
        self.keep_button = QPushButton("Keep")
        for button, action in (
            (self.relabel_button, "relabel"),
            (self.exclude_button, "exclude"),
            (self.keep_button, "keep"),
        ):
            button.clicked.connect(lambda _=False, action=action: self.decided.emit(action))
        buttons = QHBoxLayout()
        for button in (self.relabel_button, self.exclude_button, self.keep_button):
            buttons.addWidget(button)
        text = QVBoxLayout()
        for widget in (title, labels, self.state):
            text.addWidget(widget)
        text.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(picture, 0, Qt.AlignTop)
        layout.addLayout(text, 1)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Fixed)  # the gallery scrolls; cards keep their height

    def show_decision(self, override: Override | None) -> None:
        """Say what was decided for this image (nothing yet when None)."""
        self.state.setText(_DONE[override.action].format(label=override.label) if override is not None else "")


class LabelIssuesPanel(QWidget):
    """Find label issues of the chosen data with the followed run, and decide about each suspect.
    `decision_written(path)` after a decision went into the overrides file."""

    decision_written = Signal(str)

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.result: LabelIssues | None = None
        self.spec = ""
        self.cards: list[IssueCard] = []
        self.runner = TaskRunner("cnnstudio-label-issues", self)
        self.folds_spin = QSpinBox(minimum=2, maximum=10, value=3, prefix="folds: ")
        self.folds_spin.setToolTip(
            "the run's design is trained this many times, each predicting the fold it did not see"
        )
        self.fast_check = QCheckBox("Fast")  # a short text: the panel shares the Data tab's width with the samples
        self.fast_check.setToolTip("use the run's own predictions of its validation images instead of training folds")
        self.fast_check.toggled.connect(lambda fast: self.folds_spin.setEnabled(not fast))
        self.find_button = QPushButton("Find label issues")
        self.find_button.clicked.connect(self.find)
        self.strip = ProgressStrip()
        self.strip.cancel_requested.connect(lambda: self.runner.cancel(FIND))
        controls = QHBoxLayout()
        for widget in (self.folds_spin, self.fast_check):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.find_button)
        self.gallery = QWidget()
        self.grid = QGridLayout(self.gallery)
        self.grid.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.gallery)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.strip)
        layout.addWidget(scroll, 1)
        self.strip.say("Finds the images whose labels look wrong, using the trained model's design and settings.")

    def is_busy(self) -> bool:
        return self.runner.is_busy()

    def find(self) -> None:
        """Examine the chosen data with the followed run (in the background)."""
        model, data = self.context.session.model, self.context.session.data
        if model is None or model.run_dir is None or data is None:
            self.strip.say("Train a model on this data first (or open a run in the Training tab).", error=True)
            return
        run_dir, spec, fast, folds = model.run_dir, data.spec, self.fast_check.isChecked(), self.folds_spin.value()

        def work(task: Task) -> LabelIssues:
            return find_run_label_issues(
                run_dir, spec, folds=folds, fast=fast, progress=task.report, cancel=task.cancel
            )

        self.find_button.setEnabled(False)
        self.strip.start("Looking for label issues…", busy=True)
        self.runner.submit(
            work,
            key=FIND,
            on_done=lambda result: self._show(spec, result),
            on_error=self._failed,
            on_progress=self.strip.progress,
            on_cancelled=lambda: self._ended("Cancelled."),
        )

    def _ended(self, message: str, *, error: bool = False) -> None:
        self.find_button.setEnabled(True)
        self.strip.finish(message, error=error)

    def _failed(self, error: Exception) -> None:
        self._ended(f"Finding label issues failed: {error}", error=True)

    def _show(self, spec: str, result: LabelIssues) -> None:
        self.spec, self.result = spec, result
        for card in self.cards:
            card.deleteLater()
        decisions = read_overrides(result.overrides)
        self.cards = []
        for rank, issue in enumerate(result.issues[:SHOWN], start=1):
            card = IssueCard(rank, issue, result.dataset.rgb(issue.index))
            card.show_decision(decisions.get(issue.source))
            card.decided.connect(lambda action, card=card: self.decide(card, action))
            self.grid.addWidget(card, (rank - 1) // COLUMNS, (rank - 1) % COLUMNS)
            self.cards.append(card)
        shown = min(SHOWN, len(result.issues))
        self._ended(
            f"{len(result.issues)} suspected label error(s) among {len(result.dataset):,} images ({result.method}, "
            f"{result.seconds:.1f} s); {'the ' + str(shown) + ' most likely wrong are shown' if shown else 'none'}. "
            f"Decisions go to {result.overrides.name} and apply when the data is loaded next."
        )

    def decide(self, card: IssueCard, action: str) -> None:
        """Write the decision about `card`'s image to the overrides file at once."""
        if self.result is None:
            return
        issue = card.issue
        override = Override(action, issue.suggested_label if action == "relabel" else None)
        path: Path = self.result.overrides
        try:
            write_override(path, self.spec, issue.source, override)
        except OSError as error:
            self.strip.say(f"Could not write {path}: {error.strerror or error}", error=True)
            return
        card.show_decision(override)
        self.decision_written.emit(str(path))

    def shutdown(self) -> None:
        self.runner.shutdown()
