"""The live view's pictures: the video frame (with the Grad-CAM overlay and the region the network
sees), an image scaled to fit (feature maps, thumbnails), and the top-k probability bars.

Frames arrive as numpy arrays; each is wrapped in a QImage without copying pixels in Python and drawn
scaled by QPainter.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui import style

VIDEO_BACKGROUND = "#16181d"
PANEL_BACKGROUND = "#f3f4f6"  # the theme's window colour (cnnstudio.ui.style)


def qimage(array: np.ndarray, image_format: QImage.Format) -> QImage:
    """A QImage over a C-contiguous uint8 H×W×C array (the caller keeps the array alive)."""
    height, width = array.shape[:2]
    return QImage(array.data, width, height, array.strides[0], image_format)


def fitted(area: QRect, width: int, height: int) -> QRectF:
    """The largest rectangle of width:height inside `area`, centred."""
    scale = min(area.width() / width, area.height() / height)
    w, h = width * scale, height * scale
    return QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)


class FrameView(QWidget):
    """A BGR frame scaled to fit, with an optional RGBA overlay placed on a region of the frame and the
    outline of the region the network sees."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(320, 240)
        self.placeholder = "Choose a source and press Start"
        self.badge = ""
        self._frame: np.ndarray | None = None
        self._image: QImage | None = None
        self._overlay: np.ndarray | None = None
        self._overlay_image: QImage | None = None
        self._overlay_box: tuple[int, int, int, int] | None = None
        self._box: tuple[int, int, int, int] | None = None

    def set_frame(self, frame: np.ndarray | None) -> None:
        """Show a BGR uint8 H×W×3 frame (None: the placeholder)."""
        self._frame = np.ascontiguousarray(frame) if frame is not None else None
        self._image = qimage(self._frame, QImage.Format_BGR888) if self._frame is not None else None
        self.update()

    def frame(self) -> np.ndarray | None:
        return self._frame

    def set_network_box(self, box: tuple[int, int, int, int] | None) -> None:
        """Outline the part of the frame that becomes the network's input."""
        self._box = box
        self.update()

    def set_overlay(self, rgba: np.ndarray | None, box: tuple[int, int, int, int] | None = None) -> None:
        """Lay RGBA colours over region `box` (left, top, right, bottom) of the frame; None removes them."""
        self._overlay = np.ascontiguousarray(rgba) if rgba is not None else None
        self._overlay_image = qimage(self._overlay, QImage.Format_RGBA8888) if rgba is not None else None
        self._overlay_box = box
        self.update()

    def has_overlay(self) -> bool:
        return self._overlay_image is not None

    def set_badge(self, text: str) -> None:
        self.badge = text
        self.update()

    def _map(self, target: QRectF, box: tuple[int, int, int, int]) -> QRectF:
        height, width = self._frame.shape[:2]
        sx, sy = target.width() / width, target.height() / height
        left, top, right, bottom = box
        return QRectF(target.x() + left * sx, target.y() + top * sy, (right - left) * sx, (bottom - top) * sy)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(VIDEO_BACKGROUND))
        if self._image is None:
            painter.setPen(QColor("#9aa3ad"))
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            return
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        target = fitted(self.rect(), self._image.width(), self._image.height())
        painter.drawImage(target, self._image)
        if self._overlay_image is not None and self._overlay_box is not None:
            painter.drawImage(self._map(target, self._overlay_box), self._overlay_image)
        if self._box is not None:
            pen = QPen(QColor(255, 255, 255, 170), 1.5, Qt.DashLine)
            painter.setPen(pen)
            painter.drawRect(self._map(target, self._box))
        if self.badge:
            font = QFont(painter.font())
            font.setBold(True)
            painter.setFont(font)
            metrics = painter.fontMetrics()
            badge = QRect(
                int(target.x()) + 10,
                int(target.y()) + 10,
                metrics.horizontalAdvance(self.badge) + 16,
                metrics.height() + 8,
            )
            painter.fillRect(badge, QColor(0, 0, 0, 160))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignCenter, self.badge)


class ImageView(QWidget):
    """An RGB image scaled to fit, pixels kept sharp (feature maps are small)."""

    def __init__(
        self, placeholder: str = "", parent: QWidget | None = None, *, background: str = VIDEO_BACKGROUND
    ) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(160, 160)
        self.background = QColor(background)
        self.placeholder = placeholder
        self._array: np.ndarray | None = None
        self._image: QImage | None = None

    def set_image(self, rgb: np.ndarray | None) -> None:
        self._array = np.ascontiguousarray(rgb) if rgb is not None else None
        self._image = qimage(self._array, QImage.Format_RGB888) if self._array is not None else None
        self.update()

    def image(self) -> np.ndarray | None:
        return self._array

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.background)
        if self._image is None:
            painter.setPen(QColor("#9aa3ad"))
            painter.drawText(self.rect().adjusted(12, 12, -12, -12), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            return
        painter.drawImage(fitted(self.rect(), self._image.width(), self._image.height()), self._image)


class PredictionBars(QWidget):
    """The most probable classes, one labelled bar each, most probable first."""

    ROW_HEIGHT = 26

    def __init__(self, rows: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.predictions: list[Prediction] = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMinimumWidth(180)
        self.set_rows(rows)

    def set_rows(self, rows: int) -> None:
        """Show this many classes (fewer than five for a model with fewer classes)."""
        self.rows = max(1, rows)
        self.setFixedHeight(self.rows * self.ROW_HEIGHT + 4)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, self.rows * self.ROW_HEIGHT + 4)

    def set_predictions(self, predictions: list[Prediction]) -> None:
        self.predictions = list(predictions[: self.rows])
        self.update()

    def labels(self) -> list[str]:
        return [prediction.label for prediction in self.predictions]

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        width = self.width()
        label_width = min(220, int(width * 0.38))
        percent_width = 56
        bar_left = label_width + 8
        bar_width = max(10, width - bar_left - percent_width - 4)
        metrics = painter.fontMetrics()
        for row in range(self.rows):
            top = 2 + row * self.ROW_HEIGHT
            track = QRectF(bar_left, top + 5, bar_width, self.ROW_HEIGHT - 10)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor("#e8ebef"))
            painter.drawRoundedRect(track, 3, 3)
            if row >= len(self.predictions):
                continue
            prediction = self.predictions[row]
            fill = QRectF(track.x(), track.y(), max(2.0, track.width() * prediction.prob), track.height())
            painter.setBrush(QColor(style.ACCENT if row == 0 else "#7aa7e8"))
            painter.drawRoundedRect(fill, 3, 3)
            painter.setPen(QColor(style.TEXT))
            font = QFont(painter.font())
            font.setBold(row == 0)
            painter.setFont(font)
            label = metrics.elidedText(prediction.label, Qt.ElideRight, label_width)
            painter.drawText(QRect(0, top, label_width, self.ROW_HEIGHT), Qt.AlignVCenter | Qt.AlignRight, label)
            painter.drawText(
                QRect(width - percent_width, top, percent_width, self.ROW_HEIGHT),
                Qt.AlignVCenter | Qt.AlignRight,
                f"{prediction.prob:.1%}",
            )
