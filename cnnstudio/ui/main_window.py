"""The main window: tabs, status bar, start-up with crash recovery, layout persistence and closing.

The menus and the actions behind them are in cnnstudio.ui.window (mixins of MainWindow)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QTabWidget,
)

from cnnstudio.engine.device import device_name, resolve_device
from cnnstudio.graph.io import NetworkFileError
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import DEFAULT_TEMPLATE, load_template
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui import style
from cnnstudio.ui.autosave import DELAY_MS, Autosave, orphaned_recoveries
from cnnstudio.ui.designer.clipboard import release_clipboard
from cnnstudio.ui.document import Document
from cnnstudio.ui.formatting import format_flops
from cnnstudio.ui.prompts import Prompts, RestoreChoice
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.settings import Settings, state_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.window.file_actions import FileActionsMixin, starter_graph
from cnnstudio.ui.window.menus import MenusMixin
from cnnstudio.ui.window.network_actions import NetworkActionsMixin
from cnnstudio.ui.window.tab_slots import TAB_ENTRIES, TabSlot

if TYPE_CHECKING:
    from cnnstudio.ui.designer.tab import DesignerTab

APP_TITLE = "CNN Studio"
DEFAULT_SIZE = (1440, 900)
SETTINGS_PROBLEM_MS = 20000  # long enough to read what was ignored


def _decoded(text: str) -> bytes:
    """The saved window geometry; b"" (the default size) when the settings file holds no base64 there."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return b""


class MainWindow(MenusMixin, FileActionsMixin, NetworkActionsMixin, QMainWindow):
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
        self.tasks = TaskRunner("cnnstudio-window", self)
        self._network_dialogs: list[QDialog] = []
        self._closed = False

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.slots = [TabSlot(entry, self.context) for entry in TAB_ENTRIES]
        for slot in self.slots:
            self.tabs.addTab(slot, slot.entry.title)
        self.designer: DesignerTab = self.slots[0].build()
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
        if self.settings.problem:
            self.show_message(self.settings.problem, SETTINGS_PROBLEM_MS)

    @property
    def tab_widgets(self) -> list[StudioTab]:
        """The tabs built so far (see cnnstudio.ui.window.tab_slots)."""
        return [slot.tab for slot in self.slots if slot.tab is not None]

    def current_tab(self) -> StudioTab:
        return self.tabs.currentWidget().build()

    def tab(self, title: str) -> StudioTab:
        """The tab called `title` (see tab_slots.TAB_ENTRIES: "Designer", "Data", "Training", …), built if need
        be."""
        return self._slot(title).build()

    def show_tab(self, title: str) -> None:
        self.tabs.setCurrentWidget(self._slot(title))

    def _slot(self, title: str) -> TabSlot:
        return next(slot for slot in self.slots if slot.entry.title == title)

    # ----- status bar
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.validity_label = QLabel()
        self.totals_label = QLabel()
        self.device_label = QLabel(f"Device: {device_name(resolve_device('auto'))}")
        self.device_label.setToolTip("The device training would use")
        for label in (self.validity_label, self.totals_label, self.device_label):
            status.addPermanentWidget(label)

    def show_message(self, text: str, milliseconds: int = 6000) -> None:
        self.statusBar().showMessage(text, milliseconds)

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
        weights, metadata, problem = newest.load_weights()
        self.load_graph(newest.graph, newest.original, modified=True, weights=weights, weights_metadata=metadata)
        self.autosave.adopt(newest)
        self.autosave.write_now()  # protected again before the old copy goes
        newest.discard()
        with_weights = " with its weights" if weights else ""
        self.show_message(
            f"Restored the unsaved design{with_weights}; save it to keep it" + (f" ({problem})" if problem else "")
        )
        return True

    def load_graph(
        self,
        graph: NetworkGraph,
        path: Path | None = None,
        *,
        modified: bool = False,
        weights: dict | None = None,
        weights_metadata: dict[str, str] | None = None,
    ) -> None:
        """Show `graph` (with its weights, if any) as a new document (not undoable: a new editing session)."""
        self.document.replace(graph, path, modified=modified, weights=weights, weights_metadata=weights_metadata)
        for tab in self.tab_widgets:
            tab.document_loaded()

    # ----- layout persistence and closing
    def _restore_layout(self) -> None:
        window = self.settings.get("window", {})
        geometry = window.get("geometry") if isinstance(window, dict) else None
        if not (isinstance(geometry, str) and self.restoreGeometry(QByteArray(_decoded(geometry)))):
            self.resize(*DEFAULT_SIZE)
        tabs = self.settings.get("tabs", {})
        for slot in self.slots:
            state = tabs.get(slot.entry.title) if isinstance(tabs, dict) else None
            if isinstance(state, dict):
                slot.restore_state(state)

    def save_layout(self) -> None:
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        self.settings.set("window", {"geometry": geometry})
        self.settings.set("tabs", {slot.entry.title: slot.save_state() for slot in self.slots})
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
        self.tasks.shutdown()
        self.document.close()
        self.autosave.close()
        release_clipboard()
