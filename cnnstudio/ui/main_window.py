"""The main window: tabs, menus, status bar, file handling, autosave and recovery."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QTabWidget,
)

import cnnstudio
from cnnstudio.engine.device import device_name, resolve_device
from cnnstudio.fileio import atomic_write_text
from cnnstudio.graph.io import NetworkFileError
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import DEFAULT_TEMPLATE, load_template
from cnnstudio.pretrained.torchvision_zoo import import_with_metadata
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.pytorch.importer import ModelImportError, torchvision_model_names
from cnnstudio.ui import style
from cnnstudio.ui.autosave import DELAY_MS, Autosave, orphaned_recoveries
from cnnstudio.ui.data.tab import DataTab
from cnnstudio.ui.designer.analysis_table import analysis_csv
from cnnstudio.ui.designer.clipboard import release_clipboard
from cnnstudio.ui.designer.code_view import source_or_explanation
from cnnstudio.ui.designer.image_export import render_design
from cnnstudio.ui.designer.tab import DesignerTab
from cnnstudio.ui.designer.undo_commands import ReplaceGraphCommand
from cnnstudio.ui.dialogs.shortcuts import ShortcutsDialog
from cnnstudio.ui.dialogs.transfer import TransferDialog, open_transfer_dialog
from cnnstudio.ui.document import SUFFIX, Document
from cnnstudio.ui.formatting import format_flops
from cnnstudio.ui.inspection.tab import InspectTab
from cnnstudio.ui.pretrained.compare import CompareDialog
from cnnstudio.ui.pretrained.networks import PretrainedDesign
from cnnstudio.ui.pretrained.open_dialog import PretrainedDialog
from cnnstudio.ui.prompts import Prompts, RestoreChoice, SaveChoice
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.settings import Settings, state_dir
from cnnstudio.ui.tabs import TAB_ACTIONS, StudioContext, StudioTab
from cnnstudio.ui.training.tab import TrainingTab
from cnnstudio.ui.webcam.tab import WebcamTab
from cnnstudio.ui.workers import Job

APP_TITLE = "CNN Studio"
TABS: tuple[type[StudioTab], ...] = (DesignerTab, DataTab, TrainingTab, InspectTab, WebcamTab)
DEFAULT_SIZE = (1440, 900)


def starter_graph() -> NetworkGraph:
    """File ▸ New: an Input layer to build on."""
    graph = NetworkGraph("Untitled")
    graph.add_node("Input", {"channels": 3, "height": 32, "width": 32}, node_id="input")
    return graph


class MainWindow(QMainWindow):
    """The application window. `prompts` and `settings` can be replaced (tests pass scripted ones)."""

    def __init__(
        self, prompts: Prompts | None = None, settings: Settings | None = None, autosave_delay_ms: int = DELAY_MS
    ) -> None:
        super().__init__()
        self.prompts = prompts or Prompts(self)
        self.settings = settings or Settings()
        self.document = Document(self)
        self.session = StudioSession(self)
        self.context = StudioContext(self.document, self.prompts, self.settings, self.show_message, self.session)
        self.autosave = Autosave(self.document, state_dir() / "recovery", autosave_delay_ms, self)
        self._jobs: list[Job] = []
        self._network_dialogs: list[QDialog] = []
        self._closed = False

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tab_widgets: list[StudioTab] = [tab_class(self.context) for tab_class in TABS]
        for tab in self.tab_widgets:
            self.tabs.addTab(tab, tab.title)
        self.designer: DesignerTab = self.tab_widgets[0]
        self.setCentralWidget(self.tabs)
        self.session.show_tab.connect(self.show_tab)

        self.actions_by_name: dict[str, QAction] = {}
        self._build_menus()
        self._build_status_bar()
        self.tabs.currentChanged.connect(self._update_tab_actions)
        self._update_tab_actions()

        self.document.path_changed.connect(self._update_title)
        self.document.undo_stack.cleanChanged.connect(self._update_title)
        self.document.analysis.analyzed.connect(self._analyzed)
        self._restore_layout()
        self._update_title()

    # ----- menus
    def _action(
        self, name: str, text: str, slot: Callable[[], object], shortcut: object = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            sequences = []
            for item in shortcuts:  # a standard key may have no binding on this platform, or several
                found = (
                    QKeySequence.keyBindings(item)
                    if isinstance(item, QKeySequence.StandardKey)
                    else [QKeySequence(item)]
                )
                sequences += [sequence for sequence in found if not sequence.isEmpty() and sequence not in sequences]
            action.setShortcuts(sequences)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda checked=False: slot())
        self.actions_by_name[name] = action
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(
            self._action("new", "&New", self.new_design, QKeySequence.New, "Start a new design from an Input layer")
        )
        file_menu.addAction(
            self._action(
                "new_template",
                "New from &Template…",
                self.new_from_template,
                "Ctrl+Shift+N",
                "Start from LeNet-5, ResNet, GoogLeNet …",
            )
        )
        file_menu.addAction(
            self._action(
                "import_torchvision",
                "&Import torchvision Model…",
                self.import_model,
                "Ctrl+I",
                "Turn a torchvision classifier into an editable design",
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("open", "&Open…", self.open_dialog, QKeySequence.Open))
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self._action("save", "&Save", self.save, QKeySequence.Save))
        file_menu.addAction(self._action("save_as", "Save &As…", self.save_as, QKeySequence.SaveAs))
        export_menu = file_menu.addMenu("&Export")
        export_menu.addAction(self._action("export_code", "PyTorch &Code (.py)…", self.export_code, "Ctrl+E"))
        export_menu.addAction(self._action("export_image", "Canvas &Image (.png)…", self.export_image))
        export_menu.addAction(self._action("export_csv", "&Analysis Table (.csv)…", self.export_csv))
        file_menu.addSeparator()
        file_menu.addAction(self._action("quit", "&Quit", self.close, "Ctrl+Q"))

        edit_menu = bar.addMenu("&Edit")
        undo = self.document.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.Undo)
        redo = self.document.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts(QKeySequence.Redo)
        self.actions_by_name.update(undo=undo, redo=redo)
        edit_menu.addActions([undo, redo])
        edit_menu.addSeparator()
        tab_action = self._tab_action
        edit_menu.addAction(tab_action("cut", "Cu&t", QKeySequence.Cut))
        edit_menu.addAction(tab_action("copy", "&Copy", QKeySequence.Copy))
        edit_menu.addAction(tab_action("paste", "&Paste", QKeySequence.Paste))
        edit_menu.addAction(tab_action("duplicate", "D&uplicate", "Ctrl+D"))
        edit_menu.addAction(tab_action("delete", "&Delete", [QKeySequence.Delete, "Backspace"]))
        edit_menu.addSeparator()
        edit_menu.addAction(tab_action("select_all", "Select &All", QKeySequence.SelectAll))

        network_menu = bar.addMenu("&Network")
        network_menu.addAction(
            self._action(
                "open_pretrained",
                "Open &Pretrained Network…",
                self.open_pretrained,
                "Ctrl+Shift+O",
                "EfficientNet-Lite0 or torchvision's ImageNet classifiers, with their weights",
            )
        )
        network_menu.addAction(
            self._action(
                "compare_pretrained",
                "&Compare Pretrained Networks…",
                self.compare_pretrained,
                tip="Accuracy against size and measured latency",
            )
        )
        network_menu.addSeparator()
        network_menu.addAction(
            self._action(
                "transfer_learning",
                "&Transfer Learning…",
                self.transfer_learning,
                tip="Replace the classifier for your classes and freeze the pretrained layers",
            )
        )

        view_menu = bar.addMenu("&View")
        view_menu.addAction(tab_action("zoom_in", "Zoom &In", [QKeySequence.ZoomIn, "Ctrl+="]))
        view_menu.addAction(tab_action("zoom_out", "Zoom &Out", QKeySequence.ZoomOut))
        view_menu.addAction(tab_action("fit", "&Fit to View", "Ctrl+0"))
        view_menu.addSeparator()
        view_menu.addAction(tab_action("arrange", "&Auto-arrange", "Ctrl+L"))

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(
            self._action("shortcuts", "&Keyboard Shortcuts", self.show_shortcuts, QKeySequence.HelpContents)
        )
        help_menu.addAction(self._action("about", "&About CNN Studio", self.show_about))

    def _tab_action(self, name: str, text: str, shortcut: object) -> QAction:
        assert name in TAB_ACTIONS
        return self._action(name, text, lambda: self._run_tab_action(name), shortcut)

    def _run_tab_action(self, name: str) -> None:
        handler = self.current_tab().action_handlers().get(name)
        if handler is not None:
            handler()

    def current_tab(self) -> StudioTab:
        return self.tabs.currentWidget()

    def tab(self, title: str) -> StudioTab:
        """The tab called `title` ("Designer", "Data", "Training", "Inspect", "Webcam")."""
        return next(tab for tab in self.tab_widgets if tab.title == title)

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self.tab(title))

    def _update_tab_actions(self) -> None:
        handled = self.current_tab().action_handlers()
        for name in TAB_ACTIONS:
            self.actions_by_name[name].setEnabled(name in handled)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for index, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{index % 10}  {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda checked=False, p=path: self.open_recent(p))
        if files:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Recent Files", self._clear_recent)
        else:
            self.recent_menu.addAction("No recent files").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.set("recent_files", [])
        self.settings.save()

    # ----- status bar
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.validity_label = QLabel()
        self.totals_label = QLabel()
        self.device_label = QLabel(f"Device: {device_name(resolve_device('auto'))}")
        self.device_label.setToolTip("The device training would use")
        for label in (self.validity_label, self.totals_label, self.device_label):
            status.addPermanentWidget(label)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)

    def _analyzed(self, analysis: NetworkAnalysis) -> None:
        errors = sum(problem.severity == "error" for problem in analysis.problems)
        if errors:
            self.validity_label.setText(
                f"<span style='color:{style.ERROR}'>● {errors} error{'s' if errors != 1 else ''}</span>"
            )
        else:
            self.validity_label.setText(f"<span style='color:{style.OK}'>● Valid design</span>")
        if errors:  # layers after an error have no size yet: a partial total would mislead
            self.totals_label.setText("totals follow once the design is valid")
        else:
            self.totals_label.setText(f"{analysis.total_params:,} learnables · {format_flops(analysis.total_flops)}")

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — {APP_TITLE}")
        self.setWindowModified(self.document.is_modified())

    # ----- starting
    def start(self, path: str | None = None) -> None:
        """Open what the session starts on: a recovered design, the file given, or the default template."""
        if self._offer_recovery():
            if path:
                self.show_message(f"Restored the unsaved design; {Path(path).name} was not opened")
            return
        if path and self.open_file(path):
            return
        try:
            graph = load_template(DEFAULT_TEMPLATE)
        except (KeyError, NetworkFileError) as error:
            self.show_message(f"The default template is missing ({error}); starting from an Input layer")
            graph = starter_graph()
        self.load_graph(graph, None)

    def _offer_recovery(self) -> bool:
        recoveries = orphaned_recoveries(state_dir() / "recovery")
        if not recoveries:
            return False
        newest = recoveries[0]
        choice = self.prompts.restore(newest.describe())
        if choice == RestoreChoice.DISCARD:
            newest.discard()
        if choice != RestoreChoice.RESTORE:
            return False
        self.load_graph(newest.graph, newest.original, modified=True)
        self.autosave.write_now()  # protected again before the old copy goes
        newest.discard()
        self.show_message("Restored the unsaved design; save it to keep it")
        return True

    def load_graph(self, graph: NetworkGraph, path: Path | None = None, *, modified: bool = False) -> None:
        """Show `graph` as a new document (not undoable: it starts a new editing session)."""
        self.document.replace(graph, path, modified=modified)
        for tab in self.tab_widgets:
            tab.document_loaded()

    # ----- file actions
    def maybe_save(self) -> bool:
        """Ask to save unsaved changes; False if the user cancels (the caller then stops)."""
        if not self.document.is_modified():
            return True
        choice = self.prompts.save_changes(self.document.display_name())
        if choice == SaveChoice.SAVE:
            return self.save()
        return choice == SaveChoice.DISCARD

    def new_design(self) -> None:
        if self.maybe_save():
            self.load_graph(starter_graph(), None)

    def new_from_template(self) -> None:
        if not self.maybe_save():
            return
        name = self.prompts.choose_template()
        if not name:
            return
        try:
            graph = load_template(name)
        except (KeyError, NetworkFileError) as error:
            self.prompts.error("Cannot load the template", str(error))
            return
        self._load_undoable(graph, f"Load template {graph.name}")

    def _load_undoable(
        self,
        graph: NetworkGraph,
        text: str,
        weights: dict | None = None,
        weights_metadata: dict[str, str] | None = None,
    ) -> None:
        """A new untitled document whose content arrives as an undoable step (template, import)."""
        self.document.replace(NetworkGraph(graph.name), None, weights=weights, weights_metadata=weights_metadata)
        self.document.push(ReplaceGraphCommand(self.document.graph, graph, text))
        for tab in self.tab_widgets:
            tab.document_loaded()

    def import_model(self) -> None:
        if not self.maybe_save():
            return
        name = self.prompts.choose_torchvision_model(torchvision_model_names())
        if not name:
            return
        progress = QProgressDialog(f"Importing {name} from torchvision…", "Cancel", 0, 0, self)
        progress.setWindowModality(Qt.WindowModal)
        progress.setMinimumDuration(300)
        job = Job(lambda: import_with_metadata(name), "cnnstudio-import", self)
        self._jobs.append(job)

        def done(result: object) -> None:
            self._forget_job(job)
            cancelled = progress.wasCanceled()
            progress.reset()
            if not cancelled and not self._closed:
                imported, metadata = result
                self._load_undoable(imported.graph, f"Import {name}", imported.state_dict, metadata)
                weights = (
                    "with its ImageNet weights"
                    if imported.state_dict
                    else "with random weights (the pretrained weights are not downloaded; see Webcam ▸ models)"
                )
                self.show_message(f"Imported {name}: {len(imported.graph.nodes)} layers, {weights}")

        def failed(error: Exception) -> None:
            self._forget_job(job)
            progress.reset()
            if not self._closed:
                message = str(error) if isinstance(error, ModelImportError) else f"{type(error).__name__}: {error}"
                self.prompts.error(f"Cannot import {name}", message)

        job.finished.connect(done)
        job.failed.connect(failed)
        job.start()

    # ----- pretrained networks (the dialogs live in cnnstudio.ui.pretrained and ui.dialogs.transfer)
    def open_pretrained(self) -> PretrainedDialog | None:
        if not self.maybe_save():
            return None
        dialog = PretrainedDialog(self.session, self)
        dialog.design_opened.connect(self.open_pretrained_design)
        self._show_network_dialog(dialog, modal=True)
        return dialog

    def open_pretrained_design(self, design: PretrainedDesign) -> None:
        self._load_undoable(design.graph, f"Open {design.title}", design.state_dict, design.metadata)
        self.show_tab("Designer")
        self.show_message(f"Opened {design.title} with its ImageNet weights ({len(design.graph.nodes)} layers)")

    def compare_pretrained(self) -> CompareDialog:
        dialog = CompareDialog(self)
        self._show_network_dialog(dialog, modal=False)
        return dialog

    def transfer_learning(self) -> TransferDialog | None:
        self.show_tab("Designer")
        dialog = open_transfer_dialog(self.context, self)
        if dialog is not None:
            self._track_dialog(dialog)
        return dialog

    def _track_dialog(self, dialog: QDialog) -> None:
        """Keep `dialog` until it closes, so closing the window can stop its background work."""
        self._network_dialogs.append(dialog)

        def forget(_result: int) -> None:
            if dialog in self._network_dialogs:
                self._network_dialogs.remove(dialog)

        dialog.finished.connect(forget)

    def _show_network_dialog(self, dialog: QDialog, *, modal: bool) -> None:
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self._track_dialog(dialog)
        if modal:
            dialog.open()
        else:
            dialog.show()

    def _forget_job(self, job: Job) -> None:
        job.wait()
        if job in self._jobs:
            self._jobs.remove(job)

    def wait_for_jobs(self) -> None:
        for job in list(self._jobs):
            job.wait()

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path = self.prompts.open_path("Open network", self._last_directory())
        if path:
            self.open_file(path)

    def open_recent(self, path: str) -> None:
        if not self.maybe_save():
            return
        if not Path(path).is_file():
            self.prompts.error("File not found", f"{path} no longer exists; it is removed from the recent files.")
            self.settings.remove_recent_file(path)
            return
        self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open a network file; on failure show why and keep the current design untouched."""
        try:
            self.document.open(path)
        except NetworkFileError as error:
            self.prompts.error("Cannot open the file", str(error))
            return False
        for tab in self.tab_widgets:
            tab.document_loaded()
        self.settings.add_recent_file(path)
        self.settings.set("last_dir", str(Path(path).resolve().parent))
        problems = self.document.load_problems
        note = f" — {len(problems)} problem(s) found while reading, see Problems" if problems else ""
        if self.document.weights:
            note += " — with the trained weights beside it"
        self.show_message(f"Opened {Path(path).name}{note}")
        if self.document.weights_problem:
            self.prompts.error(
                "The weights beside the design were not loaded",
                f"{self.document.weights_problem}\n\nThe design is open with random weights; "
                "saving it will not touch that file unless the design gets new weights.",
            )
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        name = self.document.path.name if self.document.path else _file_stem(self.document.graph.name) + SUFFIX
        path = self.prompts.save_path("Save network as", str(Path(self._last_directory()) / name))
        if not path:
            return False
        if not path.endswith((".json",)):
            path += SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as error:
            self.prompts.error("Cannot save", f"{path}: {error.strerror or error}")
            return False
        self.settings.add_recent_file(path)
        self.settings.set("last_dir", str(path.resolve().parent))
        self.show_message(f"Saved {path}")
        return True

    def _last_directory(self) -> str:
        last = self.settings.get("last_dir")
        return last if isinstance(last, str) and Path(last).is_dir() else str(Path.home())

    # ----- exports
    def _export_path(self, title: str, extension: str, file_filter: str) -> Path | None:
        stem = (
            self.document.path.name[: -len(SUFFIX)]
            if self.document.path and self.document.path.name.endswith(SUFFIX)
            else _file_stem(self.document.graph.name)
        )
        path = self.prompts.save_path(title, str(Path(self._last_directory()) / (stem + extension)), file_filter)
        if not path:
            return None
        return Path(path if path.endswith(extension) else path + extension)

    def export_code(self) -> None:
        analysis = self.document.analysis.analysis
        if analysis is not None and self.document.analysis.is_current() and not analysis.valid:
            self.prompts.error("Cannot export code", "Fix the design's errors first (see Problems).")
            return
        path = self._export_path("Export PyTorch code", ".py", "Python files (*.py)")
        if path is None:
            return
        snapshot = self.document.graph.copy()
        job = Job(lambda: source_or_explanation(snapshot), "cnnstudio-export", self)
        self._jobs.append(job)

        def done(result: tuple[str, bool]) -> None:
            self._forget_job(job)
            source, valid = result
            if not valid:
                self.prompts.error("Cannot export code", source.replace("#   - ", "• ").replace("# ", ""))
            elif not self._closed:
                self._write(path, lambda: atomic_write_text(path, source))

        job.finished.connect(done)
        job.failed.connect(lambda error: (self._forget_job(job), self.prompts.error("Cannot export code", str(error))))
        job.start()

    def export_image(self) -> None:
        path = self._export_path("Export canvas image", ".png", "PNG images (*.png)")
        if path:

            def write() -> None:
                if not render_design(self.designer.scene).save(str(path)):
                    raise OSError(f"the image could not be written to {path}")

            self._write(path, write)

    def export_csv(self) -> None:
        analysis = self.document.analysis.analysis
        if analysis is None:
            self.show_message("The analysis is not ready yet")
            return
        path = self._export_path("Export analysis table", ".csv", "CSV files (*.csv)")
        if path:
            self._write(path, lambda: atomic_write_text(path, analysis_csv(analysis)))

    def _write(self, path: Path, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as error:
            self.prompts.error("Cannot export", f"{path}: {error.strerror or error}")
            return
        self.show_message(f"Exported {path}")

    # ----- help
    def show_shortcuts(self) -> None:
        ShortcutsDialog(list(self.actions_by_name.values()), self).exec()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About CNN Studio",
            f"<h3>CNN Studio {cnnstudio.__version__}</h3>"
            "<p>Design, train and look inside convolutional neural networks.</p>"
            "<p>Free software (MIT licence), built on PyTorch, Qt and pyqtgraph.</p>",
        )

    # ----- layout persistence and closing
    def _restore_layout(self) -> None:
        window = self.settings.get("window", {})
        geometry = window.get("geometry") if isinstance(window, dict) else None
        if not (isinstance(geometry, str) and self.restoreGeometry(QByteArray(base64.b64decode(geometry)))):
            self.resize(*DEFAULT_SIZE)
        tabs = self.settings.get("tabs", {})
        for tab in self.tab_widgets:
            state = tabs.get(tab.title) if isinstance(tabs, dict) else None
            if isinstance(state, dict):
                tab.restore_state(state)

    def save_layout(self) -> None:
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self.settings.set("window", {"geometry": geometry})
        self.settings.set("tabs", {tab.title: tab.save_state() for tab in self.tab_widgets})
        self.settings.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed and not self.maybe_save():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Persist the layout, stop all background work, and remove the recovery file."""
        if self._closed:
            return
        self._closed = True
        self.save_layout()
        for tab in self.tab_widgets:
            tab.shutdown()
        for dialog in list(self._network_dialogs):
            dialog.shutdown()
        self.wait_for_jobs()
        self.document.close()
        self.autosave.close()
        release_clipboard()


def _file_stem(name: str) -> str:
    """A file name from a design name: 'LeNet-5' → 'LeNet-5', 'my/net' → 'my_net'."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name.strip()).strip("._")
    return cleaned or "network"
