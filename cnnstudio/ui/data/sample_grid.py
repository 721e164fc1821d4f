"""The grid of samples: thumbnails with their labels, training or validation images, filtered by class.

A QListView in icon mode over a model whose thumbnails are made only when a row is painted (and
kept in a small cache), so 60,000 MNIST images cost one integer array, not 60,000 widgets.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import DataSplit, ImageDataset
from cnnstudio.ui.widgets.images import thumbnail

THUMB = 64
CELL = QSize(78, 90)
CACHE_SIZE = 3000
ALL_CLASSES = -1
Index = QModelIndex | QPersistentModelIndex


class SampleModel(QAbstractListModel):
    """The images of a dataset whose label is `class_filter` (all when ALL_CLASSES)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.dataset: ImageDataset | None = None
        self.rows = np.empty(0, dtype=np.int64)
        self._cache: OrderedDict[int, QPixmap] = OrderedDict()

    def set_samples(self, dataset: ImageDataset | None, class_filter: int = ALL_CLASSES) -> None:
        self.beginResetModel()
        self.dataset = dataset
        self._cache.clear()
        if dataset is None:
            self.rows = np.empty(0, dtype=np.int64)
        else:
            self.rows = dataset.indices(None if class_filter == ALL_CLASSES else class_filter)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.DisplayRole) -> Any:
        if self.dataset is None or not index.isValid():
            return None
        sample = int(self.rows[index.row()])
        label = self.dataset.label_text(sample)
        if role == Qt.DisplayRole:
            return label
        if role == Qt.DecorationRole:
            return self._thumbnail(sample)
        if role == Qt.ToolTipRole:
            return f"Image {sample + 1:,} · class {label} · double-click to inspect it"
        return None

    def _thumbnail(self, sample: int) -> QPixmap:
        pixmap = self._cache.get(sample)
        if pixmap is None:
            assert self.dataset is not None
            pixmap = thumbnail(self.dataset.pixels(sample), THUMB)
            self._cache[sample] = pixmap
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(sample)
        return pixmap


class SampleGrid(QWidget):
    """Training/validation switch, class filter, image count, and the grid.

    `inspect_requested(image)` when a sample is activated (double-click): H×W×3 uint8 RGB.
    """

    inspect_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.split: DataSplit | None = None
        self.model = SampleModel(self)
        self.view = QListView()
        self.view.setViewMode(QListView.IconMode)
        self.view.setMovement(QListView.Static)
        self.view.setResizeMode(QListView.Adjust)
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.Batched)
        self.view.setBatchSize(2000)
        self.view.setIconSize(QSize(THUMB, THUMB))
        self.view.setGridSize(CELL)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.ElideRight)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.view.verticalScrollBar().setSingleStep(24)
        self.view.setModel(self.model)

        self.train_button = QPushButton("Training")
        self.val_button = QPushButton("Validation")
        self.subsets = QButtonGroup(self)
        for button in (self.train_button, self.val_button):
            button.setCheckable(True)
            self.subsets.addButton(button)
        self.train_button.setChecked(True)
        self.class_filter = QComboBox()
        self.class_filter.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.class_filter.setMinimumWidth(110)  # long class names are elided rather than widening the tab
        self.count_label = QLabel()
        self.count_label.setProperty("role", "muted")
        self.count_label.setMinimumWidth(1)  # clipped rather than widening the tab when it is narrow

        bar = QHBoxLayout()
        bar.setSpacing(0)
        bar.addWidget(self.train_button)
        bar.addWidget(self.val_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Class "))
        bar.addWidget(self.class_filter)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

        self.subsets.buttonClicked.connect(lambda button: self._refill_filter())
        self.class_filter.currentIndexChanged.connect(lambda index: self._show())
        self.view.activated.connect(self._activated)

    def dataset(self) -> ImageDataset | None:
        """The subset being shown (training or validation images)."""
        if self.split is None:
            return None
        return self.split.val if self.val_button.isChecked() else self.split.train

    def set_split(self, split: DataSplit | None) -> None:
        """Show a new split, keeping the subset and, if the classes are the same, the class filter."""
        same_classes = self.split is not None and split is not None and self.split.classes == split.classes
        self.split = split
        counts = (f" ({len(split.train):,})", f" ({len(split.val):,})") if split is not None else ("", "")
        self.train_button.setText(f"Training{counts[0]}")
        self.val_button.setText(f"Validation{counts[1]}")
        self._refill_filter(keep=same_classes)

    def _refill_filter(self, keep: bool = False) -> None:
        """The class filter's entries with the counts of the shown subset."""
        previous = self.class_filter.currentData() if keep else ALL_CLASSES
        dataset = self.dataset()
        self.class_filter.blockSignals(True)
        self.class_filter.clear()
        if dataset is not None:
            counts = dataset.class_counts().tolist()
            self.class_filter.addItem(f"All classes ({len(dataset):,})", ALL_CLASSES)
            for label, (name, count) in enumerate(zip(dataset.classes, counts, strict=True)):
                self.class_filter.addItem(f"{name} ({count:,})", label)
            self.class_filter.setCurrentIndex(max(0, self.class_filter.findData(previous)))
        self.class_filter.blockSignals(False)
        self._show()

    def _activated(self, index: QModelIndex) -> None:
        dataset = self.model.dataset
        if dataset is None:
            return
        self.inspect_requested.emit(dataset.rgb(int(self.model.rows[index.row()])))

    def _show(self) -> None:
        dataset = self.dataset()
        selected = self.class_filter.currentData()
        self.model.set_samples(dataset, ALL_CLASSES if selected is None else int(selected))
        shown = self.model.rowCount()
        if dataset is None:
            self.count_label.setText("")
        elif shown == len(dataset):
            self.count_label.setText(f"{shown:,} images")
        else:
            self.count_label.setText(f"{shown:,} of {len(dataset):,} images")
        self.view.scrollToTop()
