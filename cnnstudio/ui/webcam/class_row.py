"""One class of the teach panel: its name (editable), its number of samples, a hold-to-record button and
a remove button that asks for a second click before it deletes recorded samples."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

CONFIRM_MS = 4000


class ClassRow(QWidget):
    """rename_requested(old, new) when the name was edited; record_pressed/record_released(name) while
    the record button is held; remove_requested(name) after the removal was confirmed."""

    rename_requested = Signal(str, str)
    record_pressed = Signal(str)
    record_released = Signal(str)
    remove_requested = Signal(str)

    def __init__(self, name: str, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.count = 0
        self.name_edit = QLineEdit(name)
        self.name_edit.setToolTip("The class name (also its folder's name); edit to rename")
        self.count_label = QLabel()
        self.count_label.setMinimumWidth(78)
        self.record_button = QPushButton("● Hold to record")
        self.record_button.setToolTip("Hold down to record frames of the live view as examples of this class")
        self.remove_button = QToolButton()
        self._confirm_timer = QTimer(self, singleShot=True, interval=CONFIRM_MS)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.name_edit, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.record_button)
        layout.addWidget(self.remove_button)

        self.name_edit.editingFinished.connect(self._edited)
        self.record_button.pressed.connect(lambda: self.record_pressed.emit(self.name))
        self.record_button.released.connect(lambda: self.record_released.emit(self.name))
        self.remove_button.clicked.connect(self._remove_clicked)
        self._confirm_timer.timeout.connect(self._reset_remove)
        self._reset_remove()
        self.set_count(count)

    def set_name(self, name: str) -> None:
        self.name = name
        self.name_edit.setText(name)

    def set_count(self, count: int) -> None:
        self.count = count
        self.count_label.setText(f"{count} sample{'s' if count != 1 else ''}")

    def set_recording(self, recording: bool) -> None:
        self.record_button.setText("● Recording…" if recording else "● Hold to record")

    def _edited(self) -> None:
        text = self.name_edit.text().strip()
        if text != self.name:
            self.rename_requested.emit(self.name, text)

    def _remove_clicked(self) -> None:
        if self.count == 0 or self._confirm_timer.isActive():
            self._confirm_timer.stop()
            self.remove_requested.emit(self.name)
            return
        self.remove_button.setText(f"Delete {self.count}?")
        self.remove_button.setToolTip(
            f"Click again within {CONFIRM_MS // 1000} s to delete this class and its {self.count} recorded samples"
        )
        self._confirm_timer.start()

    def _reset_remove(self) -> None:
        self.remove_button.setText("✕")
        self.remove_button.setToolTip("Remove this class (asks again before deleting recorded samples)")
