"""The Designer driven with the mouse and keyboard, as a person would."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import double_click, drag, wait_analysis

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import load_template
from cnnstudio.ui.designer.node_item import HEIGHT, NodeItem


def _palette_drag_to_canvas(window, layer_type: str, canvas_point: QPoint) -> None:
    """Drag `layer_type` from the palette tree to `canvas_point` (canvas viewport coordinates)."""
    designer = window.designer
    tree = designer.palette.tree
    item = tree.layer_items()[layer_type]
    tree.scrollToItem(item)
    start = tree.visualItemRect(item).center()
    viewport = designer.view.viewport()
    end = tree.viewport().mapFrom(window, viewport.mapTo(window, canvas_point))
    drag(tree.viewport(), start, end, steps=8)


def _small_graph(window) -> None:
    """Input 1×28×28 → conv1 (Conv2d 6 · 5×5) → relu1 → flatten → fc (Linear 10)."""
    graph = NetworkGraph("Small")
    graph.add_node("Input", {"channels": 1, "height": 28, "width": 28}, (0, 0), "input")
    graph.add_node("Conv2d", {"out_channels": 6, "kernel_size": 5}, (0, 96), "conv1")
    graph.add_node("ReLU", {}, (0, 192), "relu1")
    graph.add_node("Flatten", {}, (0, 288), "flatten")
    graph.add_node("Linear", {"out_features": 10}, (0, 384), "fc")
    for src, dst in (("input", "conv1"), ("conv1", "relu1"), ("relu1", "flatten"), ("flatten", "fc")):
        graph.connect(src, dst)
    window.load_graph(graph, None)


def test_first_start_shows_lenet_analysed(window):
    designer = window.designer
    assert window.document.graph.name == "LeNet-5"
    assert set(designer.scene.nodes) == set(window.document.graph.nodes)
    assert len(designer.scene.edges) == len(window.document.graph.edges)
    assert all(item.shape_text not in ("…", "?") for item in designer.scene.nodes.values())
    assert designer.scene.nodes["conv1"].shape_text == "6×28×28"
    assert "Valid" in window.validity_label.text()
    assert "61,706" in window.totals_label.text()
    assert window.device_label.text() == "Device: cpu" or "cuda" in window.device_label.text()
    assert not window.isWindowModified()
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == [
        "Designer",
        "Data",
        "Training",
        "Experiments",
        "Inspect",
        "Webcam",
        "Deploy",
    ]


def test_drag_conv2d_from_palette_onto_canvas(window, qtbot):
    view = window.designer.view
    target = QPoint(view.viewport().width() // 2 + 300, view.viewport().height() // 2)
    before = set(window.document.graph.nodes)
    _palette_drag_to_canvas(window, "Conv2d", target)
    added = set(window.document.graph.nodes) - before
    assert len(added) == 1
    node = window.document.graph.nodes[added.pop()]
    assert node.type == "Conv2d"
    dropped_at = view.mapToScene(target)
    assert abs(node.pos[0] - dropped_at.x()) <= 1 and abs(node.pos[1] - dropped_at.y()) <= 1
    assert window.designer.scene.selected_node_ids() == [node.id]
    assert window.designer.inspector.node_id == node.id
    window.document.undo_stack.undo()
    assert node.id not in window.document.graph.nodes and node.id not in window.designer.scene.nodes


def test_a_layer_dropped_off_the_canvas_shows_no_drop_and_clears_the_palette(window, qtbot):
    designer = window.designer
    tree = designer.palette.tree
    item = tree.layer_items()["Conv2d"]
    tree.scrollToItem(item)
    start = tree.visualItemRect(item).center()
    problems = designer.problems.viewport()
    on_problems = tree.viewport().mapFrom(window, problems.mapTo(window, problems.rect().center()))
    on_canvas = tree.viewport().mapFrom(window, designer.view.viewport().mapTo(window, QPoint(40, 200)))
    before = set(window.document.graph.nodes)
    QTest.mousePress(tree.viewport(), Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(tree.viewport(), start + QPoint(0, 20))
    assert QApplication.overrideCursor().shape() == Qt.ForbiddenCursor  # over the palette
    QTest.mouseMove(tree.viewport(), on_canvas)
    assert QApplication.overrideCursor().shape() == Qt.ClosedHandCursor
    QTest.mouseMove(tree.viewport(), on_problems)
    assert QApplication.overrideCursor().shape() == Qt.ForbiddenCursor
    QTest.mouseRelease(tree.viewport(), Qt.LeftButton, Qt.NoModifier, on_problems)
    assert set(window.document.graph.nodes) == before
    assert QApplication.overrideCursor() is None
    assert tree.selectedItems() == [] and tree.currentItem() is None
    assert "drop a layer on the canvas" in window.statusBar().currentMessage()


def test_connect_by_dragging_between_ports_then_shapes_follow(window, qtbot):
    _small_graph(window)
    wait_analysis(qtbot, window)
    designer, graph = window.designer, window.document.graph
    # a new Conv2d between relu1 and flatten: drop it, then wire it with two port drags
    view = designer.view
    relu = designer.scene.nodes["relu1"]
    _palette_drag_to_canvas(window, "Conv2d", view.mapFromScene(relu.pos() + QPointF(300, 0)))
    new_id = designer.scene.selected_node_ids()[0]
    graph_edges_before = graph.edges
    designer.controller.disconnect("relu1", "flatten")
    new_item = designer.scene.nodes[new_id]
    drag(view.viewport(), view.mapFromScene(relu.output_point()), view.mapFromScene(new_item.pos()))
    assert ("relu1", new_id) in graph.edges
    flatten = designer.scene.nodes["flatten"]
    drag(view.viewport(), view.mapFromScene(flatten.input_point()), view.mapFromScene(new_item.pos()))
    assert (new_id, "flatten") in graph.edges
    wait_analysis(qtbot, window)
    assert new_item.shape_text == "16×22×22"  # 16 filters of 3×3 on 6×24×24
    assert designer.scene.edges[(new_id, "flatten")].label == "16×22×22"
    assert designer.scene.nodes["flatten"].shape_text == str(16 * 22 * 22)
    # the new edges are undoable like everything else
    for _ in range(3):
        window.document.undo_stack.undo()
    assert graph.edges == graph_edges_before


def test_kernel_size_typed_in_inspector_updates_shapes_downstream(window, qtbot):
    designer = window.designer
    view = designer.view
    conv1 = designer.scene.nodes["conv1"]
    view.centerOn(conv1)
    QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, view.mapFromScene(conv1.pos()))
    assert designer.inspector.node_id == "conv1"
    spin = designer.inspector.editors["kernel_size"].height
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin.lineEdit(), "3")
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert window.document.graph.node("conv1").params["kernel_size"] == 3  # linked: width followed
    wait_analysis(qtbot, window)
    assert conv1.shape_text == "6×30×30"  # (28 − 3 + 2·2)/1 + 1
    assert designer.scene.nodes["pool1"].shape_text == "6×15×15"
    assert designer.scene.nodes["conv2"].shape_text == "16×11×11"
    assert designer.scene.edges[("conv1", "relu1")].label == "6×30×30"
    assert "30" in designer.inspector.arithmetic.text()
    assert window.isWindowModified()


def test_invalid_connection_is_drawn_and_listed_as_an_error(window, qtbot):
    designer = window.designer
    view = designer.view
    fc1 = designer.scene.nodes["fc1"]
    view.centerOn(fc1)
    # a Conv2d fed by fc1's vector of 120 features cannot work
    _palette_drag_to_canvas(window, "Conv2d", view.mapFromScene(fc1.pos() + QPointF(300, 0)))
    new_id = designer.scene.selected_node_ids()[0]
    conv2 = designer.scene.nodes[new_id]
    drag(view.viewport(), view.mapFromScene(fc1.output_point()), view.mapFromScene(conv2.pos()))
    assert ("fc1", new_id) in window.document.graph.edges
    wait_analysis(qtbot, window)
    assert conv2.has_error
    edge = designer.scene.edges[("fc1", new_id)]
    assert edge.is_error
    assert not designer.scene.edges[("fc1", "relu3")].is_error
    message = next(p.message for p in window.document.analysis.analysis.problems_for(new_id) if p.severity == "error")
    QTest.mouseMove(view.viewport(), QPoint(2, 2))  # hover away, then onto the failing layer
    QTest.mouseMove(view.viewport(), view.mapFromScene(conv2.pos()))
    assert message in conv2.toolTip() and message in edge.toolTip()
    assert "error" in window.validity_label.text()
    problems = designer.problems
    rows = [(problems.item(row, 0).text(), problems.item(row, 1)) for row in range(problems.rowCount())]
    conv2_rows = [layer for mark, layer in rows if layer.text() == new_id and mark == "✖"]
    assert conv2_rows
    assert designer.panels.tabText(0).startswith("Problems (")
    # clicking the problem selects the layer
    designer.scene.clearSelection()
    problems.scrollToItem(conv2_rows[0])
    QTest.mouseClick(problems.viewport(), Qt.LeftButton, Qt.NoModifier, problems.visualItemRect(conv2_rows[0]).center())
    assert designer.scene.selected_node_ids() == [new_id]
    # removing the bad layer makes the design valid again
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()
    wait_analysis(qtbot, window)
    assert new_id not in designer.scene.nodes and "Valid" in window.validity_label.text()


def test_double_click_in_palette_appends_after_selection(window, qtbot):
    designer = window.designer
    designer.scene.select_nodes(["fc3"])
    tree = designer.palette.tree
    item = tree.layer_items()["Softmax"]
    tree.scrollToItem(item)
    double_click(tree.viewport(), tree.visualItemRect(item).center())
    new_id = designer.scene.selected_node_ids()[0]
    graph = window.document.graph
    assert graph.node(new_id).type == "Softmax"
    assert graph.inputs_of(new_id) == ["fc3"]
    assert graph.node(new_id).pos[1] == graph.node("fc3").pos[1] + 96
    window.document.undo_stack.undo()
    assert new_id not in graph.nodes and "fc3" in graph.nodes and not graph.outputs_of("fc3")


def test_palette_search_filters_and_tooltips_explain(window):
    palette = window.designer.palette
    items = palette.tree.layer_items()
    assert "kernel_size" in items["Conv2d"].toolTip(0) and "filters" in items["Conv2d"].toolTip(0)
    palette.search.setText("pool")
    visible = {name for name, item in items.items() if not item.isHidden()}
    assert {"MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"} <= visible
    assert "Conv2d" not in visible and "ReLU" not in visible
    palette.search.clear()
    assert not any(item.isHidden() for item in items.values())


def test_nodes_show_compact_label_shape_and_size(window):
    conv1 = window.designer.scene.nodes["conv1"]
    assert conv1.label == "Conv2d 6 · 5×5 · s1 · p2"
    assert conv1.size_text == "156 params"
    assert window.designer.scene.edges[("input", "conv1")].label == "1×28×28"


def test_rubber_band_select_then_delete_key(window, qtbot):
    designer = window.designer
    view = designer.view
    graph = window.document.graph
    view.fitInView(designer.scene.itemsBoundingRect())
    relu1, pool1 = designer.scene.nodes["relu1"], designer.scene.nodes["pool1"]
    top_left = view.mapFromScene(relu1.sceneBoundingRect().topLeft() + QPointF(-60, -10))
    bottom_right = view.mapFromScene(pool1.sceneBoundingRect().bottomRight() + QPointF(60, 4))
    drag(view.viewport(), top_left, bottom_right)
    assert sorted(designer.scene.selected_node_ids()) == ["pool1", "relu1"]
    view.setFocus()
    QTest.keyClick(view, Qt.Key_Delete)
    assert "relu1" not in graph.nodes and "pool1" not in graph.nodes
    window.document.undo_stack.undo()
    assert "relu1" in graph.nodes and ("relu1", "pool1") in graph.edges


def test_select_edge_and_delete_it(window):
    designer = window.designer
    edge = designer.scene.edges[("conv1", "relu1")]
    edge.setSelected(True)
    window.actions_by_name["delete"].trigger()
    assert ("conv1", "relu1") not in window.document.graph.edges
    window.actions_by_name["undo"].trigger()
    assert window.document.graph.edges.index(("conv1", "relu1")) == 1


def test_move_node_with_mouse(window):
    designer = window.designer
    view = designer.view
    item = designer.scene.nodes["relu1"]
    old = window.document.graph.node("relu1").pos
    start = view.mapFromScene(item.pos() + QPointF(-40, -HEIGHT / 4))
    drag(view.viewport(), start, start + QPoint(150, 20))
    new = window.document.graph.node("relu1").pos
    assert new != old and abs(new[0] - item.pos().x()) < 1e-6
    edge = designer.scene.edges[("conv1", "relu1")]
    assert edge.boundingRect().contains(item.input_point())
    window.document.undo_stack.undo()
    assert window.document.graph.node("relu1").pos == old and item.pos() == QPointF(*old)


def test_copy_paste_cut_duplicate(window, qtbot):
    designer = window.designer
    graph = window.document.graph
    designer.scene.select_nodes(["conv1", "relu1"])
    window.actions_by_name["copy"].trigger()
    window.actions_by_name["paste"].trigger()
    pasted = designer.scene.selected_node_ids()
    assert len(pasted) == 2 and not set(pasted) & {"conv1", "relu1"}
    conv_copy = next(n for n in pasted if graph.node(n).type == "Conv2d")
    relu_copy = next(n for n in pasted if graph.node(n).type == "ReLU")
    assert (conv_copy, relu_copy) in graph.edges  # the edge between them came along, not the outer ones
    assert graph.node(conv_copy).params == graph.node("conv1").params
    assert graph.node(conv_copy).pos == (graph.node("conv1").pos[0] + 40, graph.node("conv1").pos[1] + 40)
    window.actions_by_name["duplicate"].trigger()
    assert len(designer.scene.selected_node_ids()) == 2 and len(graph.nodes) == 17
    window.actions_by_name["cut"].trigger()
    assert len(graph.nodes) == 15
    window.actions_by_name["paste"].trigger()
    assert len(graph.nodes) == 17
    for _ in range(4):
        window.actions_by_name["undo"].trigger()
    assert len(graph.nodes) == 13


def test_paste_of_foreign_text_is_a_message_not_an_error(window, qapp):
    qapp.clipboard().setText("hello, not a network")
    window.actions_by_name["paste"].trigger()
    assert "no layers" in window.statusBar().currentMessage()
    qapp.clipboard().setText('{"nodes": [{"id": "x", "type": 5}]}')
    window.actions_by_name["paste"].trigger()
    assert "Cannot paste" in window.statusBar().currentMessage()
    assert len(window.document.graph.nodes) == 13


def test_zoom_wheel_buttons_fit_and_select_all(window):
    view = window.designer.view
    view.set_scale(1.0)
    center = view.viewport().rect().center()
    QTest.mouseMove(view.viewport(), center)
    wheel = QWheelEvent(
        QPointF(center),
        QPointF(view.viewport().mapToGlobal(center)),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.NoButton,
        Qt.NoModifier,
        Qt.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    assert abs(view.scale_factor() - 1.2) < 1e-6
    view.overlay.buttons["zoom_out"].click()
    assert abs(view.scale_factor() - 1.0) < 1e-6
    window.actions_by_name["zoom_in"].trigger()
    assert view.overlay.zoom_label.text() == "120%"
    window.actions_by_name["fit"].trigger()
    rect = view.mapFromScene(window.designer.scene.itemsBoundingRect()).boundingRect()
    assert view.viewport().rect().adjusted(-2, -2, 2, 2).contains(rect)
    window.actions_by_name["select_all"].trigger()
    assert len(window.designer.scene.selected_node_ids()) == 13


def test_auto_arrange_puts_layers_on_the_grid_and_undoes(window):
    graph = window.document.graph
    window.designer.controller.move_layers({"relu1": (graph.node("relu1").pos, (500.0, 20.0))})
    window.designer.view.overlay.buttons["arrange"].click()
    assert graph.node("relu1").pos == (0.0, 192.0)
    assert window.designer.scene.nodes["relu1"].pos() == QPointF(0, 192)
    window.document.undo_stack.undo()
    assert graph.node("relu1").pos == (500.0, 20.0)


def test_skip_connection_bulges_around_the_layers_it_skips(make_window, qtbot):
    window = make_window()
    window.load_graph(load_template("resnet18"), None)
    wait_analysis(qtbot, window, timeout=20000)
    scene = window.designer.scene
    graph = window.document.graph
    add = next(n for n in graph.nodes.values() if n.type == "Add")
    skip_src = next(src for src in graph.inputs_of(add.id) if graph.node(src).pos[1] < graph.node(add.id).pos[1] - 96)
    path = scene.edges[(skip_src, add.id)]._path
    skipped = [
        item
        for node_id, item in scene.nodes.items()
        if node_id not in (skip_src, add.id)
        and graph.node(skip_src).pos[1] < item.pos().y() < graph.node(add.id).pos[1]
    ]
    assert skipped
    for item in skipped:
        rect = item.card_rect()
        assert not any(rect.contains(path.pointAtPercent(i / 50)) for i in range(51)), item.node_id
    assert all(isinstance(item, NodeItem) for item in skipped)
