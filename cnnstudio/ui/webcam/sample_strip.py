"""The recorded samples of one class as a strip of thumbnails, newest first, to look through and delete."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.camera.samples import SampleRecorder
from cnnstudio.ui.widgets.eliding_combo import ElidingComboBox
from cnnstudio.ui.widgets.images import thumbnail

THUMBNAIL = QSize(72, 54)
MAX_THUMBNAILS = 150


def frame_icon(bgr: np.ndarray) -> QIcon:
    """A small picture of a BGR camera frame for the strip."""
    return QIcon(thumbnail(bgr, THUMBNAIL.width(), THUMBNAIL.height(), order="BGR"))


def file_icon(path: Path) -> QIcon | None:
    """A saved sample's picture for the strip, decoded at thumbnail size (None if it cannot be read)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid():
        reader.setScaledSize(size.scaled(THUMBNAIL, Qt.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else QIcon(QPixmap.fromImage(image))


class SampleStrip(QWidget):
    """ "Samples of [class]" with the class's thumbnails. `class_changed(name)` when another class is
    chosen; `delete_requested(paths)` with the selected samples' files."""

    class_changed = Signal(str)
    delete_requested = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes = ElidingComboBox(10)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(THUMBNAIL)
        self.list.setFlow(QListWidget.LeftToRight)
        self.list.setWrapping(True)
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setMovement(QListWidget.Static)
        self.list.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.list.setMinimumHeight(2 * THUMBNAIL.height() + 24)
        self.delete_button = QPushButton("Delete selected")
        row = QHBoxLayout()
        row.addWidget(QLabel("Samples of"))
        row.addWidget(self.classes, 1)
        row.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        self.classes.currentIndexChanged.connect(lambda _index: self.class_changed.emit(self.current()))
        self.delete_button.clicked.connect(
            lambda: self.delete_requested.emit([item.data(Qt.UserRole) for item in self.list.selectedItems()])
        )

    def current(self) -> str:
        return self.classes.currentText()

    def set_classes(self, names: list[str], select: str | None = None) -> None:
        """List `names` and choose `select` (else the class chosen before, else the first)."""
        keep = select or self.current()
        self.classes.blockSignals(True)
        self.classes.clear()
        self.classes.addItems(names)
        self.classes.blockSignals(False)
        self.select(keep if keep in names else None)

    def select(self, name: str | None) -> None:
        """Choose class `name` (None: the first); `class_changed` follows even when it was chosen already."""
        index = max(self.classes.findText(name) if name else 0, 0)
        if index != self.classes.currentIndex():
            self.classes.setCurrentIndex(index)
        else:
            self.class_changed.emit(self.current())

    def show_samples(self, root: Path, name: str) -> int:
        """Show the newest MAX_THUMBNAILS samples of class `name` of the dataset at `root`; returns how many
        it has."""
        self.list.clear()
        if not name or not (root / name).is_dir():
            return 0
        samples = SampleRecorder(root).samples(name)[::-1]
        for path in samples[:MAX_THUMBNAILS]:
            icon = file_icon(path)
            if icon is not None:
                self.list.addItem(_item(path, icon))
        return len(samples)

    def add_sample(self, path: Path, bgr: np.ndarray) -> None:
        """A sample just recorded of the class shown: first in the strip."""
        self.list.insertItem(0, _item(path, frame_icon(bgr)))

    def remove(self, path: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.UserRole) == path:
                self.list.takeItem(row)
                return


def _item(path: Path, icon: QIcon) -> QListWidgetItem:
    item = QListWidgetItem(icon, "")
    item.setData(Qt.UserRole, str(path))
    item.setToolTip(path.name)
    return item
