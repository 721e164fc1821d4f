"""A gallery of validation images with their true and predicted class (and the confidence).

Thumbnails are the images as the network saw them (fitted to its input), enlarged without
smoothing so small images stay crisp. Double-clicking one sends it to the Inspect tab.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QListWidget,
    QListWidgetItem,
    QWidget,
)

from cnnstudio.ui.widgets.images import thumbnail

THUMBNAIL = 72
MAX_ITEMS = 300  # more thumbnails than anyone looks through; the caption says how many there are


@dataclass(frozen=True)
class GalleryItem:
    index: int  # image index in the evaluated dataset
    true: str
    predicted: str
    confidence: float | None  # None when not recorded (correctly classified images)
    caption: str = ""  # when given, the text under the thumbnail and its tooltip replace the class wording
    tip: str = ""


class Gallery(QListWidget):
    """`show_items(items, image_of)`; `image_activated(index)` on double-click."""

    image_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.IconMode)
        self.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.setGridSize(QSize(THUMBNAIL + 40, THUMBNAIL + 44))
        self.setResizeMode(QListView.Adjust)
        self.setMovement(QListView.Static)
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.itemActivated.connect(lambda item: self.image_activated.emit(item.data(Qt.UserRole)))

    def show_items(self, items: list[GalleryItem], image_of: Callable[[int], np.ndarray]) -> None:
        """Show the first MAX_ITEMS of `items`; `image_of(index)` gives an image as H×W×3 uint8 RGB."""
        self.clear()
        for entry in items[:MAX_ITEMS]:
            if entry.caption:
                text, tip = entry.caption, entry.tip
            elif entry.true == entry.predicted:
                text = entry.true
                tip = f"Image {entry.index}: {entry.true}, classified correctly"
            else:
                confidence = f" {entry.confidence:.0%}" if entry.confidence is not None else ""
                text = f"{entry.true} → {entry.predicted}\n{confidence.strip()}"
                tip = f"Image {entry.index}: a {entry.true}, predicted {entry.predicted}" + (
                    f" with {entry.confidence:.1%} confidence" if entry.confidence is not None else ""
                )
            item = QListWidgetItem(QIcon(thumbnail(image_of(entry.index), THUMBNAIL)), text)
            item.setToolTip(f"{tip}\nDouble-click to look inside the network with it (Inspect tab)")
            item.setData(Qt.UserRole, entry.index)
            item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
            self.addItem(item)
