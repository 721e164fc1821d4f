"""The overview in the canvas corner: the whole design in miniature, with the visible part framed.

Deep networks (ResNet-152 is 150 rows tall) are read at a zoom where only a part fits; the overview
shows where that part is, and a click or drag on it moves the view there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QWheelEvent
from PySide6.QtWidgets import QFrame, QGraphicsView

from cnnstudio.ui import style

if TYPE_CHECKING:
    from cnnstudio.ui.designer.view import CanvasView

HEIGHT = 180
MIN_WIDTH, MAX_WIDTH = 44, 180  # the width follows the design's proportions


class Minimap(QGraphicsView):
    """Shows `view`'s scene scaled to fit; draws and moves `view`'s visible rectangle.

    It hides itself while the whole design is visible in the main view anyway.
    """

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view.scene(), view)
        self.main = view
        self.setFixedSize(MAX_WIDTH, HEIGHT)
        self.setInteractive(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setRenderHints(QPainter.Antialiasing)
        self.setFrameShape(QFrame.NoFrame)
        self.setStyleSheet(f"QGraphicsView {{ border: 1px solid {style.BORDER}; border-radius: 6px; }}")
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the view")
        self._refit = QTimer(self, singleShot=True, interval=50)
        self._refit.timeout.connect(self.refit)
        view.scene().changed.connect(lambda rects: self._refit.start())
        for bar in (view.horizontalScrollBar(), view.verticalScrollBar()):
            bar.valueChanged.connect(self._main_view_moved)
        view.zoom_changed.connect(self._main_view_moved)

    def _main_view_moved(self, *args: object) -> None:
        self.viewport().update()
        self._refit.start()

    def refit(self) -> None:
        """Fit the design, and show the overview only if the main view shows part of it."""
        rect = self.main.design_rect()
        layers = rect.adjusted(36, 36, -36, -36)  # the layers themselves, not the margin around them
        needed = not rect.isEmpty() and not self.visible_rect().contains(layers)
        self.setVisible(needed)
        if needed:
            width = round(min(max(HEIGHT * rect.width() / rect.height(), MIN_WIDTH), MAX_WIDTH))
            if width != self.width():
                self.setFixedSize(width, HEIGHT)
                self.main.place_minimap()
            self.fitInView(rect, Qt.KeepAspectRatio)

    def visible_rect(self) -> QRectF:
        """The part of the scene the main view shows."""
        return self.main.mapToScene(self.main.viewport().rect()).boundingRect()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        frame = self.visible_rect()
        painter.setPen(QPen(QColor(style.ACCENT), 1.5 / max(self.transform().m11(), 1e-6)))
        accent = QColor(style.ACCENT)
        accent.setAlpha(28)
        painter.setBrush(accent)
        painter.drawRect(frame)

    def _move_to(self, event: QMouseEvent) -> None:
        self.main.centerOn(self.mapToScene(event.position().toPoint()))
        self.viewport().update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._move_to(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.LeftButton:
            self._move_to(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.accept()  # the overview always shows everything: nothing to scroll or zoom
