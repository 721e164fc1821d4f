"""The path of an edge: a smooth S-curve, or — when that would cross other layers — a detour lane.

A skip connection (ResNet's identity, a long Inception branch) would run straight through the layers
between its ends. It leaves its source in a short swoop, runs down a free vertical lane beside
those layers and swoops into its destination, so it never hides a layer or its label.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainterPath

LANE_MARGIN = 18.0
SWOOP = 26.0  # vertical extent of the swoop into and out of a lane (less than the gap between rows)
_SAMPLES = 24

Obstacles = Callable[[QRectF], list[QRectF]]


def _curve(start: QPointF, end: QPointF) -> QPainterPath:
    drop = end.y() - start.y()
    # Downwards, the handles meet halfway so the curve never overshoots; upwards it loops out and back.
    bend = drop * 0.5 if drop > 8 else 60.0
    path = QPainterPath(start)
    path.cubicTo(QPointF(start.x(), start.y() + bend), QPointF(end.x(), end.y() - bend), end)
    return path


def _hits(path: QPainterPath, rects: list[QRectF]) -> list[QRectF]:
    """The rectangles that the path passes through (sampled)."""
    points = [path.pointAtPercent(i / _SAMPLES) for i in range(1, _SAMPLES)]
    return [rect for rect in rects if any(rect.contains(point) for point in points)]


def _lane(x: float, top: float, bottom: float, blockers: list[QRectF], obstacles: Obstacles, side: int) -> float:
    """The first x on `side` (+1 right, −1 left) of `blockers` where a vertical run is free."""
    for _ in range(8):
        if not blockers:
            return x
        x = (
            max(r.right() for r in blockers) + LANE_MARGIN
            if side > 0
            else min(r.left() for r in blockers) - LANE_MARGIN
        )
        run = QRectF(x - 2, top, 4, max(bottom - top, 1.0))
        blockers = [rect for rect in obstacles(run) if rect.intersects(run)]
    return x


def _lane_path(start: QPointF, end: QPointF, lane: float) -> QPainterPath:
    path = QPainterPath(start)
    top, bottom = start.y() + SWOOP, end.y() - SWOOP
    path.cubicTo(
        QPointF(start.x(), start.y() + SWOOP * 0.75), QPointF(lane, start.y() + SWOOP * 0.2), QPointF(lane, top)
    )
    path.lineTo(QPointF(lane, bottom))
    path.cubicTo(QPointF(lane, end.y() - SWOOP * 0.2), QPointF(end.x(), end.y() - SWOOP * 0.75), end)
    return path


def route(start: QPointF, end: QPointF, obstacles: Obstacles) -> tuple[QPainterPath, QPointF | None]:
    """The edge path from `start` (an output port) to `end` (an input port), and the middle of its
    detour lane if it takes one (the natural place for its label).

    `obstacles(rect)` returns the rectangles of the layers (other than the two ends) near `rect`.
    """
    path = _curve(start, end)
    if end.y() - start.y() > 3 * SWOOP:
        # (widened: a straight vertical path has a zero-width bounding box, which intersects nothing)
        blockers = _hits(path, obstacles(path.boundingRect().adjusted(-1, -1, 1, 1)))
        if blockers:
            top, bottom = start.y() + SWOOP, end.y() - SWOOP
            middle = (start.x() + end.x()) / 2
            lanes = [_lane(middle, top, bottom, blockers, obstacles, side) for side in (1, -1)]
            lane = min(lanes, key=lambda x: (abs(x - middle), -x))
            return _lane_path(start, end, lane), QPointF(lane, (top + bottom) / 2)
    return path, None
