"""The main window's menu bar: File, Edit, Network, View and Help, with standard shortcuts; the Edit and
View actions go to the current tab (`StudioTab.action_handlers`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox

import cnnstudio
from cnnstudio.ui.dialogs.shortcuts import ShortcutsDialog
from cnnstudio.ui.tabs import TAB_ACTIONS


class MenusMixin(QMainWindow):
    """Builds the menus of MainWindow; `actions_by_name` holds every action by its name."""

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
