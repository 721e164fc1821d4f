"""The Data tab: choose a dataset, look at it, preview its augmentation, fit it to the design, and find
its label errors.

    chooser | load status · fit notice · sample grid / augmentation / label issues | class histogram · details

The tab publishes the chosen data as `session.data` (spec first, with `split=None` while it loads,
then the split fitted to the design's input). Loading runs in the background and starts when the
tab is first shown or `ensure_loaded()` is called (app start stays fast); after that, a change of
dataset, option, validation split or the design's input reloads it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from cnnstudio.data import DataError, default_root
from cnnstudio.engine.design_fit import (
    FitCheck,
    design_classes,
    design_outputs,
    fitted_design,
)
from cnnstudio.graph.templates import input_shape
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui.data.augment_panel import AugmentPanel
from cnnstudio.ui.data.chooser import DataChooser
from cnnstudio.ui.data.class_histogram import ClassHistogram
from cnnstudio.ui.data.details import DataDetails
from cnnstudio.ui.data.fit_banner import FitBanner
from cnnstudio.ui.data.label_issues import LabelIssuesPanel
from cnnstudio.ui.data.load_status import LoadStatus
from cnnstudio.ui.data.loading import LoadRequest, LoadResult, run_load
from cnnstudio.ui.data.sample_grid import SampleGrid
from cnnstudio.ui.data.sources import (
    Source,
    builtin_sources,
    captured_sources,
    folder_source,
    suggest,
)
from cnnstudio.ui.designer.undo_commands import ReplaceGraphCommand
from cnnstudio.ui.session import DataChoice
from cnnstudio.ui.settings import captures_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.panes import FollowWidth, side_widths

DEFAULT_SIZES = {"main": [300, 750, 390], "center": [380, 220, 240], "side": [300, 420]}
SIDE_WIDTH = (0.22, 220, 380)  # the histogram and details: (share of the width, least, most pixels)
DESIGN_DEBOUNCE_MS = 300
OPTIONS_DEBOUNCE_MS = 250
LOAD = "load"  # the key of the loading task: a new load replaces a running one


def _section(title: str, body: QWidget, margins: int = 8) -> QWidget:
    """A heading over `body`, which takes the remaining height."""
    heading = QLabel(title)
    heading.setProperty("role", "heading")
    section = QWidget()
    layout = QVBoxLayout(section)
    layout.setContentsMargins(margins, margins, margins, margins)
    layout.addWidget(heading)
    layout.addWidget(body, 1)
    return section


class DataTab(StudioTab):
    """See the module docstring. `loaded` after a load is shown, `load_failed(message)` when one fails."""

    title = "Data"
    loaded = Signal()
    load_failed = Signal(str)

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        # Where MNIST, CIFAR-10 … are downloaded to (tests point it at an empty folder).
        self.dataset_root: Path = default_root()
        self.source: Source | None = None
        self.result: LoadResult | None = None
        self.folders: list[Source] = []
        self._user_chose = False
        self._active = False
        self._request: LoadRequest | None = None
        self._shutdown = False

        self.chooser = DataChooser()
        self.status = LoadStatus()
        self.banner = FitBanner()
        self.grid = SampleGrid()
        self.augment = AugmentPanel()
        self.histogram = ClassHistogram()
        self.details = DataDetails()
        self.label_issues = LabelIssuesPanel(context)
        self.tasks = TaskRunner("cnnstudio-data-load", self)

        samples = _section("Samples, as the network gets them", self.grid, margins=0)
        augmentation = _section("Augmentation (training only)", self.augment, margins=0)
        self.center = QSplitter(Qt.Vertical)
        self.center.addWidget(samples)
        self.center.addWidget(augmentation)
        self.center.addWidget(_section("Label issues", self.label_issues, margins=0))
        self.center.setStretchFactor(0, 1)
        center_column = QWidget()
        center_layout = QVBoxLayout(center_column)
        center_layout.setContentsMargins(8, 8, 8, 8)
        center_layout.addWidget(self.status)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.center, 1)
        self.side = QSplitter(Qt.Vertical)
        self.side.addWidget(_section("Images per class", self.histogram))
        self.side.addWidget(_section("Details", self.details))
        self.splitter = QSplitter(Qt.Horizontal)
        for widget in (self.chooser, center_column, self.side):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        for splitter in (self.splitter, self.center, self.side):
            splitter.setChildrenCollapsible(False)
        self.splitter.setSizes(DEFAULT_SIZES["main"])
        self.center.setSizes(DEFAULT_SIZES["center"])
        self.side.setSizes(DEFAULT_SIZES["side"])
        self.follow_width = FollowWidth(self.splitter, self._widths)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.setAcceptDrops(True)
        self._refresh_sources()

        self.options_timer = QTimer(self, singleShot=True, interval=OPTIONS_DEBOUNCE_MS)
        self.options_timer.timeout.connect(self.reload)
        self.design_timer = QTimer(self, singleShot=True, interval=DESIGN_DEBOUNCE_MS)
        self.design_timer.timeout.connect(self._design_changed)

        self.chooser.source_chosen.connect(self._user_chose_source)
        self.chooser.settings_changed.connect(self.options_timer.start)
        self.chooser.folder_requested.connect(self._ask_folder)
        self.status.cancel_requested.connect(lambda: self.tasks.cancel(LOAD))
        self.status.retry_requested.connect(lambda: self.reload(force=True))
        self.banner.apply_requested.connect(self._apply_fit)
        self.grid.inspect_requested.connect(context.session.send_image_to_inspect)
        context.session.data_requested.connect(self.ensure_loaded)
        self.augment.edited.connect(context.session.set_augment)
        context.session.augment_changed.connect(lambda: self.augment.set_text(context.session.augment))
        context.document.analysis.analyzed.connect(self._analyzed)
        context.document.graph.changed.connect(self.design_timer.start)
        self.augment.set_text(context.session.augment)
        self.augment.set_dataset(None)

    # ----- choosing
    def _refresh_sources(self) -> None:
        captured = captured_sources(captures_dir())
        self.chooser.set_sources(
            [("Built-in", builtin_sources()), ("Captured with the webcam", captured), ("Image folders", self.folders)]
        )

    def _select(self, source: Source, values: dict[str, int | float] | None = None) -> None:
        self.source = source
        self.chooser.show_source(source, values)

    def _user_chose_source(self, source: Source) -> None:
        self._user_chose = True
        self.source = source
        self.reload()

    def choose_folder(self, folder: Path) -> None:
        """Use an image folder (from the folder button or a drop)."""
        folder = folder.resolve()
        captured = captures_dir().resolve() in folder.parents
        source = folder_source(folder, captured=captured)
        if not captured and all(known.key != source.key for known in self.folders):
            self.folders.append(source)
        self._refresh_sources()
        self._user_chose = True
        self._select(source)
        self.reload()

    def _ask_folder(self) -> None:
        start = str(self.source.folder.parent) if self.source and self.source.folder else str(Path.home())
        path = self.context.prompts.choose_directory("Choose an image folder (one sub-folder per class)", start)
        if path:
            self.choose_folder(Path(path))

    def document_loaded(self) -> None:
        """A new design: unless the user chose data, take the offline dataset that suits it best."""
        if not self._user_chose:
            self._select(*suggest(self._design_input(), design_outputs(self.context.document.graph)))
        if self._active:
            self.reload()
        elif self.source is not None:
            self.context.session.set_data(DataChoice(self.chooser_spec(), None, self.source.title))

    def chooser_spec(self) -> str:
        """The spec of the chosen dataset with the options as set now."""
        assert self.source is not None
        return self.source.spec(self.chooser.values())

    # ----- loading
    def ensure_loaded(self) -> None:
        """Start loading (once); later changes reload by themselves."""
        if not self._active and not self._shutdown:
            self._active = True
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_sources()
        self.ensure_loaded()

    def _design_input(self) -> tuple[int, int, int] | None:
        try:
            return input_shape(self.context.document.graph)
        except (TypeError, ValueError):
            return None

    def reload(self, force: bool = False) -> None:
        """Load the chosen data for the design as it is now (unless that is what is shown already)."""
        if not self._active or self.source is None or self._shutdown:
            return
        self.options_timer.stop()
        request = LoadRequest(
            self.source, self.chooser.values(), self._design_input(), self.chooser.val_fraction(), self.dataset_root
        )
        if not force and request == self._request and (self.tasks.is_busy(LOAD) or self.result is not None):
            return
        self._request = request
        self.context.session.set_data(DataChoice(request.spec, None, self.source.title))
        self.status.loading(self.source.title)
        self.tasks.submit(
            lambda task: run_load(request, task.report),
            key=LOAD,
            on_done=self._loaded,
            on_error=self._failed,
            on_progress=self.status.progress,
            on_cancelled=self._cancelled,
        )

    def _loaded(self, result: LoadResult) -> None:
        self.result = result
        self.status.done()
        self._show(result)
        self.context.session.set_data(DataChoice(result.request.spec, result.split, result.request.source.title))
        self.loaded.emit()

    def _show(self, result: LoadResult | None) -> None:
        split = result.split if result is not None else None
        self.grid.set_split(split)
        self.histogram.set_split(split)
        self.details.show_result(result)
        self.augment.set_dataset(split.train if split is not None else None)
        self._update_fit()

    def _failed(self, error: Exception) -> None:
        message = str(error) if isinstance(error, DataError) else f"Loading failed unexpectedly: {error!r}"
        self._unload()
        self.status.failed(message)
        self.load_failed.emit(message)

    def _cancelled(self) -> None:
        self._unload()
        self.status.cancelled(self.source.title if self.source else "the data")

    def _unload(self) -> None:
        """Nothing is loaded (after a failure or cancel): clear the views; the next change loads again."""
        self.result = None
        self._show(None)

    # ----- following the design
    def _design_changed(self) -> None:
        if self._request is not None and self._request.input_shape != self._design_input():
            self.reload()
        self._update_fit()

    def _analyzed(self, analysis: NetworkAnalysis) -> None:
        self._update_fit()

    def fit_check(self) -> FitCheck | None:
        """How the loaded data compares with the design now (None before anything is loaded)."""
        if self.result is None:
            return None
        analysis = self.context.document.analysis.analysis
        split = self.result.split
        return FitCheck(
            self.result.request.source.title,
            self.result.native_shape,
            len(split.classes),
            self._design_input(),
            design_classes(analysis),
            tuple(split.adaptations),
        )

    def _update_fit(self) -> None:
        self.banner.show_check(self.fit_check(), self.context.document.graph.name)

    def _apply_fit(self, match_input: bool) -> None:
        check = self.fit_check()
        if check is None:
            return
        document = self.context.document
        try:
            new, notes = fitted_design(document.graph, check, match_input)
        except ValueError as error:
            self.context.prompts.error("Cannot fit the design to the data", str(error))
            return
        document.push(ReplaceGraphCommand(document.graph, new, f"Fit the design to {check.data_title}"))
        self.context.show_message(
            f"Fitted the design to {check.data_title}: {'; '.join(notes)} (Edit ▸ Undo takes it back)"
        )

    # ----- drag and drop of a folder
    @staticmethod
    def _dropped_paths(mime: QMimeData) -> list[Path]:
        return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self._dropped_paths(event.mimeData())
        folders = [path for path in paths if path.is_dir()]
        if not folders:
            names = ", ".join(path.name for path in paths)
            self.context.show_message(f"Drop a folder with one sub-folder of images per class, not a file ({names})")
            return
        event.acceptProposedAction()
        self.choose_folder(folders[0])

    # ----- persistence and shutdown
    def _widths(self, width: int) -> list[int]:
        """The chooser as wide as its list needs (the same for every data set), the side a share."""
        chooser = self.chooser.preferred_width()
        return side_widths(width, (0.0, chooser, chooser), SIDE_WIDTH)

    def splitters(self) -> dict[str, QSplitter]:
        return {"main": self.splitter, "center": self.center, "side": self.side}

    def shutdown(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        self.options_timer.stop()
        self.design_timer.stop()
        self.context.document.graph.changed.disconnect(self.design_timer.start)
        self.tasks.shutdown()
        self.augment.shutdown()
        self.label_issues.shutdown()
