"""Browsing the current data's validation images as inputs: previous / next / random, one class only,
or only the images the model gets wrong (found by running the model over the set on the runner)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import ImageDataset
from cnnstudio.engine.evaluate import predicted_labels
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.viz.images import dataset_image
from cnnstudio.viz.runtime import InspectError

KEY = "misclassified"


def fit_problem(classifier: Classifier, dataset: ImageDataset) -> str:
    """Why the model cannot be scored on the data ("" when it can)."""
    if tuple(dataset.image_shape) != tuple(classifier.input_shape):
        shape = "×".join(map(str, classifier.input_shape))
        return f"the model takes {shape} images, the data's are {'×'.join(map(str, dataset.image_shape))}"
    if list(dataset.classes) != list(classifier.classes):
        return "the model's classes are not the data's; choose a model trained on this data"
    return ""


def model_predictions(classifier: Classifier, dataset: ImageDataset, task: Task) -> np.ndarray:
    """The model's predicted class of every image (int64, one per image); runs on the runner, cancellable."""
    problem = fit_problem(classifier, dataset)
    if problem:
        raise InspectError(f"Cannot find misclassified images: {problem}.")
    return predicted_labels(
        classifier.module, dataset, classifier.preprocessing, progress=task.fraction, cancel=task.cancel
    )


