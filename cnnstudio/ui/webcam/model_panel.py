"""Which network classifies the live view: EfficientNet-Lite0 (offline), torchvision's pretrained
classifiers (downloaded on demand), the design open in the Designer with its weights, the model the
Training tab published (followed as it changes), or a run's checkpoint or a saved design.

Every model is loaded off the GUI thread; a newer choice supersedes a load still running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.engine.device import resolve_device
from cnnstudio.pretrained import efficientnet_lite
from cnnstudio.pretrained.catalog import TORCHVISION_CLASSIFIERS, torchvision_info
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.pretrained.resolve import TORCHVISION_PREFIX, load_classifier
from cnnstudio.ui.pretrained.download import DownloadPanel
from cnnstudio.ui.pretrained.networks import torchvision_name
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.webcam.models import LiveModel, live_model

PRETRAINED, DESIGN, TRAINED, FILE, BROWSE = "pretrained", "design", "trained", "file", "browse"
_KIND, _VALUE = Qt.UserRole, Qt.UserRole + 1
DEVICE = "auto"  # the GPU when there is one: classification, feature maps and Grad-CAM all run there


def torchvision_text(name: str) -> str:
    """How the model list names a torchvision classifier: with its download size until it is cached."""
    info = torchvision_info(name)
    if info.available:
        return f"{name} · ImageNet"
    return f"{name} · ImageNet (download {info.file_mb:.0f} MB)" if info.file_mb else f"{name} · download"


class ModelPanel(QGroupBox):
    """model_ready(LiveModel) when a chosen model is loaded, load_failed(message) when it cannot be;
    file_requested asks the tab for a path."""

    model_ready = Signal(object)
    load_failed = Signal(str)
    file_requested = Signal()

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        self.context = context
        self._tasks = TaskRunner("cnnstudio-webcam-model", self)
        self._described = False
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.download_button = QPushButton()
        self.download_panel = DownloadPanel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(6)
        self.busy.setTextVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.combo)
        layout.addWidget(self.busy)
        layout.addWidget(self.message)
        layout.addWidget(self.download_button)
        layout.addWidget(self.download_panel)

        self._fill()
        self.busy.hide()
        self.download_button.hide()
        self.combo.activated.connect(lambda _index: self.load_current())
        self.download_button.clicked.connect(self._download)
        self.download_panel.downloaded.connect(self._downloaded)
        context.session.model_changed.connect(self._session_model_changed)

    # ----- the list
    def _fill(self) -> None:
        self._add(f"{efficientnet_lite.NAME} · ImageNet, offline", PRETRAINED, efficientnet_lite.SPEC)
        for name in TORCHVISION_CLASSIFIERS:  # sizes and cached state follow when the panel is first shown
            self._add(f"{name} · ImageNet", PRETRAINED, f"{TORCHVISION_PREFIX}{name}")
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
                lambda task: {name: torchvision_text(name) for name in TORCHVISION_CLASSIFIERS},
                key="describe",
                on_done=self._describe,
                on_error=lambda error: None,  # the plain names stay; choosing one explains any problem
            )

    def _describe(self, texts: dict[str, str]) -> None:
        for name, text in texts.items():
            self.combo.setItemText(self._index_of(PRETRAINED, f"{TORCHVISION_PREFIX}{name}"), text)

    def _add(self, text: str, kind: str, value: object, index: int | None = None) -> None:
        position = self.combo.count() if index is None else index
        self.combo.insertItem(position, text)
        self.combo.setItemData(position, kind, _KIND)
        self.combo.setItemData(position, value, _VALUE)

    def _index_of(self, kind: str, value: object = None) -> int:
        for index in range(self.combo.count()):
            if self.combo.itemData(index, _KIND) == kind and (
                value is None or self.combo.itemData(index, _VALUE) == value
            ):
                return index
        return -1

    def _update_trained_item(self) -> None:
        model = self.context.session.model
        index = self._index_of(TRAINED)
        self.combo.setItemText(index, f"Trained: {model.title}" if model else "Trained model (none yet)")
        combo_model = self.combo.model()
        assert isinstance(combo_model, QStandardItemModel)
        combo_model.item(index).setEnabled(model is not None)

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
    def load_current(self) -> None:
        kind, value = self.current()
        self.download_button.hide()
        if kind == BROWSE:
            self.file_requested.emit()
            return
        if kind == PRETRAINED:
            name = torchvision_name(value)
            if name and not torchvision_info(name).available:
                self._offer_download(name)
                return
            self._load(
                lambda task: live_model(load_classifier(value, device=DEVICE), self._title(value)),
                f"Loading {self._title(value)}…",
            )
        elif kind == DESIGN:
            document = self.context.document
            graph, weights, metadata = document.graph.copy(), document.weights, dict(document.weights_metadata)
            data = self.context.session.data
            classes = data.split.classes if data is not None and data.split is not None else None
            self._load(
                lambda task: live_model(
                    classifier_from_design(graph, weights, metadata, classes=classes, device=resolve_device(DEVICE)),
                    f"{graph.name} (Designer)",
                ),
                f"Building {graph.name}…",
            )
        elif kind == TRAINED:
            choice = self.context.session.model
            if choice is None:
                self._show("No trained model yet: train one in the Training tab, or teach one below.", error=True)
                return
            self._load(
                lambda task: live_model(choice.classifier, choice.title, own_copy=True), f"Loading {choice.title}…"
            )
        elif kind == FILE:
            self._load(
                lambda task: live_model(load_classifier(value, device=DEVICE), Path(value).name),
                f"Loading {Path(value).name}…",
            )

    @staticmethod
    def _title(spec: str) -> str:
        return efficientnet_lite.NAME if spec == efficientnet_lite.SPEC else torchvision_name(spec) or spec

    def _load(self, function: Callable[[Task], LiveModel], message: str) -> None:
        """Load a model in the background; choosing another one meanwhile replaces this request."""
        self._show(message)
        self.busy.show()
        show_notes = self.current()[0] in (DESIGN, FILE)  # untrained layers, skipped weights: worth knowing
        self._tasks.submit(
            function,
            key="model",
            on_done=lambda model: self._loaded(model, show_notes),
            on_error=self._load_failed,
        )

    def _loaded(self, model: LiveModel, show_notes: bool) -> None:
        self.busy.hide()
        notes = "; ".join(model.notes) if show_notes else ""
        classes = model.classifier.classes
        self._show(
            f"{model.title}: {len(classes)} classes, input {'×'.join(map(str, model.classifier.input_shape))}"
            + (f". {notes}" if notes else "")
        )
        self.model_ready.emit(model)

    def _load_failed(self, error: Exception) -> None:
        self.busy.hide()
        self._show(f"Cannot use this model: {error}", error=True)
        self.load_failed.emit(str(error))

    # ----- downloads
    def _offer_download(self, name: str) -> None:
        info = torchvision_info(name)
        size = f" ({info.file_mb:.0f} MB)" if info.file_mb else ""
        self._show(f"The ImageNet weights of {name} are not on this computer yet.")
        self.download_button.setText(f"Download{size}")
        self.download_button.show()
        self.download_button.setEnabled(not self.download_panel.busy())

    def _download(self) -> None:
        kind, value = self.current()
        name = torchvision_name(value) if kind == PRETRAINED else None
        if name:
            self.download_button.setEnabled(False)
            self.download_panel.start(name)

    def _downloaded(self, name: str) -> None:
        index = self._index_of(PRETRAINED, f"{TORCHVISION_PREFIX}{name}")
        self.combo.setItemText(index, torchvision_text(name))
        if self.current() == (PRETRAINED, f"{TORCHVISION_PREFIX}{name}"):
            self.load_current()
        else:
            self.download_button.setEnabled(True)

    # ----- following the Training tab
    def _session_model_changed(self) -> None:
        self._update_trained_item()
        if self.current()[0] == TRAINED and self.context.session.model is not None:
            self.load_current()

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def shutdown(self) -> None:
        self.download_panel.shutdown()
        self._tasks.shutdown()
