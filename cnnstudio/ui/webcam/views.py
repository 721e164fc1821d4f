"""The live view's pictures: the video frame (with the Grad-CAM overlay and the region the network
sees), an image scaled to fit (feature maps), and the frame as the network gets it.

Frames arrive as numpy arrays; each is wrapped in a QImage without copying pixels in Python and drawn
scaled by QPainter.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGroupBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.live import LiveModel

VIDEO_BACKGROUND = "#16181d"
PANEL_BACKGROUND = "#f3f4f6"  # the theme's window colour (cnnstudio.ui.style)


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
        self._image = to_qimage(self._frame, "BGR", copy=False) if self._frame is not None else None
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
        self._overlay_image = to_qimage(self._overlay, "RGBA", copy=False) if rgba is not None else None
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
        self._image = to_qimage(self._array, copy=False) if self._array is not None else None
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


class NetworkInput(QGroupBox):
    """What the network sees: the shown frame's crop scaled to the model's input size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("What the network sees", parent)
        self.model: LiveModel | None = None
        self.view = ImageView("The network's input appears here.", background=PANEL_BACKGROUND)
        self.view.setFixedHeight(224)
        self.caption = QLabel("The dashed box on the video, scaled to the network's input size.")
        self.caption.setWordWrap(True)
        self.caption.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.caption)

    def set_model(self, model: LiveModel) -> None:
        self.model = model
        self.caption.setText(
            f"The dashed box on the video, scaled to {model.title}'s input of "
            f"{'×'.join(map(str, model.classifier.input_shape[1:]))} pixels."
        )

    def show_frame(self, frame: np.ndarray | None) -> None:
        """A BGR frame through the model's own preprocessing (a crop and a resize: cheap enough to follow the
        video), or nothing."""
        if self.model is None or frame is None:
            self.view.set_image(None)
            return
        self.view.set_image(self.model.classifier.preprocessing.pixels(frame))
