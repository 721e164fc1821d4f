"""Widgets that show pictures the inspector computed: a numpy image scaled to fit that reports which
pixel the mouse is over (ImageCanvas), an image with a caption and a colour bar under it (ImagePane), and a
colour bar on its own (ColorBar)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QTextDocument, QTextOption
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.colormaps import colormap_table

MIN_HIGHLIGHT = 8  # pixels: an outline is never drawn smaller
SMOOTH_FROM = 64  # ImagePane scales images at least this large smoothly (photos); smaller ones keep crisp pixels
_GAP = 4
_BAR_HEIGHT = 32  # a colour bar and the labels under it
_STRIP_HEIGHT = 12  # the colour strip itself


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
            paint_placeholder(painter, self, self.placeholder)
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


@dataclass(frozen=True)
class ColorScale:
    """What the colours of a picture mean: a colour map spanning `low` … `high`, and a note on the unit."""

    colormap: str
    low: float
    high: float
    note: str = ""

    def labels(self) -> tuple[str, str, str]:
        """The texts under the bar's left end, middle and right end."""
        return format_value(self.low), self.note, format_value(self.high)


class ImagePane(QWidget):
    """An image scaled to fit the box (aspect ratio kept), a caption (rich text) right under it and,
    optionally, a colour bar under that.

    Image, caption and bar sit together at the top of the box, so panes side by side line up.
    """

    def __init__(
        self, caption: str = "", *, placeholder: str = "", minimum: int = 160, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self.pixels: np.ndarray | None = None
        self.scale: ColorScale | None = None
        self._image: QImage | None = None
        self._caption = QTextDocument()
        self._caption.setDefaultStyleSheet(f"body {{ color: {style.TEXT}; }}")
        self._caption.setDocumentMargin(2)
        option = QTextOption(Qt.AlignHCenter)
        option.setWrapMode(QTextOption.WordWrap)
        self._caption.setDefaultTextOption(option)
        self.set_caption(caption)
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    @property
    def caption_text(self) -> str:
        """The caption without its markup."""
        return self._caption.toPlainText()

    def set_image(self, pixels: np.ndarray | None) -> None:
        """Show uint8 (H, W) or (H, W, 3) pixels (None: the placeholder text)."""
        self.pixels = pixels
        self._image = None if pixels is None else to_qimage(pixels)
        self.update()

    def set_caption(self, text: str) -> None:
        self._caption.setHtml(f"<body>{text}</body>" if text else "")
        self.update()

    def set_scale(self, scale: ColorScale | None) -> None:
        """Show a colour bar for `scale` under the caption (None: no bar)."""
        self.scale = scale
        self.update()

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def _below_image(self) -> float:
        """Height of the caption and colour bar under the image."""
        self._caption.setTextWidth(self.width())
        caption = self._caption.size().height() + _GAP if self._caption.toPlainText() else 0.0
        return caption + (_BAR_HEIGHT + _GAP if self.scale is not None else 0.0)

    def image_rect(self) -> QRectF:
        """Where the image is drawn: centred across, at the top, as large as fits above the caption."""
        if self._image is None:
            return QRectF()
        room = max(1.0, self.height() - self._below_image())
        scale = min(self.width() / self._image.width(), room / self._image.height())
        width, height = self._image.width() * scale, self._image.height() * scale
        return QRectF((self.width() - width) / 2, 0, width, height)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self._image is None:
            paint_placeholder(painter, self, self.placeholder)
            return
        smooth = max(self._image.width(), self._image.height()) >= SMOOTH_FROM
        painter.setRenderHint(QPainter.SmoothPixmapTransform, smooth)
        target = self.image_rect()
        painter.drawImage(target, self._image)
        painter.setPen(QPen(QColor(style.BORDER)))
        painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        top = target.bottom() + _GAP
        if self._caption.toPlainText():
            painter.save()
            painter.translate(0, top)
            self._caption.drawContents(painter)
            painter.restore()
            top += self._caption.size().height() + _GAP
        if self.scale is not None:
            paint_scale(painter, QRectF(target.left(), top, target.width(), _BAR_HEIGHT), self.scale)


class ColorBar(QWidget):
    """A horizontal colour scale with the values at its two ends (and zero, when it is inside)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale: ColorScale | None = None
        self.setFixedHeight(_BAR_HEIGHT + 2)
        self.setMinimumWidth(160)

    def set_scale(self, colormap: str, low: float, high: float) -> None:
        self._scale = ColorScale(colormap, float(low), float(high))
        self.update()

    def clear(self) -> None:
        self._scale = None
        self.update()

    def text(self) -> str:
        """The range as shown ("−0.52 … 1.31"), empty when none."""
        if self._scale is None:
            return ""
        low, _, high = self._scale.labels()
        return f"{low} … {high}"

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._scale is not None:
            painter = QPainter(self)
            paint_scale(painter, QRectF(4, 2, self.width() - 8, _BAR_HEIGHT), self._scale)


def paint_placeholder(painter: QPainter, widget: QWidget, text: str) -> None:
    """What a picture widget says while it has no picture: muted, centred, wrapped."""
    painter.setPen(QColor(style.MUTED))
    painter.drawText(widget.rect().adjusted(8, 8, -8, -8), Qt.AlignCenter | Qt.TextWordWrap, text)


def paint_scale(painter: QPainter, box: QRectF, scale: ColorScale) -> None:
    """A horizontal colour strip filling the top of `box`, with the scale's labels under it and a tick at
    zero when zero lies inside (labelled "0" when there is no note to write in the middle)."""
    gradient = to_qimage(np.ascontiguousarray(colormap_table(scale.colormap)[None, :, :]))
    strip = QRectF(box.left(), box.top(), box.width(), _STRIP_HEIGHT)
    painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
    painter.drawImage(strip, gradient)
    painter.setPen(QPen(QColor(style.BORDER)))
    painter.drawRect(strip)
    painter.setPen(QColor(style.MUTED))
    text_box = QRectF(box.left(), strip.bottom() + 2, box.width(), box.height() - _STRIP_HEIGHT - 2)
    left, middle, right = scale.labels()
    painter.drawText(text_box, Qt.AlignLeft | Qt.AlignTop, left)
    painter.drawText(text_box, Qt.AlignHCenter | Qt.AlignTop, middle)
    painter.drawText(text_box, Qt.AlignRight | Qt.AlignTop, right)
    if scale.low < 0 < scale.high:
        x = strip.left() + strip.width() * -scale.low / (scale.high - scale.low)
        painter.drawLine(QPointF(x, strip.bottom()), QPointF(x, strip.bottom() + 3))
        if not middle:
            painter.drawText(QRectF(x - 20, text_box.top(), 40, text_box.height()), Qt.AlignHCenter | Qt.AlignTop, "0")
