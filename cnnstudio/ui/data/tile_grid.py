"""Rows of equally sized images with a caption on the left, scaled crisply to the widget's size; where the
widget is too narrow for every image at a readable size, each row shows only its first images."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.ui import style

CAPTION_WIDTH = 78
GAP = 4
MAX_TILE = 96
MIN_TILE = 40  # below this an image is dropped from the right of every row rather than shrunk further


class TileGrid(QWidget):
    """Paints `rows` of (caption, images); tiny images are enlarged by whole pixels, never blurred."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, list[QImage]]] = []
        self.placeholder = ""
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(100, 120)

    def sizeHint(self) -> QSize:
        return QSize(560, 200)

    def set_rows(self, rows: list[tuple[str, list[QImage]]], placeholder: str = "") -> None:
        self.rows = rows
        self.placeholder = placeholder
        self.update()

    def _across(self, columns: int) -> int:
        return (self.width() - CAPTION_WIDTH - GAP * (columns + 1)) // columns

    def columns(self) -> int:
        """How many images of each row are shown: all, or as many as fit at MIN_TILE (at least one)."""
        columns = max((len(images) for _, images in self.rows), default=0)
        while columns > 1 and self._across(columns) < MIN_TILE:
            columns -= 1
        return columns

    def tile_side(self) -> int:
        """The side of one tile for the current widget size."""
        columns = self.columns()
        if not columns:
            return 0
        down = (self.height() - GAP * (len(self.rows) + 1)) // len(self.rows)
        side = max(1, min(self._across(columns), down, MAX_TILE))
        source = max(max(image.width(), image.height()) for _, images in self.rows for image in images)
        # Whole-pixel enlargement where it loses little room (8×8 digits stay even); else fill the room.
        whole = side // source * source
        return whole if whole >= 0.8 * side else side

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        if not self.rows:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            return
        side, columns = self.tile_side(), self.columns()
        top = max(0, (self.height() - len(self.rows) * (side + GAP)) // 2)
        for row, (caption, images) in enumerate(self.rows):
            y = top + row * (side + GAP)
            painter.setPen(QColor(style.MUTED))
            painter.drawText(QRect(0, y, CAPTION_WIDTH - 8, side), Qt.AlignRight | Qt.AlignVCenter, caption)
            for column, image in enumerate(images[:columns]):
                size = image.size().scaled(side, side, Qt.KeepAspectRatio)
                target = QRect(
                    CAPTION_WIDTH + column * (side + GAP) + (side - size.width()) // 2,
                    y + (side - size.height()) // 2,
                    size.width(),
                    size.height(),
                )
                painter.setRenderHint(QPainter.SmoothPixmapTransform, image.width() > side)
                painter.drawImage(target, image)
        painter.end()
