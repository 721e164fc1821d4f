"""Which model the Inspect tab looks at, and loading it off the GUI thread.

Sources: the trained model the Training tab published (`session.model`, refreshed from the run's
`last` checkpoint while it trains), the Designer's current design (rebuilt, debounced, when it or its
weights change), the pretrained EfficientNet-Lite0, a torchvision model whose weights are cached, or a
run folder / model file the user opens. Loading runs on the inspector's runner, so it never overlaps
a view's computation. A model another tab published is inspected as a copy: the views put hooks on
the model they look at, which must not fire in the Webcam tab's classification thread.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from cnnstudio.engine.checkpoint import STATE_JSON, checkpoint_dir
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pretrained.resolve import TORCHVISION_PREFIX, load_classifier
from cnnstudio.pytorch.importer import torchvision_model_names
from cnnstudio.ui.inspection.controls import titled_column
from cnnstudio.ui.session import ModelChoice
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import Task, TaskRunner

TRAINED, DESIGN, EFFICIENTNET, TORCHVISION, FILE = range(5)
SOURCE_NAMES = (
    "Trained model",
    "Current design",
    "EfficientNet-Lite0 (ImageNet)",
    "torchvision model…",
    "Open run or model file…",
)
DESIGN_DELAY_MS = 400
MODEL_FILTER = "Models (*.cnn.json *.safetensors state.json metrics.json);;Designs (*.cnn.json);;All files (*)"
KEY = "model"


def model_spec_for(path: str) -> str:
    """What `load_classifier` should open for a file the user picked: a file inside a run or one of its
    checkpoint folders means that folder (state.json, metrics.json, weights.safetensors); a weights
    file beside a design means the design; anything else is given as it is."""
    picked = Path(path)
    folder = picked.parent
    if picked.name in (STATE_JSON, "metrics.json") or (folder / STATE_JSON).is_file():
        return str(folder)
    if picked.suffix == ".safetensors":
        design = picked.with_name(picked.name[: -len(".safetensors")] + ".cnn.json")
        if design.is_file():
            return str(design)
    return str(picked)


class ModelSource(QWidget):
    """The model chooser. Emits `model_ready(ModelChoice)` when a model is loaded, `model_failed(message)`
    when the chosen one cannot be (the message says why and what to do)."""

    model_ready = Signal(object)
    model_failed = Signal(str)

    def __init__(self, context: StudioContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.current: ModelChoice | None = None
        self._source = DESIGN
        self._detail = ""  # the torchvision name or the file of the last such choice
        self._followed_run: Path | None = None  # the run whose checkpoints refresh the trained model
        self._checkpoint_epoch: int | None = None  # newest checkpoint of that run, if newer than session.model
        self._active = False
        self._stale = True

        self.combo = QComboBox()
        self.combo.addItems(SOURCE_NAMES)
        self.combo.setToolTip("The model every view of this tab looks at")
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-weight: 600;")
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setProperty("role", "muted")
        self.busy_label = QLabel("Loading…")
        self.busy_label.setProperty("role", "muted")
        self.busy_label.hide()
        layout = titled_column(self, "Model", self.busy_label)
        layout.addWidget(self.combo)
        layout.addWidget(self.title_label)
        layout.addWidget(self.notes_label)

        self._design_timer = QTimer(self, singleShot=True, interval=DESIGN_DELAY_MS)
        self._design_timer.timeout.connect(self._design_changed_settled)
        session, document = context.session, context.document
        session.model_changed.connect(self._session_model_changed)
        session.checkpoint_written.connect(self._checkpoint_written)
        session.data_changed.connect(self._design_changed)
        document.graph.changed.connect(self._design_changed)
        document.weights_changed.connect(self._design_changed)
        self.combo.currentIndexChanged.connect(self._combo_changed)
        self._update_trained_item()
        self._source = TRAINED if session.model is not None else DESIGN
        self._set_combo(self._source)

    # ----- what the tab calls
    @property
    def source(self) -> int:
        return self._source

    def is_pending(self) -> bool:
        """True while a change of the design waits for its debounce before the model is rebuilt."""
        return self._design_timer.isActive()

    def set_active(self, active: bool) -> None:
        """Load only while the tab is shown; a change made meanwhile is loaded when it is shown again."""
        self._active = active
        if active and self._stale:
            self.reload()

    def reload(self) -> None:
        """Load the chosen source again (now if the tab is shown, else when it is)."""
        self._stale = True
        if not self._active:
            return
        self._stale = False
        self._design_timer.stop()
        if self._source == TRAINED:
            self._load_trained()
        elif self._source == DESIGN:
            self._load_design()
        elif self._source == EFFICIENTNET:
            self._submit(lambda task: load_classifier("efficientnet_lite0"), "EfficientNet-Lite0 · ImageNet")
        elif self._source == TORCHVISION:
            name = self._detail
            self._submit(lambda task: load_classifier(TORCHVISION_PREFIX + name), f"{name} · ImageNet (torchvision)")
        else:
            spec = model_spec_for(self._detail)
            self._submit(lambda task: load_classifier(spec), None)

    def disconnect_document(self) -> None:
        """Stop following the design (the tab is closing; the document outlives it in tests)."""
        self._design_timer.stop()
        self.context.document.graph.changed.disconnect(self._design_changed)

    # ----- choosing
    def _set_combo(self, index: int) -> None:
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def _combo_changed(self, index: int) -> None:
        if index == TORCHVISION:
            name = self.context.prompts.choose_torchvision_model(torchvision_model_names())
            if not name:
                self._set_combo(self._source)
                return
            self._detail = name
        elif index == FILE:
            path = self.context.prompts.open_path("Open a run folder's file or a model", "", MODEL_FILTER)
            if not path:
                self._set_combo(self._source)
                return
            self._detail = path
        self._source = index
        self.reload()

    def _update_trained_item(self) -> None:
        model: QStandardItemModel = self.combo.model()
        item = model.item(TRAINED)
        available = self.context.session.model is not None or self._followed_run is not None
        item.setFlags(item.flags() | Qt.ItemIsEnabled if available else item.flags() & ~Qt.ItemIsEnabled)
        item.setToolTip("" if available else "Train a model in the Training tab (or send one here) first")

    # ----- following the session and the design
    def _session_model_changed(self) -> None:
        choice = self.context.session.model
        self._followed_run = choice.run_dir if choice is not None else None
        self._checkpoint_epoch = None
        self._update_trained_item()
        if choice is not None:  # "Send to Inspect": show the model that was sent
            self._set_combo(TRAINED)
            self._source = TRAINED
            self.reload()
        elif self._source == TRAINED:
            self._set_combo(DESIGN)
            self._source = DESIGN
            self.reload()

    def _checkpoint_written(self, run_dir: str, epoch: int) -> None:
        run = Path(run_dir)
        choice = self.context.session.model
        if choice is not None and choice.run_dir is not None and Path(choice.run_dir) != run:
            return  # another run than the one the user sent here
        self._followed_run, self._checkpoint_epoch = run, int(epoch)
        self._update_trained_item()
        if self._source == TRAINED:
            self.reload()

    def _design_changed(self, *args: object) -> None:
        if self._source == DESIGN:
            self._stale = True
            if self._active:
                self._design_timer.start()

    def _design_changed_settled(self) -> None:
        if self._source == DESIGN and self._stale:
            self.reload()

    # ----- loading
    def _load_trained(self) -> None:
        choice = self.context.session.model
        if self._followed_run is not None and self._checkpoint_epoch is not None:
            run, epoch = self._followed_run, self._checkpoint_epoch
            title = f"{choice.title if choice else run.name} · epoch {epoch} (training)"

            def load(task: Task) -> Classifier:
                return load_run_classifier(checkpoint_dir(run, "last"))

            self._submit(load, title, run)
        elif choice is not None:
            self._submit(lambda task: copy.deepcopy(choice.classifier), choice.title, choice.run_dir)
        else:
            self.model_failed.emit("No trained model yet: train one in the Training tab, or choose another model.")

    def _load_design(self) -> None:
        document, data = self.context.document, self.context.session.data
        graph = document.graph.copy()
        weights, metadata = document.weights, dict(document.weights_metadata)
        classes = list(data.split.classes) if data is not None and data.split is not None else None
        state = "with its weights" if weights else "untrained (random weights)"

        def build(task: Task) -> Classifier:
            return classifier_from_design(graph, weights, metadata, classes=classes)

        self._submit(build, f"{graph.name} · current design, {state}")

    def _submit(self, load: Callable[[Task], Classifier], title: str | None, run_dir: Path | None = None) -> None:
        self.busy_label.show()

        def done(classifier: Classifier) -> None:
            self.busy_label.hide()
            self.current = ModelChoice(classifier, title or classifier.name, run_dir)
            self.title_label.setText(self.current.title)
            self.notes_label.setText(" ".join(classifier.notes))
            self.notes_label.setVisible(bool(classifier.notes))
            self.model_ready.emit(self.current)

        def failed(error: Exception) -> None:
            self.busy_label.hide()
            self.current = None
            message = str(error) or type(error).__name__
            if self._source == DESIGN:
                message = f"{message}. Fix the design in the Designer tab, or choose another model."
            self.title_label.setText("No model")
            self.notes_label.setText(message)
            self.notes_label.show()
            self.model_failed.emit(message)

        self.runner.submit(load, key=KEY, on_done=done, on_error=failed)
