"""Network ▸ Open Pretrained Network…: EfficientNet-Lite0 and torchvision's classifiers with their
accuracy, size and whether their weights are here; download on demand; open the chosen one in the
Designer with its weights, or in the Inspect tab as a ready classifier."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from cnnstudio.pretrained.catalog import PretrainedInfo, pretrained_catalog
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.resolve import PretrainedDesign, load_classifier, open_design
from cnnstudio.pytorch.importer import torchvision_name, torchvision_spec
from cnnstudio.ui.pretrained.catalog_table import CatalogTable
from cnnstudio.ui.pretrained.download import DownloadPanel
from cnnstudio.ui.session import ModelChoice, StudioSession
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.progress import ProgressStrip

_INTRO = (
    "Networks trained on ImageNet (1,000 classes). EfficientNet-Lite0 comes with CNN Studio; "
    "torchvision's are downloaded once into the torch cache. Opened in the Designer, a network keeps "
    "its weights: replace its classifier for your own classes with Network ▸ Transfer Learning…."
)


class PretrainedDialog(QDialog):
    """Emits `design_opened(PretrainedDesign)` and closes when the user opens a network in the Designer;
    `catalog_loaded` once the table is filled."""

    design_opened = Signal(object)
    catalog_loaded = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Open Pretrained Network")
        self.resize(860, 560)
        self._tasks = TaskRunner("cnnstudio-pretrained", self)
        self._busy = False

        intro = QLabel(_INTRO)
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.table = CatalogTable()
        self.download_panel = DownloadPanel()
        self.status = ProgressStrip(cancellable=False, quiet_role="")
        self.download_button = QPushButton("Download")
        self.designer_button = QPushButton("Open in Designer")
        self.designer_button.setDefault(True)
        self.inspect_button = QPushButton("Open in Inspect")
        self.inspect_button.setToolTip("Look inside the network (activations, Grad-CAM …) in the Inspect tab")
        close = QPushButton("Close")

        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addStretch(1)
        buttons.addWidget(self.inspect_button)
        buttons.addWidget(self.designer_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.download_panel)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.open_in_designer())
        self.download_button.clicked.connect(self.download)
        self.designer_button.clicked.connect(self.open_in_designer)
        self.inspect_button.clicked.connect(self.open_in_inspect)
        close.clicked.connect(self.reject)
        self.download_panel.downloaded.connect(self._downloaded)
        self.download_panel.ended.connect(self._update_buttons)  # after a failure or Cancel: try again
        self._run(lambda task: pretrained_catalog(), self._catalog_ready, "Reading the catalog…")

    # ----- actions
    def selected(self) -> PretrainedInfo | None:
        spec = self.table.selected_spec()
        return self.table.info(spec) if spec else None

    def select(self, spec: str) -> None:
        self.table.select_spec(spec)

    def download(self) -> None:
        info = self.selected()
        name = torchvision_name(info.spec) if info else None
        if name and not info.available:
            self.download_panel.start_download(name)
            self._update_buttons()

    def open_in_designer(self) -> None:
        info = self.selected()
        if info is None or not info.available or self._busy:
            return
        self._run(lambda task: open_design(info.spec), self._design_ready, f"Opening {info.title}…")

    def open_in_inspect(self) -> None:
        info = self.selected()
        if info is None or not info.available or self._busy:
            return
        self._run(
            lambda task: load_classifier(info.spec, device="auto"), self._classifier_ready, f"Loading {info.title}…"
        )

    # ----- results
    def _catalog_ready(self, infos: list[PretrainedInfo]) -> None:
        self.table.set_infos(infos)
        self.table.selectRow(0)
        self.status.say(f"{len(infos)} networks; {sum(info.available for info in infos)} ready to open.")
        self.catalog_loaded.emit()

    def _design_ready(self, design: PretrainedDesign) -> None:
        self.design_opened.emit(design)
        self.accept()

    def _classifier_ready(self, classifier: Classifier) -> None:
        self.session.set_model(ModelChoice(classifier, f"{classifier.name} (ImageNet)"))
        self.session.show_tab.emit("Inspect")
        self.accept()

    def _downloaded(self, name: str) -> None:
        spec = torchvision_spec(name)
        self.table.update_state(dataclasses.replace(self.table.info(spec), available=True))

    # ----- plumbing
    def _run(self, function: Callable[[Task], object], on_done: Callable, message: str) -> None:
        self._busy = True
        self.status.start(message, busy=True)
        self._update_buttons()

        def done(result: object) -> None:
            self._ended()
            on_done(result)

        def failed(error: Exception) -> None:
            self._ended(str(error) or type(error).__name__, error=True)

        self._tasks.submit(function, on_done=done, on_error=failed, on_cancelled=self._ended)

    def _ended(self, message: str = "", *, error: bool = False) -> None:
        self._busy = False
        self.status.finish(message or self.status.message.text(), error=error)
        self._update_buttons()

    def _update_buttons(self) -> None:
        info = self.selected()
        ready = info is not None and info.available and not self._busy
        self.designer_button.setEnabled(ready)
        self.inspect_button.setEnabled(ready)
        can_download = info is not None and not info.available and not self.download_panel.busy()
        self.download_button.setEnabled(can_download)
        self.download_button.setText(
            f"Download {info.title}" if info is not None and not info.available else "Download"
        )

    def shutdown(self) -> None:
        """Stop downloads and loading (the window is closing)."""
        self.download_panel.shutdown()
        self._tasks.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
