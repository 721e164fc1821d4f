"""A connection on the canvas: a smooth curve with an arrow head, labelled with the tensor it carries."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style
from cnnstudio.ui.designer.routing import Obstacles, route

ARROW = 7.0
LABEL_GAP = 14.0  # from the port to the label's centre line


class EdgeItem(QGraphicsItem):
    """The edge src → dst. The scene calls `update_path()` when an end moves, `set_state()` after analysis."""

    def __init__(self, src: str, dst: str) -> None:
        super().__init__()
        self.src, self.dst = src, dst
        self._bounds = QRectF()
        self._path = QPainterPath()
        self._hit = QPainterPath()
        self._anchors: list[QPointF] = []
        self._obstacles: Obstacles = lambda rect: []
        self._end = QPointF()
        self._label = ""
        self._label_rect = QRectF()
        self._error = False
        self._hover = False
        self._font = QFont()
        self._font.setPointSizeF(7.8)
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setZValue(0.0)
        self.setAcceptHoverEvents(True)

    def update_path(self, start: QPointF, end: QPointF, obstacles: Obstacles, label_at_start: bool = False) -> None:
        """Re-route from `start` (source output port) to `end` (destination input port).

        The label goes beside the straight end of the curve: at the destination (so the branches of
        a fan-out each carry their own label above their first layer), or at the source for edges
        into Add/Concat (whose inputs converge on one port), or mid-lane for a detour.
        """
        self.prepareGeometryChange()
        self._end = end
        tip = QPointF(end.x(), end.y() - ARROW + 1)
        self._path, lane_middle = route(start, tip, obstacles)
        self._obstacles = obstacles
        if lane_middle is not None:
            self._anchors = [lane_middle, QPointF(start.x(), start.y() + LABEL_GAP)]
        elif label_at_start:
            self._anchors = [QPointF(start.x(), start.y() + LABEL_GAP)]
        else:
            self._anchors = [QPointF(end.x(), end.y() - LABEL_GAP)]
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        self._hit = stroker.createStroke(self._path)
        self._layout_label()

    def set_state(self, shape: tuple[int, ...] | None, error: str | None) -> None:
        """Show the tensor shape flowing through the edge; `error` marks it invalid (with the reason)."""
        label = format_shape(shape) if shape is not None else ""
        if label != self._label or bool(error) != self._error:
            self.prepareGeometryChange()
            self._label, self._error = label, bool(error)
            self._layout_label()
        tip = f"{self.src} → {self.dst}" + (f": {label}" if label else "")
        self.setToolTip(tip + (f"\n✖ {error}" if error else ""))

    @property
    def label(self) -> str:
        return self._label

    @property
    def is_error(self) -> bool:
        return self._error

    def _layout_label(self) -> None:
        """Put the label beside its anchor, on the first side (right, then left) where it covers no layer;
        a lane squeezed between two columns labels its start instead."""
        self._label_rect = QRectF()
        if self._label:
            metrics = QFontMetricsF(self._font)
            width, height = metrics.horizontalAdvance(self._label) + 8, metrics.height() + 2
            candidates = [
                QRectF(anchor.x() + dx, anchor.y() - height / 2, width, height)
                for anchor in self._anchors
                for dx in (5, -5 - width)
            ]
            self._label_rect = next((rect for rect in candidates if not self._obstacles(rect)), candidates[0])
        self._bounds = self._path.boundingRect().adjusted(-ARROW, -ARROW, ARROW, ARROW).united(self._label_rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self._error:
            color = QColor(style.ERROR)
        elif self.isSelected() or self._hover:
            color = QColor(style.ACCENT)
        else:
            color = QColor(style.EDGE)
        width = 2.6 if self.isSelected() else (2.0 if self._error else 1.5)
        painter.setPen(QPen(color, width, Qt.DashLine if self._error else Qt.SolidLine, Qt.RoundCap))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._path)
        self._paint_arrow(painter, color)
        if self._label and lod >= 0.45:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(246, 248, 250, 225))
            painter.drawRoundedRect(self._label_rect, 3, 3)
            painter.setFont(self._font)
            painter.setPen(QColor(style.ERROR) if self._error else QColor(style.MUTED))
            painter.drawText(self._label_rect, Qt.AlignCenter, self._label)

    def _paint_arrow(self, painter: QPainter, color: QColor) -> None:
        angle = math.radians(-self._path.angleAtPercent(1.0))
        tip = self._end
        left = QPointF(
            tip.x() - ARROW * math.cos(angle) + ARROW * 0.55 * math.sin(angle),
            tip.y() - ARROW * math.sin(angle) - ARROW * 0.55 * math.cos(angle),
        )
        right = QPointF(
            tip.x() - ARROW * math.cos(angle) - ARROW * 0.55 * math.sin(angle),
            tip.y() - ARROW * math.sin(angle) + ARROW * 0.55 * math.cos(angle),
        )
        painter.setPen(Qt.NoPen)
        painter.setBrush(color)
        painter.drawPolygon(QPolygonF([tip, left, right]))

    def hoverEnterEvent(self, event: object) -> None:
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event: object) -> None:
        self._hover = False
        self.update()