class DatasetBrowser(QWidget):
    """Controls to step through the validation set; `image_chosen(pixels, caption)` for each image shown."""

    image_chosen = Signal(object, str)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.dataset: ImageDataset | None = None
        self.title = ""
        self.classifier: Classifier | None = None
        self._predicted: np.ndarray | None = None  # for (classifier, dataset) below
        self._predicted_for: tuple[int, int] | None = None
        self._indices = np.zeros(0, dtype=np.int64)
        self._position = 0
        self._rng = np.random.default_rng()

        self.class_combo = QComboBox()
        self.class_combo.setToolTip("Show only the images of one class")
        self.misclassified_box = QCheckBox("Misclassified only")
        self.misclassified_box.setToolTip("Show only the images the model gets wrong")
        self.previous_button = QPushButton("◀")
        self.previous_button.setToolTip("Previous image")
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("Next image")
        self.random_button = QPushButton("Random")
        for button in (self.previous_button, self.next_button):
            button.setFixedWidth(36)
        self.position_label = QLabel()
        self.position_label.setProperty("role", "muted")
        self.position_label.setWordWrap(True)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.class_combo, 1)
        filters.addWidget(self.misclassified_box)
        steps = QHBoxLayout()
        steps.setContentsMargins(0, 0, 0, 0)
        for button in (self.previous_button, self.next_button, self.random_button):
            steps.addWidget(button)
        steps.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(filters)
        layout.addLayout(steps)
        layout.addWidget(self.position_label)

        self.class_combo.currentIndexChanged.connect(lambda index: self._filter())
        self.misclassified_box.toggled.connect(self._misclassified_toggled)
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.random_button.clicked.connect(self._random)
        self.set_dataset(None, "")

    # ----- inputs from the tab
    def set_dataset(self, dataset: ImageDataset | None, title: str) -> None:
        self.dataset, self.title = dataset, title
        self._predicted = self._predicted_for = None
        self.class_combo.blockSignals(True)
        self.class_combo.clear()
        self.class_combo.addItem("All classes")
        if dataset is not None:
            self.class_combo.addItems([str(name) for name in dataset.classes])
        self.class_combo.blockSignals(False)
        self.misclassified_box.blockSignals(True)
        self.misclassified_box.setChecked(False)
        self.misclassified_box.blockSignals(False)
        for widget in (
            self.class_combo,
            self.misclassified_box,
            self.previous_button,
            self.next_button,
            self.random_button,
        ):
            widget.setEnabled(dataset is not None and len(dataset) > 0)
        if dataset is None:
            self._indices = np.zeros(0, dtype=np.int64)
            self.position_label.setText("No data yet: choose a dataset in the Data tab.")
            return
        self._filter()

    def set_classifier(self, classifier: Classifier | None) -> None:
        """The model whose mistakes "misclassified only" shows."""
        self.classifier = classifier
        self._predicted = self._predicted_for = None
        if self.misclassified_box.isChecked():
            self._request_predictions()

    def current_index(self) -> int | None:
        """The dataset index of the image shown, None when none."""
        return int(self._indices[self._position]) if self._indices.size else None

    def show_current(self) -> None:
        """Emit the image at the current position again (the user came back to this source)."""
        index = self.current_index()
        if index is None or self.dataset is None:
            return
        classes = self.dataset.classes
        label = self.dataset.label_text(index)
        self.position_label.setText(f"{self._position + 1} of {self._indices.size} shown · label “{label}”")
        caption = f"{self.title} · validation image {index + 1} of {len(self.dataset)} · label “{label}”"
        if self._predicted is not None:
            caption += f" · model says “{classes[int(self._predicted[index])]}”"
        self.image_chosen.emit(dataset_image(self.dataset, index), caption)

    # ----- filtering and stepping
    def _filter(self, keep: int | None = None) -> None:
        if self.dataset is None:
            return
        labels = self.dataset.labels.numpy()
        mask = np.zeros(len(labels), dtype=bool)
        chosen_class = self.class_combo.currentIndex() - 1
        mask[self.dataset.indices(chosen_class if chosen_class >= 0 else None)] = True
        if self.misclassified_box.isChecked() and not self.dataset.multilabel:
            if self._predicted is None:
                return  # predictions are on their way; _filter runs again when they arrive
            mask &= self._predicted != labels
        self._indices = np.flatnonzero(mask)
        self._position = 0
        if keep is not None and keep in self._indices:
            self._position = int(np.searchsorted(self._indices, keep))
        if not self._indices.size:
            what = "misclassified images" if self.misclassified_box.isChecked() else "images"
            self.position_label.setText(f"No {what}" + (" of this class" if chosen_class >= 0 else "") + ".")
            return
        self.show_current()

    def _step(self, delta: int) -> None:
        if self._indices.size:
            self._position = (self._position + delta) % self._indices.size
            self.show_current()

    def _random(self) -> None:
        if self._indices.size:
            self._position = int(self._rng.integers(self._indices.size))
            self.show_current()

    # ----- misclassified
    def _misclassified_toggled(self, checked: bool) -> None:
        if checked:
            self._request_predictions()
        else:
            self.runner.cancel(KEY)
            self._filter(self.current_index())

    def _request_predictions(self) -> None:
        dataset, classifier = self.dataset, self.classifier
        if dataset is None:
            return
        if classifier is None:
            self.position_label.setText("Waiting for the model…")
            return
        key = (id(classifier), id(dataset))
        if self._predicted is not None and self._predicted_for == key:
            self._filter(self.current_index())
            return
        self.position_label.setText("Running the model over the validation images…")

        def done(predicted: np.ndarray) -> None:
            self._predicted, self._predicted_for = predicted, key
            if self.misclassified_box.isChecked():
                wrong = int((predicted != dataset.labels.numpy()).sum())
                self._filter(self.current_index())
                if wrong:
                    self.position_label.setText(f"{self.position_label.text()} · {wrong} of {len(dataset)} wrong")

        def failed(error: Exception) -> None:
            self.misclassified_box.blockSignals(True)
            self.misclassified_box.setChecked(False)
            self.misclassified_box.blockSignals(False)
            self.position_label.setText(str(error))

        def progress(message: str, fraction: float) -> None:
            self.position_label.setText(f"Running the model over the validation images… {fraction:.0%}")

        self.runner.submit(
            lambda task: model_predictions(classifier, dataset, task),
            key=KEY,
            on_done=done,
            on_error=failed,
            on_progress=progress,
        )
