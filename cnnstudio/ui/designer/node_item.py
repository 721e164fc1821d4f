"""A layer on the canvas: a rounded card with a category strip, its compact label, output shape and size.

The card is drawn by hand (no child text items) so that hundreds of them load and repaint fast.
Its input port sits on the top edge, its output port on the bottom edge; Add/Concat/Mul have a wide
input port that takes several connections, spread left to right in input order.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QStyleOptionGraphicsItem,
    QWidget,
)

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.describe import compact_label, format_count, format_shape
from cnnstudio.graph.network import Node
from cnnstudio.graph.validate import ERROR, Problem
from cnnstudio.pytorch import NodeAnalysis
from cnnstudio.ui import style

WIDTH = 212.0
HEIGHT = 64.0
RADIUS = 7.0
STRIP = 6.0
PORT_RADIUS = 4.5
MERGE_PORT_WIDTH = 64.0
PORT_HIT = 10.0
MARGIN = 8.0
PADDING = 10.0

IN, OUT = "in", "out"


@functools.cache
def _fonts() -> tuple[QFont, QFont, QFont, QFont]:
    """Title (bold type), title parameters, id line, shape line: shared by every card."""
    title = QFont()
    title.setPointSizeF(9.5)
    title.setWeight(QFont.DemiBold)
    params = QFont()
    params.setPointSizeF(9.5)
    small = QFont()
    small.setPointSizeF(8.0)
    mono = style.monospace_font(8.5)
    return title, params, small, mono


class NodeItem(QGraphicsItem):
    """The card of one node; `refresh()` re-reads the node, `set_analysis()` shows its shape and errors."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)
        self.setCursor(Qt.OpenHandCursor)
        self._fonts = _fonts()
        self._hover_port: str | None = None
        self._hovered = False
        self._link_target = False
        self._linking_from: str | None = None
        self._analysis: NodeAnalysis | None = None
        self._errors: list[str] = []
        self._warnings: list[str] = []
        self._body = QPainterPath()
        self._body.addRoundedRect(QRectF(-WIDTH / 2, -HEIGHT / 2, WIDTH, HEIGHT), RADIUS, RADIUS)
        self.refresh(node)

    # ----- content
    def refresh(self, node: Node) -> None:
        """Re-read the node's type, parameters, id and trainability (after an edit)."""
        self.node_id = node.id
        spec = layer_spec(node.type)
        self.layer_type = node.type
        self.is_input = bool(spec and spec.is_input)
        self.is_merge = bool(spec and spec.is_merge)
        self.description = spec.description if spec else f"unknown layer type {node.type!r}"
        self.color = style.category_color(spec.category if spec else None)
        self.trainable = node.trainable
        self.label = compact_label(node)
        self._texts_changed()

    def set_analysis(self, analysis: NodeAnalysis | None, problems: list[Problem]) -> None:
        self._analysis = analysis
        self._errors = [p.message for p in problems if p.severity == ERROR]
        self._warnings = [p.message for p in problems if p.severity != ERROR]
        self._texts_changed()

    @property
    def has_error(self) -> bool:
        return bool(self._errors)

    def output_shape(self) -> tuple[int, ...] | None:
        return self._analysis.output_shape if self._analysis else None

    @property
    def shape_text(self) -> str:
        """What the card shows as the output shape ('6×28×28'; '…' while analysing; '?' on error)."""
        if self._analysis is None:
            return "…"
        return format_shape(self._analysis.output_shape)

    @property
    def size_text(self) -> str:
        """The parameter count on the card ('156 params'; empty for layers without weights)."""
        return f"{format_count(self._analysis.params)} params" if self._analysis and self._analysis.params else ""

    def _texts_changed(self) -> None:
        """Lay the texts out again before the next paint (cards never shown cost nothing)."""
        self._laid_out = False
        if self._hovered:
            self.setToolTip(self.tooltip_html())
        self.update()

    def _layout_texts(self) -> None:
        self._laid_out = True
        title_font, params_font, small_font, mono_font = self._fonts
        inner = WIDTH - STRIP - 2 * PADDING
        # 'Conv2d 64 · 3×3 · s1 · p1': the type in bold, its key parameters in regular weight
        head, _, tail = (
            self.label.partition(" ") if self.label.startswith(self.layer_type + " ") else (self.label, "", "")
        )
        self._title = QFontMetricsF(title_font).elidedText(head, Qt.ElideRight, inner)
        self._title_width = QFontMetricsF(title_font).horizontalAdvance(self._title + " ")
        self._title_params = QFontMetricsF(params_font).elidedText(
            tail, Qt.ElideRight, max(inner - self._title_width, 0)
        )
        frozen = "  ·  frozen" if not self.trainable and self._analysis and self._analysis.params else ""
        self._subtitle = QFontMetricsF(small_font).elidedText(self.node_id + frozen, Qt.ElideRight, inner)
        shape_width = inner - QFontMetricsF(small_font).horizontalAdvance(self.size_text) - 8
        self._shape = QFontMetricsF(mono_font).elidedText("→ " + self.shape_text, Qt.ElideRight, shape_width)

    def tooltip_html(self) -> str:
        """What hovering shows: the layer, what it does, its output, and the analyzer's messages."""
        lines = [
            f"<b>{self.label}</b> &nbsp;<span style='color:{style.MUTED}'>{self.node_id}</span>",
            f"<span style='color:{style.MUTED}'>{self.description}</span>",
        ]
        if self._analysis and self._analysis.output_shape:
            lines.append(f"Output: {format_shape(self._analysis.output_shape)}")
        lines += [f"<span style='color:{style.ERROR}'>✖ {message}</span>" for message in self._errors]
        lines += [f"<span style='color:{style.WARNING}'>⚠ {message}</span>" for message in self._warnings]
        return "<br>".join(lines)

    # ----- geometry
    def boundingRect(self) -> QRectF:
        return QRectF(-WIDTH / 2 - MARGIN, -HEIGHT / 2 - MARGIN, WIDTH + 2 * MARGIN, HEIGHT + 2 * MARGIN)

    def shape(self) -> QPainterPath:
        path = QPainterPath(self._body)
        path.addRect(self._port_rect(OUT).adjusted(-4, -4, 4, 4))
        if not self.is_input:
            path.addRect(self._port_rect(IN).adjusted(-4, -4, 4, 4))
        return path.simplified()

    def card_rect(self) -> QRectF:
        """The card itself (without ports and selection halo), in scene coordinates."""
        return QRectF(self.pos().x() - WIDTH / 2, self.pos().y() - HEIGHT / 2, WIDTH, HEIGHT)

    def _port_rect(self, port: str) -> QRectF:
        y = -HEIGHT / 2 if port == IN else HEIGHT / 2
        half = MERGE_PORT_WIDTH / 2 if port == IN and self.is_merge else PORT_RADIUS
        return QRectF(-half, y - PORT_RADIUS, 2 * half, 2 * PORT_RADIUS)

    def port_at(self, local: QPointF) -> str | None:
        """Which port (IN/OUT) is under a point in item coordinates, if any."""
        for port in (OUT, IN):
            if port == IN and self.is_input:
                continue
            if self._port_rect(port).adjusted(-PORT_HIT / 2, -PORT_HIT / 2, PORT_HIT / 2, PORT_HIT / 2).contains(local):
                return port
        return None

    def output_point(self) -> QPointF:
        """Scene position where outgoing edges start."""
        return self.mapToScene(QPointF(0, HEIGHT / 2 + PORT_RADIUS))

    def input_point(self, index: int = 0, count: int = 1) -> QPointF:
        """Scene position where the `index`-th of `count` incoming edges ends."""
        x = 0.0
        if self.is_merge and count > 1:
            x = -MERGE_PORT_WIDTH / 2 + 6 + index * (MERGE_PORT_WIDTH - 12) / (count - 1)
        return self.mapToScene(QPointF(x, -HEIGHT / 2 - PORT_RADIUS))

    def port_point(self, port: str) -> QPointF:
        return self.output_point() if port == OUT else self.input_point()

    # ----- painting
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        selected = self.isSelected()
        rect = QRectF(-WIDTH / 2, -HEIGHT / 2, WIDTH, HEIGHT)

        if selected:
            painter.setPen(QPen(QColor(style.ACCENT).lighter(160), 5))
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), RADIUS + 2, RADIUS + 2)
        else:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(15, 23, 42, 22))
            painter.drawRoundedRect(rect.translated(0, 2), RADIUS, RADIUS)

        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor(style.ERROR_FILL if self._errors else "#ffffff"))
        painter.drawPath(self._body)
        painter.save()
        painter.setClipPath(self._body)
        painter.fillRect(QRectF(rect.left(), rect.top(), STRIP, HEIGHT), self.color)
        painter.restore()

        if self._errors:
            border = QPen(QColor(style.ERROR), 2.0)
        elif selected or self._link_target:
            border = QPen(QColor(style.ACCENT), 2.0)
        else:
            border = QPen(QColor(style.BORDER), 1.0)
        painter.setPen(border)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._body)

        if lod >= 0.35:
            if not self._laid_out:
                self._layout_texts()
            self._paint_texts(painter, rect)
        self._paint_ports(painter)

    def _paint_texts(self, painter: QPainter, rect: QRectF) -> None:
        title_font, params_font, small_font, mono_font = self._fonts
        left = rect.left() + STRIP + PADDING
        width = rect.right() - PADDING - left
        painter.setFont(title_font)
        painter.setPen(QColor(style.TEXT))
        painter.drawText(QRectF(left, rect.top() + 6, width, 18), Qt.AlignLeft | Qt.AlignVCenter, self._title)
        if self._title_params:
            painter.setFont(params_font)
            painter.drawText(
                QRectF(left + self._title_width, rect.top() + 6, width - self._title_width, 18),
                Qt.AlignLeft | Qt.AlignVCenter,
                self._title_params,
            )
        painter.setFont(small_font)
        painter.setPen(QColor(style.MUTED))
        painter.drawText(QRectF(left, rect.top() + 23, width, 16), Qt.AlignLeft | Qt.AlignVCenter, self._subtitle)
        bottom = QRectF(left, rect.top() + 40, width, 18)
        if self.size_text:
            painter.drawText(bottom, Qt.AlignRight | Qt.AlignVCenter, self.size_text)
        painter.setFont(mono_font)
        painter.setPen(QColor(style.ERROR if self._errors else style.SHAPE_TEXT))
        painter.drawText(bottom, Qt.AlignLeft | Qt.AlignVCenter, self._shape)
        if self._warnings and not self._errors:
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(style.WARNING))
            painter.drawEllipse(QPointF(rect.right() - 10, rect.top() + 10), 3.5, 3.5)

    def _paint_ports(self, painter: QPainter) -> None:
        for port in (IN, OUT):
            if port == IN and self.is_input:
                continue
            hovered = self._hover_port == port or (self._link_target and port == IN)
            painter.setPen(QPen(QColor(style.ACCENT) if hovered else self.color.darker(110), 1.5))
            painter.setBrush(QColor(style.ACCENT) if hovered else QColor("#ffffff"))
            port_rect = self._port_rect(port)
            painter.drawRoundedRect(port_rect, PORT_RADIUS, PORT_RADIUS)

    # ----- interaction
    def set_link_target(self, on: bool) -> None:
        """Highlight as the node a connection being dragged would attach to."""
        if on != self._link_target:
            self._link_target = on
            self.update()

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hovered = True
        self.setToolTip(self.tooltip_html())  # built when needed, not for every card of a big network
        self.hoverMoveEvent(event)

    def hoverMoveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        port = self.port_at(event.pos())
        if port != self._hover_port:
            self._hover_port = port
            self.setCursor(Qt.CrossCursor if port else Qt.OpenHandCursor)
            self.update()

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._hovered = False
        self._hover_port = None
        self.update()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        port = self.port_at(event.pos()) if event.button() == Qt.LeftButton else None
        if port is not None:
            self._linking_from = port
            self.scene().begin_link(self, port, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._linking_from:
            self.scene().update_link(event.scenePos())
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self._linking_from:
            self._linking_from = None
            self.scene().finish_link(event.scenePos())
            return
        super().mouseReleaseEvent(event)
