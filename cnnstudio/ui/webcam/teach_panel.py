"""Teach from the camera: name classes, hold a button to record live frames of each into an image-folder
dataset (captures_dir() / <dataset> / <class>), browse and delete samples, then train a new classifier
on EfficientNet-Lite0's frozen features in the background (`cnnstudio.pretrained.teach_classifier`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from cnnstudio.camera.frames import Frame
from cnnstudio.camera.samples import SampleError, SampleRecorder, check_class_name
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.designs import save_classifier
from cnnstudio.pretrained.teach import TeachResult, teach_classifier
from cnnstudio.ui.prompts import NETWORK_FILTER
from cnnstudio.ui.settings import captures_dir
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.webcam.class_row import ClassRow
from cnnstudio.ui.webcam.sample_strip import MAX_THUMBNAILS, SampleStrip
from cnnstudio.ui.widgets.progress import ProgressStrip

RECORD_INTERVAL_MS = 100  # frames recorded per second while a button is held: 10
DEFAULT_DATASET = "my-classes"
DEFAULT_CLASSES = ("Class 1", "Class 2")
BASE = efficientnet_lite.SPEC


class TeachPanel(QWidget):
    """taught(TeachResult) when a classifier was trained from the recorded samples."""

    taught = Signal(object)

    def __init__(
        self, context: StudioContext, latest_frame: Callable[[], Frame | None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self._latest_frame = latest_frame
        self._tasks = TaskRunner("cnnstudio-teach", self)
        self._recording: str | None = None
        self._last_frame: Frame | None = None
        self.result: TeachResult | None = None
        self.rows: list[ClassRow] = []
        self._dataset_name = DEFAULT_DATASET
        self._record_timer = QTimer(self, interval=RECORD_INTERVAL_MS)
        self._record_timer.timeout.connect(self._record_frame)

        self.dataset = QLineEdit(DEFAULT_DATASET)
        self.dataset.setToolTip("The name of the image folder the samples are recorded into")
        self.folder_label = QLabel()
        self.folder_label.setProperty("role", "muted")
        self.folder_label.setWordWrap(True)
        self.folder_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.rows_layout = QVBoxLayout()
        self.rows_layout.setSpacing(4)
        self.add_button = QPushButton("+ Add class")
        self.samples = SampleStrip()
        self.train_button = QPushButton("Train classifier")
        self.train_button.setToolTip(
            "A new classifier on EfficientNet-Lite0's frozen features (seconds), then the live view switches to it"
        )
        self.save_button = QPushButton("Save as design…")
        self.save_button.setEnabled(False)
        self.training = ProgressStrip(quiet_role="")
        self.training.say("Name your classes, show each to the camera while holding its button, then train.")

        dataset_row = QHBoxLayout()
        dataset_row.addWidget(QLabel("Dataset:"))
        dataset_row.addWidget(self.dataset, 1)
        train_row = QHBoxLayout()
        train_row.addWidget(self.train_button)
        train_row.addStretch(1)
        train_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(dataset_row)
        layout.addWidget(self.folder_label)
        layout.addLayout(self.rows_layout)
        layout.addWidget(self.add_button, 0, Qt.AlignLeft)
        layout.addWidget(self.samples, 1)
        layout.addLayout(train_row)
        layout.addWidget(self.training)

        self.dataset.editingFinished.connect(self._dataset_edited)
        self.add_button.clicked.connect(lambda: self.add_class())
        self.samples.class_changed.connect(self._show_samples)
        self.samples.delete_requested.connect(self.delete_samples)
        self.train_button.clicked.connect(self.train)
        self.training.cancel_requested.connect(self.cancel)
        self.save_button.clicked.connect(self.save)
        self._load_dataset()

    # ----- the dataset on disk
    @property
    def root(self) -> Path:
        return captures_dir() / self._dataset_name

    def recorder(self) -> SampleRecorder:
        """The dataset folder's recorder (the folder is made on first use)."""
        return SampleRecorder(self.root)

    def class_names(self) -> list[str]:
        return [row.name for row in self.rows]

    def counts(self) -> dict[str, int]:
        return {row.name: row.count for row in self.rows}

    def _dataset_edited(self) -> None:
        try:
            name = check_class_name(self.dataset.text())
        except SampleError as error:
            self._say(str(error).replace("cannot name a class", "cannot name a dataset"), error=True)
            self.dataset.setText(self._dataset_name)
            return
        if name != self._dataset_name:
            self.dataset.setText(name)
            self._load_dataset()

    def _load_dataset(self) -> None:
        self._dataset_name = self.dataset.text().strip() or DEFAULT_DATASET
        root = self.root
        existing = SampleRecorder(root).classes() if root.is_dir() else []
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for name in existing or DEFAULT_CLASSES:
            self._add_row(name)
        self.folder_label.setText(f"Recorded into {root}")
        self.samples.set_classes(self.class_names())

    def _add_row(self, name: str) -> ClassRow:
        folder = self.root / name
        count = len(SampleRecorder(self.root).samples(name)) if folder.is_dir() else 0
        row = ClassRow(name, count)
        row.rename_requested.connect(self.rename_class)
        row.record_pressed.connect(self.start_recording)
        row.record_released.connect(self.stop_recording)
        row.remove_requested.connect(self.remove_class)
        self.rows_layout.addWidget(row)
        self.rows.append(row)
        return row

    def _row(self, name: str) -> ClassRow:
        return next(row for row in self.rows if row.name == name)

    # ----- classes
    def add_class(self, name: str | None = None) -> None:
        if name is None:
            number = len(self.rows) + 1
            while f"Class {number}" in self.class_names():
                number += 1
            name = f"Class {number}"
        try:
            name = check_class_name(name)
        except SampleError as error:
            self._say(str(error), error=True)
            return
        if name in self.class_names():
            self._say(f"There is already a class called {name}.", error=True)
            return
        self._add_row(name)
        self.samples.set_classes(self.class_names())

    def rename_class(self, old: str, new: str) -> None:
        row = self._row(old)
        try:
            new = check_class_name(new)
            if new in self.class_names():
                raise SampleError(f"there is already a class called {new}")
            if (self.root / old).is_dir():
                (self.root / old).rename(self.root / new)
        except (SampleError, OSError) as error:
            self._say(f"Cannot rename {old}: {error}", error=True)
            row.set_name(old)
            return
        row.set_name(new)
        self.samples.set_classes(self.class_names(), new)
        self._say(f"Renamed {old} to {new}.")

    def remove_class(self, name: str) -> None:
        row = self._row(name)
        folder = self.root / name
        try:
            if folder.is_dir():
                shutil.rmtree(folder)
        except OSError as error:
            self._say(f"Cannot delete {folder}: {error.strerror or error}", error=True)
            return
        self.rows.remove(row)
        row.deleteLater()
        self.samples.set_classes(self.class_names())
        self._say(f"Removed the class {name}" + (f" and its {row.count} samples." if row.count else "."))

    # ----- recording
    def start_recording(self, name: str) -> None:
        if self._tasks.is_busy():
            return
        self._recording = name
        self._row(name).set_recording(True)
        self.samples.select(name)
        self._record_frame()
        self._record_timer.start()

    def stop_recording(self, name: str) -> None:
        self._record_timer.stop()
        if self._recording is not None and any(row.name == self._recording for row in self.rows):
            self._row(self._recording).set_recording(False)
        self._recording = None

    def _record_frame(self) -> None:
        name = self._recording
        if name is None:
            return
        frame = self._latest_frame()
        if frame is None:
            self._say("Start a source first: recording takes the frames of the live view.", error=True)
            return
        if frame is self._last_frame:
            return  # no new frame since the last sample
        self._last_frame = frame
        try:
            path = self.recorder().record(name, frame.image)
        except (SampleError, OSError) as error:
            self._say(f"Cannot record: {error}", error=True)
            self.stop_recording(name)
            return
        row = self._row(name)
        row.set_count(row.count + 1)
        if self.samples.current() == name:
            self.samples.add_sample(path, frame.image)
        self._say(f"Recording {name}: {row.count} samples.")

    # ----- the sample strip
    def _show_samples(self, name: str) -> None:
        count = self.samples.show_samples(self.root, name)
        if count > MAX_THUMBNAILS:
            self._say(f"Showing the newest {MAX_THUMBNAILS} of {count} samples of {name}.")

    def delete_samples(self, paths: list[str]) -> None:
        """Delete recorded samples (files) of the class the strip shows."""
        name = self.samples.current()
        if not paths or not name:
            return
        recorder = self.recorder()
        for path in paths:
            try:
                recorder.delete(path)
            except (SampleError, OSError) as error:
                self._say(f"Cannot delete {Path(path).name}: {error}", error=True)
                continue
            self.samples.remove(path)
        self._row(name).set_count(len(recorder.samples(name)))
        self._say(f"{name}: {self._row(name).count} samples left.")

    # ----- training
    def train(self) -> None:
        if self._tasks.is_busy():
            return
        ready = [row.name for row in self.rows if row.count > 0]
        if len(ready) < 2:
            self._say(
                "Record samples of at least two classes first (hold a class's button while showing it to the camera).",
                error=True,
            )
            return
        root = self.root

        def teach(task: Task) -> TeachResult:
            return teach_classifier(root, BASE, progress=task.report)

        self._show_training(True)
        self.training.start(f"Training a classifier for {', '.join(ready)} on {efficientnet_lite.NAME}'s features…")
        self._tasks.submit(
            teach,
            on_done=self._trained,
            on_error=lambda error: self._training_ended(f"Training failed: {error}", error=True),
            on_progress=self.training.progress,
            on_cancelled=lambda: self._training_ended("Training cancelled; the samples are kept."),
        )

    def cancel(self) -> None:
        self._tasks.cancel()

    def _trained(self, result: TeachResult) -> None:
        self._training_ended(_summary(result))
        self.result = result
        self.save_button.setEnabled(True)
        self.taught.emit(result)

    def _training_ended(self, message: str, *, error: bool = False) -> None:
        self._show_training(False)
        self.training.finish(message, error=error)

    def _show_training(self, running: bool) -> None:
        self.train_button.setEnabled(not running)
        for row in self.rows:
            row.setEnabled(not running)

    def save(self) -> None:
        if self.result is None:
            return
        suggested = str(
            Path(self.context.settings.get("last_dir", str(Path.home()))) / f"{self._dataset_name}.cnn.json"
        )
        path = self.context.prompts.save_path("Save the taught classifier", suggested, NETWORK_FILTER)
        if not path:
            return
        if not path.endswith(".json"):
            path += ".cnn.json"
        try:
            weights = save_classifier(self.result.classifier, path)
        except OSError as error:
            self.context.prompts.error("Cannot save the classifier", f"{path}: {error.strerror or error}")
            return
        self._say(
            f"Saved {Path(path).name} and its weights {weights.name}: open it with File ▸ Open, or choose "
            "it as the Webcam tab's model."
        )

    def _say(self, text: str, *, error: bool = False) -> None:
        self.training.say(text, error=error)

    def shutdown(self) -> None:
        self._record_timer.stop()
        self._tasks.shutdown()


def _summary(result: TeachResult) -> str:
    classes = ", ".join(result.classifier.classes)
    text = f"Taught {classes}: {result.train_accuracy:.0%} right on the {result.train_size} training images"
    if result.val_accuracy is not None:
        text += f", {result.val_accuracy:.0%} on {result.val_size} held back"
    return text + ". The live view now uses it."
