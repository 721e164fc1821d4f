"""The overview, the palette drag's edge cases, routing, and the PySide reference-count guard."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtTest import QTest
from ui_helpers import drag

from cnnstudio.graph.templates import load_template
from cnnstudio.ui.designer.routing import route


def test_many_void_qt_calls_do_not_exhaust_none():
    """PySide6 6.12 on Python 3.11 drops a reference to None per void call; 10⁶ calls would abort the
    interpreter without cnnstudio.ui's guard."""
    point = QPointF()
    for _ in range(300_000):
        point.setX(1.0)
    assert sys.getrefcount(None) > 1000  # reaching this line at all is the point


def test_overview_appears_for_a_tall_design_and_moves_the_view(make_window, qtbot):
    window = make_window()
    view = window.designer.view
    with qtbot.waitSignal(view.zoom_changed):  # loading shows the design once the event loop runs
        window.load_graph(load_template("resnet18"), None)
    view.set_scale(1.0)
    view.centerOn(window.designer.scene.nodes["input"])
    minimap = view.minimap
    # shown, with the design's tall proportions
    qtbot.waitUntil(lambda: minimap.isVisible() and minimap.width() < minimap.height(), timeout=3000)
    before = view.mapToScene(view.viewport().rect().center())
    QTest.mouseClick(
        minimap.viewport(),
        Qt.LeftButton,
        Qt.NoModifier,
        QPoint(minimap.viewport().width() // 2, minimap.viewport().height() - 5),
    )
    after = view.mapToScene(view.viewport().rect().center())
    assert after.y() > before.y() + 1000  # jumped towards the output
    view.fit_all()
    qtbot.waitUntil(lambda: not minimap.isVisible(), timeout=3000)


def test_palette_drag_cancelled_with_escape_or_dropped_outside_adds_nothing(window):
    tree = window.designer.palette.tree
    item = tree.layer_items()["Dropout"]
    start = tree.visualItemRect(item).center()
    count = len(window.document.graph.nodes)
    QTest.mousePress(tree.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(tree.viewport(), start + QPoint(30, 0))
    QTest.mouseMove(tree.viewport(), start + QPoint(60, 0))
    QTest.keyClick(tree, Qt.Key_Escape)
    QTest.mouseRelease(tree.viewport(), Qt.LeftButton, Qt.NoModifier, start + QPoint(400, 0))
    assert len(window.document.graph.nodes) == count
    # dropped on the palette itself (not a drop target): nothing happens
    drag(tree.viewport(), start, start + QPoint(0, 40))
    assert len(window.document.graph.nodes) == count


def test_route_is_a_smooth_curve_unless_layers_are_in_the_way():
    start, end = QPointF(0, 32), QPointF(0, 64)
    path, lane = route(start, end, lambda rect: [])
    assert lane is None and path.elementCount() == 4  # one cubic segment
    blocker = QRectF(-106, 160, 212, 64)
    start, end = QPointF(0, 32), QPointF(0, 400)
    path, lane = route(start, end, lambda rect: [blocker] if rect.intersects(blocker) else [])
    assert lane is not None and abs(lane.x()) > 106
    assert not any(blocker.contains(path.pointAtPercent(i / 100)) for i in range(101))
    assert path.pointAtPercent(0) == start and path.pointAtPercent(1) == end
