"""Widgets that show pictures the inspector computed: a numpy image scaled to fit (crisp when
enlarged, smooth when reduced) that reports which pixel the mouse is over, and a colour bar."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.colormaps import colormap_table

MIN_HIGHLIGHT = 8  # pixels: an outline is never drawn smaller


def format_value(value: float) -> str:
    """A measured value, short but exact enough to compare: 0.4123, −12.35, 1.2e-05."""
    if math.isnan(value):
        return "—"
    if value == round(value) and abs(value) < 1e5:
        return str(int(value)).replace("-", "−")
    magnitude = abs(value)
    if magnitude >= 1e5 or magnitude < 1e-3:
        return f"{value:.3g}".replace("-", "−")
    decimals = max(0, 3 - math.floor(math.log10(magnitude)))
    return f"{value:.{min(decimals, 4)}f}".replace("-", "−")


def format_compact(value: float) -> str:
    """A number for a small grid cell: whole numbers as they are ("2", "−1"), others to 3 significant
    digits ("0.123", "−12.3"); the exact value belongs in a tooltip."""
    if math.isnan(value):
        return "—"
    if value == round(value) and abs(value) < 1e5:
        return str(int(value)).replace("-", "−")
    text = f"{value:.3g}"
    if "e" in text:
        text = f"{value:.1e}"
    return text.replace("-", "−")


class ImageCanvas(QWidget):
    """A picture scaled to fit, centred. Enlarged by whole factors without smoothing, so every map
    pixel stays a crisp square; reduced smoothly. `hovered(y, x)` / `clicked(y, x)` give image
    pixels ((-1, -1) when the mouse leaves the picture); `highlights` are drawn as outlines."""

    hovered = Signal(int, int)
    clicked = Signal(int, int)

    def __init__(
        self, placeholder: str = "", parent: QWidget | None = None, *, minimum: int = 120, preferred: int = 320
    ) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._shape = (0, 0)
        self._highlights: list[tuple[QRect, QColor]] = []
        self._last_hover = (-1, -1)
        self.placeholder = placeholder
        self._preferred = preferred
        self.setMouseTracking(True)
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    # ----- content
    def set_image(self, array: np.ndarray | None) -> None:
        self._image = None if array is None else to_qimage(array)
        self._shape = (0, 0) if array is None else (int(array.shape[0]), int(array.shape[1]))
        self._highlights = []
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def image_shape(self) -> tuple[int, int]:
        """(height, width) of the picture shown, (0, 0) when none."""
        return self._shape

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def set_highlights(self, boxes: list[tuple[tuple[int, int, int, int], str]]) -> None:
        """Outline image regions: ((top, left, bottom, right) inclusive, colour)."""
        self._highlights = [
            (QRect(QPoint(left, top), QPoint(right, bottom)), QColor(color))
            for (top, left, bottom, right), color in boxes
        ]
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self._preferred, self._preferred)

    # ----- geometry
    def target_rect(self) -> QRectF:
        """Where the picture is drawn, in widget coordinates."""
        height, width = self._shape
        if not height or not width:
            return QRectF()
        available_w, available_h = max(1, self.width() - 4), max(1, self.height() - 4)
        factor = min(available_w / width, available_h / height)
        if factor >= 2:
            factor = math.floor(factor)
        shown_w, shown_h = width * factor, height * factor
        return QRectF((self.width() - shown_w) / 2, (self.height() - shown_h) / 2, shown_w, shown_h)

    def image_point(self, position: QPointF | QPoint) -> tuple[int, int] | None:
        """The image pixel (y, x) under a widget position, or None outside the picture."""
        rect = self.target_rect()
        if rect.isEmpty() or not rect.contains(QPointF(position)):
            return None
        height, width = self._shape
        x = int((position.x() - rect.left()) / rect.width() * width)
        y = int((position.y() - rect.top()) / rect.height() * height)
        return min(max(y, 0), height - 1), min(max(x, 0), width - 1)

    def widget_point(self, y: float, x: float) -> QPoint:
        """The widget position of the centre of image pixel (y, x) (tests click there)."""
        rect = self.target_rect()
        height, width = self._shape
        return QPoint(
            round(rect.left() + (x + 0.5) * rect.width() / width),
            round(rect.top() + (y + 0.5) * rect.height() / height),
        )

    # ----- painting and the mouse
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._image is None:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(self.rect().adjusted(8, 8, -8, -8), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            return
        rect = self.target_rect()
        painter.setRenderHint(QPainter.SmoothPixmapTransform, rect.width() < self._shape[1])
        painter.drawImage(rect, self._image)
        scale_x, scale_y = rect.width() / self._shape[1], rect.height() / self._shape[0]
        for box, color in self._highlights:
            painter.setPen(QPen(QColor("white"), 4))
            outline = QRectF(
                rect.left() + box.left() * scale_x,
                rect.top() + box.top() * scale_y,
                box.width() * scale_x,
                box.height() * scale_y,
            )
            if outline.width() < MIN_HIGHLIGHT or outline.height() < MIN_HIGHLIGHT:  # keep a tiny patch visible
                centre = outline.center()
                side = max(MIN_HIGHLIGHT, outline.width(), outline.height())
                outline = QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side)
            painter.drawRect(outline)
            painter.setPen(QPen(color, 2))
            painter.drawRect(outline)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = self.image_point(event.position()) or (-1, -1)
        if point != self._last_hover:
            self._last_hover = point
            self.hovered.emit(*point)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: object) -> None:
        if self._last_hover != (-1, -1):
            self._last_hover = (-1, -1)
            self.hovered.emit(-1, -1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = self.image_point(event.position())
        if event.button() == Qt.LeftButton and point is not None:
            self.clicked.emit(*point)
        super().mousePressEvent(event)


class ColorBar(QWidget):
    """A horizontal colour scale with the values at its two ends (and zero, when it is inside)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colormap = "viridis"
        self._range: tuple[float, float] | None = None
        self.setFixedHeight(34)
        self.setMinimumWidth(160)

    def set_scale(self, colormap: str, low: float, high: float) -> None:
        self._colormap, self._range = colormap, (float(low), float(high))
        self.update()

    def clear(self) -> None:
        self._range = None
        self.update()

    def text(self) -> str:
        """The range as shown ("−0.52 … 1.31"), empty when none."""
        if self._range is None:
            return ""
        return f"{format_value(self._range[0])} … {format_value(self._range[1])}"

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._range is None:
            return
        painter = QPainter(self)
        table = colormap_table(self._colormap)
        strip = np.ascontiguousarray(np.repeat(table[None], 2, axis=0))
        bar = QRectF(4, 2, self.width() - 8, 12)
        painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
        painter.drawImage(bar, to_qimage(strip))
        painter.setPen(QColor(style.BORDER))
        painter.drawRect(bar)
        painter.setPen(QColor(style.MUTED))
        low, high = self._range
        text_rect = QRectF(4, 16, self.width() - 8, 16)
        painter.drawText(text_rect, Qt.AlignLeft | Qt.AlignVCenter, format_value(low))
        painter.drawText(text_rect, Qt.AlignRight | Qt.AlignVCenter, format_value(high))
        if low < 0 < high:
            x = bar.left() + bar.width() * (-low) / (high - low)
            painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3))
            painter.drawText(QRectF(x - 20, 16, 40, 16), Qt.AlignCenter, "0")
