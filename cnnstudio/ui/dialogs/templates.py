"""New from Template: pick one of the shipped networks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from cnnstudio.graph.describe import format_count
from cnnstudio.graph.io import NetworkFileError
from cnnstudio.graph.templates import DEFAULT_TEMPLATE, template_infos

NAME_ROLE = Qt.UserRole + 1
DESCRIPTION_ROLE = Qt.UserRole + 2


class TemplateDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from Template")
        self.resize(560, 520)
        self.list = QListWidget()
        self.list.setSpacing(2)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setMinimumHeight(60)
        self.details.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        try:
            infos = template_infos()
        except (NetworkFileError, OSError) as error:
            infos = []
            self.list.addItem(f"The templates cannot be read: {error}")
        for info in infos:
            item = QListWidgetItem(f"{info.title}  ·  {format_count(info.learnables)} parameters")
            item.setData(NAME_ROLE, info.name)
            item.setData(DESCRIPTION_ROLE, info.description)
            self.list.addItem(item)
            if info.name == DEFAULT_TEMPLATE:
                self.list.setCurrentItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(self.accept)
        self.list.currentItemChanged.connect(
            lambda item, previous: self.details.setText(item.data(DESCRIPTION_ROLE) or "" if item else "")
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Start from a classic network; every layer stays editable."))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        current = self.list.currentItem()
        self.details.setText(current.data(DESCRIPTION_ROLE) if current else "")

    def selected_name(self) -> str | None:
        item = self.list.currentItem()
        return item.data(NAME_ROLE) if item is not None else None
