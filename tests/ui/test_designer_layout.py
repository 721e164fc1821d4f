"""The Designer in a small window (1024×640): the zoom bar covers no layer after loading or Fit, every problem
reads in full, the inspector leaves the canvas most of the width and scrolls no editor sideways."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from ui_helpers import wait_analysis

from cnnstudio.graph.templates import load_template

SMALL = (1024, 640)


def small_window(make_window: Any, qtbot: Any) -> Any:
    """A main window of 1024×640 from the start (the default design loaded and analysed)."""
    window = make_window(start=False, resize=False)
    window.resize(*SMALL)
    window.start()
    wait_analysis(qtbot, window)
    return window


def covered_layers(designer: Any) -> list[str]:
    """The layers of which the zoom bar hides a part (in the view's coordinates)."""
    view = designer.view
    bar = view.overlay.geometry()
    offset = view.viewport().geometry().topLeft()
    return [
        node_id
        for node_id, item in designer.scene.nodes.items()
        if QRect(view.mapFromScene(item.sceneBoundingRect()).boundingRect().translated(offset)).intersects(bar)
    ]


def test_loading_and_fit_leave_the_layers_clear_of_the_zoom_bar(qtbot: Any, make_window: Any) -> None:
    window = small_window(make_window, qtbot)
    designer = window.designer
    qtbot.wait(50)  # the view is placed an event after loading
    assert covered_layers(designer) == []  # LeNet-5 is shown from its input, below the bar
    designer.view.fit_all()
    assert covered_layers(designer) == []
    window.load_graph(load_template("resnet18"), None)
    wait_analysis(qtbot, window)
    qtbot.wait(50)  # the view is placed an event after loading
    assert covered_layers(designer) == []


def test_the_canvas_keeps_most_of_a_small_window(qtbot: Any, make_window: Any) -> None:
    window = small_window(make_window, qtbot)
    designer = window.designer
    palette, canvas, inspector = designer.splitter.sizes()
    total = palette + canvas + inspector
    assert inspector / total <= 0.3 and canvas / total >= 0.5
    designer.scene.select_nodes(["conv1"])  # the widest editors: padding's mode and two sizes
    qtbot.wait(50)
    assert not designer.inspector.horizontalScrollBar().isVisible()


def test_problems_wrap_in_full_after_the_window_shrinks(qtbot: Any, make_window: Any) -> None:
    window = make_window()  # 1400×900
    designer = window.designer
    window.load_graph(load_template("resnet18"), None)
    designer.controller.set_param("layer2_0_downsample_0", "stride", 1)
    wait_analysis(qtbot, window)
    problems = designer.problems
    assert problems.rowCount() >= 1
    window.resize(*SMALL)
    qtbot.waitUntil(lambda: designer.width() <= SMALL[0])
    for row in range(problems.rowCount()):
        assert problems.rowHeight(row) >= problems.sizeHintForRow(row), problems.item(row, 2).text()


def test_a_restored_layout_is_kept_when_the_window_resizes(qtbot: Any, make_window: Any) -> None:
    window = small_window(make_window, qtbot)
    designer = window.designer
    designer.restore_state({"main": [300, 424, 300]})
    window.resize(1100, 640)
    qtbot.waitUntil(lambda: sum(designer.splitter.sizes()) > 1024)
    palette, _, inspector = designer.splitter.sizes()
    assert (palette, inspector) == (300, 300)  # the canvas takes what the window gained


def test_the_default_layout_is_not_saved_and_follows_the_next_window(qtbot: Any, make_window: Any) -> None:
    first = small_window(make_window, qtbot)
    first.save_layout()  # as closing does: the palette and inspector kept their default shares
    second = make_window(start=False, resize=False)
    second.resize(1600, 1000)
    second.start()
    wait_analysis(qtbot, second)
    palette, canvas, inspector = second.designer.splitter.sizes()
    assert palette == 260 and inspector >= 380  # the shares of 1600 px, not the 1024 px window's sizes
