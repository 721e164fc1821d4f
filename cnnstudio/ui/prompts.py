"""Every modal question the program asks, behind one small class.

Windows call `self.prompts.ask_…()` instead of QMessageBox/QFileDialog directly, so tests can pass
an object with scripted answers and no dialog ever blocks a test run.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from cnnstudio.ui.dialogs.templates import TemplateDialog
from cnnstudio.ui.dialogs.torchvision_import import TorchvisionDialog

NETWORK_FILTER = "CNN Studio networks (*.cnn.json);;JSON files (*.json);;All files (*)"


class SaveChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


class RestoreChoice(Enum):
    RESTORE = "restore"
    DISCARD = "discard"
    LATER = "later"


class Prompts:
    """The real dialogs. Each method returns the user's answer (None when cancelled)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.parent = parent

    def open_path(self, title: str, directory: str, file_filter: str = NETWORK_FILTER) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self.parent, title, directory, file_filter)
        return path or None

    def save_path(self, title: str, suggested: str, file_filter: str = NETWORK_FILTER) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, file_filter)
        return path or None

    def choose_directory(self, title: str, directory: str) -> str | None:
        return QFileDialog.getExistingDirectory(self.parent, title, directory) or None

    def confirm(self, title: str, text: str) -> bool:
        """A yes/no question whose default answer is No (for actions that cannot be undone)."""
        answer = QMessageBox.question(self.parent, title, text, QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def save_changes(self, document_name: str) -> SaveChoice:
        answer = QMessageBox.question(
            self.parent,
            "Unsaved changes",
            f"“{document_name}” has unsaved changes.\nSave them before continuing?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        return {QMessageBox.Save: SaveChoice.SAVE, QMessageBox.Discard: SaveChoice.DISCARD}.get(
            answer, SaveChoice.CANCEL
        )

    def restore(self, description: str) -> RestoreChoice:
        box = QMessageBox(
            QMessageBox.Warning,
            "Recover unsaved design",
            "CNN Studio was not closed properly last time.\n\n"
            f"An unsaved design was recovered: {description}\n\nRestore it?",
            parent=self.parent,
        )
        restore = box.addButton("Restore", QMessageBox.AcceptRole)
        discard = box.addButton("Discard", QMessageBox.DestructiveRole)
        box.addButton("Ask again next time", QMessageBox.RejectRole)
        box.setDefaultButton(restore)
        box.exec()
        clicked = box.clickedButton()
        if clicked is restore:
            return RestoreChoice.RESTORE
        return RestoreChoice.DISCARD if clicked is discard else RestoreChoice.LATER

    def error(self, title: str, message: str) -> None:
        QMessageBox.critical(self.parent, title, message)

    def choose_template(self) -> str | None:
        dialog = TemplateDialog(self.parent)
        return dialog.selected_name() if dialog.exec() else None

    def choose_torchvision_model(self, names: list[str]) -> str | None:
        dialog = TorchvisionDialog(names, self.parent)
        return dialog.selected_name() if dialog.exec() else None
