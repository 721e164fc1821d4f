"""Which network classifies the live view: EfficientNet-Lite0 (offline), torchvision's pretrained
classifiers (downloaded on demand), the design open in the Designer with its weights, the model the
Training tab published, or a run's checkpoint or a saved design.

The choice follows the window: with "Current design", each edit of the design (its graph, its weights, a
newly opened file) rebuilds the live model; with "Trained model", each model or checkpoint the Training
tab publishes replaces it. Changes are gathered for FOLLOW_DELAY_MS, every model is loaded off the GUI
thread, and a newer request supersedes a load still running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent, QStandardItemModel
from PySide6.QtWidgets import QGroupBox, QPushButton, QVBoxLayout, QWidget

from cnnstudio.engine.checkpoint import checkpoint_dir
from cnnstudio.engine.device import resolve_device
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.catalog import TORCHVISION_CLASSIFIERS, torchvision_info
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pretrained.resolve import load_classifier
from cnnstudio.pytorch.importer import torchvision_name, torchvision_spec
from cnnstudio.ui.pretrained.download import DownloadPanel
from cnnstudio.ui.pretrained.networks import model_list_text, with_size
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.eliding_combo import ElidingComboBox
from cnnstudio.ui.widgets.progress import ProgressStrip
from cnnstudio.viz.live import LiveModel, live_model

PRETRAINED, DESIGN, TRAINED, FILE, BROWSE = "pretrained", "design", "trained", "file", "browse"
_KIND, _VALUE = Qt.UserRole, Qt.UserRole + 1
DEVICE = "auto"  # the GPU when there is one: classification, feature maps and Grad-CAM all run there
FOLLOW_DELAY_MS = 400  # an edit of the design (typing a number, dragging) settles before the model is rebuilt


class ModelPanel(QGroupBox):
    """model_ready(LiveModel) when a chosen model is loaded, load_failed(message) when it cannot be;
    file_requested asks the tab for a path. Nothing loads before `activate`."""

    model_ready = Signal(object)
    load_failed = Signal(str)
    file_requested = Signal()

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.context = context
        self._tasks = TaskRunner("cnnstudio-webcam-model", self)
        self._active = False
        self._described = False
        self._checkpoint: tuple[Path, int] | None = None  # (run, epoch) of the run being trained
        self.combo = ElidingComboBox(24)
        self.status = ProgressStrip(cancellable=False)
        self.download_button = QPushButton()
        self.download_panel = DownloadPanel()
        self._follow_timer = QTimer(self, singleShot=True, interval=FOLLOW_DELAY_MS)
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addWidget(self.status)
        layout.addWidget(self.download_button)
        layout.addWidget(self.download_panel)

        self._fill()
        self.download_button.hide()
        self.combo.activated.connect(lambda _index: self.load_current())
        self.download_button.clicked.connect(self._download)
        self.download_panel.downloaded.connect(self._downloaded)
        self.download_panel.ended.connect(lambda: self.download_button.setEnabled(True))  # failed: try again
        self._follow_timer.timeout.connect(self.load_current)
        session, document = context.session, context.document
        session.model_changed.connect(self._session_model_changed)
        session.checkpoint_written.connect(self._checkpoint_written)
        session.data_changed.connect(self._design_changed)
        document.weights_changed.connect(self._design_changed)
        document.path_changed.connect(self._design_changed)
        document.graph.changed.connect(self._design_changed)

    # ----- the list
    def _fill(self) -> None:
        self._add(f"{efficientnet_lite.NAME} · ImageNet, offline", PRETRAINED, efficientnet_lite.SPEC)
        for name in TORCHVISION_CLASSIFIERS:  # sizes and cached state follow when the panel is first shown
            self._add(f"{name} · ImageNet", PRETRAINED, torchvision_spec(name))
        self._add("Current design (Designer)", DESIGN, None)
        self._add("Trained model (Training tab)", TRAINED, None)
        self._add("Run or model file…", BROWSE, None)
        self._update_trained_item()

    def showEvent(self, event: QShowEvent) -> None:
        """Describe the torchvision entries (download size, cached or not) the first time the panel shows:
        reading torchvision's weight tables imports torchvision, seconds that the window's start need not wait."""
        super().showEvent(event)
        if not self._described:
            self._described = True
            self._tasks.submit(
                lambda task: {name: model_list_text(torchvision_info(name)) for name in TORCHVISION_CLASSIFIERS},
                key="describe",
                on_done=self._describe,
                on_error=lambda error: None,  # the plain names stay; choosing one explains any problem
            )

    def _describe(self, texts: dict[str, str]) -> None:
        for name, text in texts.items():
            self._set_text(self._index_of(PRETRAINED, torchvision_spec(name)), text)

    def _add(self, text: str, kind: str, value: object, index: int | None = None) -> None:
        position = self.combo.count() if index is None else index
        self.combo.insertItem(position, text)
        self.combo.setItemData(position, kind, _KIND)
        self.combo.setItemData(position, value, _VALUE)

    def _set_text(self, index: int, text: str) -> None:
        self.combo.setItemText(index, text)

    def _index_of(self, kind: str, value: object = None) -> int:
        for index in range(self.combo.count()):
            if self.combo.itemData(index, _KIND) == kind and (
                value is None or self.combo.itemData(index, _VALUE) == value
            ):
                return index
        return -1

    def _update_trained_item(self) -> None:
        model, checkpoint = self.context.session.model, self._checkpoint
        index = self._index_of(TRAINED)
        if checkpoint is not None:
            text = f"Training: {checkpoint[0].name} · epoch {checkpoint[1]}"
        else:
            text = f"Trained: {model.title}" if model else "Trained model (none yet)"
        self._set_text(index, text)
        combo_model = self.combo.model()
        assert isinstance(combo_model, QStandardItemModel)
        combo_model.item(index).setEnabled(model is not None or checkpoint is not None)

    def current(self) -> tuple[str, object]:
        index = self.combo.currentIndex()
        return self.combo.itemData(index, _KIND), self.combo.itemData(index, _VALUE)

    def select_trained(self) -> None:
        """Select the Training tab's model without loading it (its arrival loads it)."""
        self.combo.setCurrentIndex(self._index_of(TRAINED))

    def add_model_file(self, path: str) -> None:
        """Add a design file or checkpoint to the list, choose and load it."""
        index = self._index_of(FILE, path)
        if index < 0:
            self._add(f"File: {Path(path).name}", FILE, path, self._index_of(BROWSE))
            index = self._index_of(FILE, path)
            self.combo.setItemData(index, path, Qt.ToolTipRole)
        self.combo.setCurrentIndex(index)
        self.load_current()

    # ----- loading
    def activate(self) -> None:
        """Load the chosen model, and from now on follow the design and the Training tab."""
        self._active = True
        self.load_current()

    def load_current(self) -> None:
        self._follow_timer.stop()
        kind, value = self.current()
        self.download_button.hide()
        if kind == BROWSE:
            self.file_requested.emit()
        elif kind == PRETRAINED:
            name = torchvision_name(value)
            if name and not torchvision_info(name).available:
                self._offer_download(name)
                return
            title = torchvision_name(value) or efficientnet_lite.NAME
            self._load(lambda task: live_model(load_classifier(value, device=DEVICE), title), f"Loading {title}…")
        elif kind == DESIGN:
            self._load_design()
        elif kind == TRAINED:
            self._load_trained()
        elif kind == FILE:
            title = Path(value).name
            self._load(lambda task: live_model(load_classifier(value, device=DEVICE), title), f"Loading {title}…")

    def _load_design(self) -> None:
        document, data = self.context.document, self.context.session.data
        graph, weights, metadata = document.graph.copy(), document.weights, dict(document.weights_metadata)
        classes = list(data.split.classes) if data is not None and data.split is not None else None

        def build(task: Task) -> LiveModel:
            classifier = classifier_from_design(
                graph, weights, metadata, classes=classes, device=resolve_device(DEVICE)
            )
            return live_model(classifier, f"{graph.name} (Designer)")

        self._load(build, f"Building {graph.name}…")

    def _load_trained(self) -> None:
        choice = self.context.session.model
        if self._checkpoint is not None:
            run, epoch = self._checkpoint
            title = f"{run.name} · epoch {epoch} (training)"
            self._load(
                lambda task: live_model(
                    load_run_classifier(checkpoint_dir(run, "last"), resolve_device(DEVICE)), title
                ),
                f"Loading {title}…",
            )
        elif choice is not None:
            self._load(
                lambda task: live_model(choice.classifier, choice.title, own_copy=True), f"Loading {choice.title}…"
            )
        else:
            self.status.say("No trained model yet: train one in the Training tab, or teach one below.", error=True)

    def _load(self, function: Callable[[Task], LiveModel], message: str) -> None:
        """Load a model in the background; choosing another one meanwhile replaces this request."""
        self.status.start(message, busy=True)
        show_notes = self.current()[0] in (DESIGN, FILE)  # untrained layers, skipped weights: worth knowing
        self._tasks.submit(
            function,
            key="model",
            on_done=lambda model: self._loaded(model, show_notes),
            on_error=self._load_failed,
        )

    def _loaded(self, model: LiveModel, show_notes: bool) -> None:
        notes = "; ".join(model.notes) if show_notes else ""
        classifier = model.classifier
        self.status.finish(
            f"{model.title}: {len(classifier.classes)} classes, input {'×'.join(map(str, classifier.input_shape))}"
            + (f". {notes}" if notes else "")
        )
        self.model_ready.emit(model)

    def _load_failed(self, error: Exception) -> None:
        self.status.finish(f"Cannot use this model: {error}", error=True)
        self.load_failed.emit(str(error))

    # ----- downloads
    def _offer_download(self, name: str) -> None:
        self.status.finish(f"The ImageNet weights of {name} are not on this computer yet.")
        self.download_button.setText(with_size("Download", torchvision_info(name)))
        self.download_button.show()
        self.download_button.setEnabled(not self.download_panel.busy())

    def _download(self) -> None:
        kind, value = self.current()
        name = torchvision_name(value) if kind == PRETRAINED else None
        if name:
            self.download_button.setEnabled(False)
            self.download_panel.start_download(name)

    def _downloaded(self, name: str) -> None:
        self._set_text(self._index_of(PRETRAINED, torchvision_spec(name)), model_list_text(torchvision_info(name)))
        if self.current() == (PRETRAINED, torchvision_spec(name)):
            self.load_current()

    # ----- following the window
    def _follow(self, kind: str) -> None:
        """Reload soon if the live view shows `kind` (DESIGN or TRAINED)."""
        if self._active and self.current()[0] == kind:
            self._follow_timer.start()

    def _design_changed(self, *args: object) -> None:
        self._follow(DESIGN)

    def _session_model_changed(self) -> None:
        self._checkpoint = None  # the model the Training tab published supersedes its checkpoints
        self._update_trained_item()
        if self.context.session.model is not None:
            self._follow(TRAINED)

    def _checkpoint_written(self, run_dir: str, epoch: int) -> None:
        self._checkpoint = (Path(run_dir), int(epoch))
        self._update_trained_item()
        self._follow(TRAINED)

    def shutdown(self) -> None:
        self._follow_timer.stop()
        self.context.document.graph.changed.disconnect(self._design_changed)
        self.download_panel.shutdown()
        self._tasks.shutdown()
