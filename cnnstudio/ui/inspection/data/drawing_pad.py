"""A pad to draw an input with the mouse: a digit, an X or an O.

The drawing is a square grayscale picture (white ink on black, as MNIST digits are, or the reverse).
While the user draws, `changed` fires at most `RATE_HZ` times a second, and once more when the
stroke ends, so every view can follow the drawing without queueing more work than it can do.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from cnnstudio.ui import style

SIDE = 280  # pixels of the drawing; models get it resized to their input
RATE_HZ = 15


class DrawingPad(QWidget):
    """Draw with the left button; `image()` is the drawing as uint8 (SIDE, SIDE) pixels."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._canvas = QImage(SIDE, SIDE, QImage.Format_Grayscale8)
        self._inverted = False  # False: white ink on black
        self._pen_width = 22
        self._last: QPointF | None = None
        self._dirty = False
        self._throttle = QTimer(self, singleShot=True, interval=1000 // RATE_HZ)
        self._throttle.timeout.connect(self._flush)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(160, 160)
        self.setCursor(Qt.CrossCursor)
        self.setToolTip("Draw with the mouse; every view follows the drawing")
        self.clear()

    # ----- settings
    @property
    def ink(self) -> int:
        return 0 if self._inverted else 255

    @property
    def paper(self) -> int:
        return 255 if self._inverted else 0

    def set_inverted(self, inverted: bool) -> None:
        """True: black ink on white paper. The drawing so far is inverted too."""
        if inverted != self._inverted:
            self._inverted = inverted
            self._canvas.invertPixels()
            self.update()
            self.changed.emit()

    def set_pen_width(self, width: int) -> None:
        """Stroke width in drawing pixels (the drawing is SIDE pixels wide)."""
        self._pen_width = max(1, int(width))

    def clear(self) -> None:
        self._canvas.fill(QColor(self.paper, self.paper, self.paper))
        self.update()
        self.changed.emit()

    def image(self) -> np.ndarray:
        """A copy of the drawing: uint8 (SIDE, SIDE)."""
        pointer = self._canvas.constBits()
        rows = np.frombuffer(pointer, dtype=np.uint8).reshape(SIDE, self._canvas.bytesPerLine())
        return rows[:, :SIDE].copy()

    def is_pending(self) -> bool:
        """True while strokes drawn in the last moment wait to be announced by `changed`."""
        return self._dirty

    def sizeHint(self) -> QSize:
        return QSize(230, 230)

    # ----- geometry
    def _square(self) -> QRectF:
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_canvas(self, position: QPointF) -> QPointF:
        square = self._square()
        return QPointF(
            (position.x() - square.left()) * SIDE / square.width(),
            (position.y() - square.top()) * SIDE / square.height(),
        )

    # ----- drawing
    def _stroke(self, to: QPointF) -> None:
        painter = QPainter(self._canvas)
        painter.setRenderHint(QPainter.Antialiasing, True)
        painter.setPen(
            QPen(QColor(self.ink, self.ink, self.ink), self._pen_width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin)
        )
        painter.drawLine(self._last if self._last is not None else to, to)
        painter.end()
        self._last = to
        self._dirty = True
        self.update()
        if not self._throttle.isActive():
            self._throttle.start()

    def _flush(self) -> None:
        if self._dirty:
            self._dirty = False
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._last = None
            self._stroke(self._to_canvas(event.position()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.LeftButton:
            self._stroke(self._to_canvas(event.position()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._last = None
            self._throttle.stop()
            self._flush()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        square = self._square()
        painter.setRenderHint(QPainter.SmoothPixmapTransform, True)
        painter.drawImage(square, self._canvas)
        painter.setPen(QColor(style.BORDER))
        painter.drawRect(square)
