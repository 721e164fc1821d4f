"""The canvas scene: one NodeItem per node and one EdgeItem per edge, kept in step with NetworkGraph events.

The scene never changes the graph. What the user does with the mouse (drag a connection between
ports, move layers) is reported as signals; the designer turns them into undoable commands, whose
graph events then update the items.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSceneMouseEvent

from cnnstudio.graph.layout import ROW_SPACING
from cnnstudio.graph.network import NetworkGraph, Node
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui import style
from cnnstudio.ui.designer.edge_item import EdgeItem
from cnnstudio.ui.designer.node_item import HEIGHT, OUT, NodeItem

GRID = 24.0

Position = tuple[float, float]


class NetworkScene(QGraphicsScene):
    """Shows a NetworkGraph and its analysis."""

    link_requested = Signal(str, str)  # src, dst: the user dragged a connection
    nodes_dragged = Signal(dict)  # node id → (old position, new position)

    def __init__(self, graph: NetworkGraph, parent: object = None) -> None:
        super().__init__(parent)
        # Items are added, removed and moved all the time (whole designs are replaced, edges re-routed):
        # Qt recommends no BSP index for such scenes, and a few thousand items scan fast.
        self.setItemIndexMethod(QGraphicsScene.NoIndex)
        self.graph = graph
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self.analysis: NetworkAnalysis | None = None
        self._link_item: QGraphicsPathItem | None = None
        self._link_source: tuple[NodeItem, str] | None = None
        self._link_target: NodeItem | None = None
        self._rebuilding = False
        self._rows: dict[int, list[tuple[str, QRectF]]] | None = None  # see obstacles()
        self._moved: set[str] = set()
        self._reroute_timer = QTimer(self, singleShot=True, interval=0)
        self._reroute_timer.timeout.connect(self._reroute_moved)
        graph.node_added.connect(self._node_added)
        graph.node_removed.connect(self._node_removed)
        graph.edge_added.connect(self._edge_added)
        graph.edge_removed.connect(self._edge_removed)
        graph.param_changed.connect(lambda node_id, name, value: self._refresh_node(node_id))
        graph.trainable_changed.connect(lambda node_id, trainable: self._refresh_node(node_id))
        graph.node_moved.connect(self._node_moved)
        graph.node_renamed.connect(self._node_renamed)
        graph.reset.connect(self.rebuild)
        self.rebuild()

    # ----- following the graph
    def rebuild(self) -> None:
        """Recreate every item (after the whole graph was replaced)."""
        self._rebuilding = True
        self.clearSelection()
        for item in list(self.nodes.values()) + list(self.edges.values()):
            self.removeItem(item)
        self.nodes.clear()
        self.edges.clear()
        for node in self.graph.nodes.values():
            self._node_added(node)
        for src, dst in self.graph.edges:
            self.edges[(src, dst)] = self._new_edge(src, dst)
        self._rebuilding = False
        self.reroute_all()
        if self.analysis is not None:
            self.apply_analysis(self.analysis)
        self._update_scene_rect()

    def _new_edge(self, src: str, dst: str) -> EdgeItem:
        edge = EdgeItem(src, dst)
        self.addItem(edge)
        return edge

    def _node_added(self, node: Node) -> None:
        item = NodeItem(node)
        item.setPos(QPointF(*node.pos))
        self.addItem(item)
        self.nodes[node.id] = item
        self._rows = None
        if not self._rebuilding:
            self._update_scene_rect()

    def _node_removed(self, node_id: str) -> None:
        item = self.nodes.pop(node_id)
        self.removeItem(item)
        self._rows = None

    def _edge_added(self, src: str, dst: str) -> None:
        if self._rebuilding:
            return
        self.edges[(src, dst)] = self._new_edge(src, dst)
        self._reroute_into(dst)
        self._apply_edge_state(self.edges[(src, dst)])

    def _edge_removed(self, src: str, dst: str) -> None:
        edge = self.edges.pop((src, dst))
        self.removeItem(edge)
        if dst in self.nodes:
            self._reroute_into(dst)

    def _refresh_node(self, node_id: str) -> None:
        self.nodes[node_id].refresh(self.graph.node(node_id))

    def _node_moved(self, node_id: str, pos: Position) -> None:
        item = self.nodes[node_id]
        if item.pos() != QPointF(*pos):
            item.setPos(QPointF(*pos))
            self._edges_follow([node_id])

    def _node_renamed(self, old_id: str, new_id: str) -> None:
        item = self.nodes.pop(old_id)
        self.nodes[new_id] = item
        item.refresh(self.graph.node(new_id))
        for src, dst in list(self.edges):
            if old_id in (src, dst):
                edge = self.edges.pop((src, dst))
                edge.src = new_id if src == old_id else src
                edge.dst = new_id if dst == old_id else dst
                self.edges[(edge.src, edge.dst)] = edge

    # ----- analysis
    def apply_analysis(self, analysis: NetworkAnalysis) -> None:
        """Show shapes, sizes and errors from an analysis (it may describe a slightly older graph)."""
        self.analysis = analysis
        problems: dict[str, list] = {}
        for problem in analysis.problems:
            if problem.node:
                problems.setdefault(problem.node, []).append(problem)
        for node_id, item in self.nodes.items():
            item.set_analysis(analysis.nodes.get(node_id), problems.get(node_id, []))
        for edge in self.edges.values():
            self._apply_edge_state(edge)

    def _apply_edge_state(self, edge: EdgeItem) -> None:
        if self.analysis is None:
            return
        source = self.analysis.nodes.get(edge.src)
        target, origin = self.nodes.get(edge.dst), self.nodes.get(edge.src)
        shape = source.output_shape if source else None
        error = None
        # red where the error arises: into a failing layer from one that works (or that fails too, as
        # on a cycle), not on the edges downstream that merely carry no shape
        if target is not None and target.has_error and (shape is not None or (origin and origin.has_error)):
            error = "; ".join(p.message for p in self.analysis.problems_for(edge.dst)) or "invalid connection"
        edge.set_state(shape, error)

    # ----- geometry
    def obstacles(self, rect: QRectF, exclude: tuple[str, ...] = ()) -> list[QRectF]:
        """Card rectangles of the layers that intersect `rect`, except `exclude`.

        Cards are bucketed by row, so a query looks at the few rows it spans, not at every item
        (and calls no Python boundingRect(), as a scene query would).
        """
        if self._rows is None:
            self._rows = {}
            for node_id, item in self.nodes.items():
                card = item.card_rect()
                self._rows.setdefault(int(card.center().y() // ROW_SPACING), []).append((node_id, card))
        first = int((rect.top() - HEIGHT) // ROW_SPACING)
        last = int((rect.bottom() + HEIGHT) // ROW_SPACING)
        return [
            card
            for row in range(first, last + 1)
            for node_id, card in self._rows.get(row, ())
            if node_id not in exclude and card.intersects(rect)
        ]

    def _route(self, edge: EdgeItem, inputs: list[str] | None = None) -> None:
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if src is None or dst is None:
            return
        inputs = self.graph.inputs_of(edge.dst) if inputs is None else inputs
        index = inputs.index(edge.src) if edge.src in inputs else 0
        ends = (edge.src, edge.dst)
        edge.update_path(
            src.output_point(),
            dst.input_point(index, len(inputs)),
            lambda rect: self.obstacles(rect, ends),
            label_at_start=dst.is_merge,
        )

    def _reroute_into(self, dst: str) -> None:
        for src in self.graph.inputs_of(dst):
            if (src, dst) in self.edges:
                self._route(self.edges[(src, dst)])

    def _inputs(self) -> dict[str, list[str]]:
        """Every node's inputs in order, in one pass over the edges."""
        inputs: dict[str, list[str]] = {}
        for src, dst in self.graph.edges:
            inputs.setdefault(dst, []).append(src)
        return inputs

    def reroute_all(self) -> None:
        self._rows = None
        inputs = self._inputs()
        for edge in self.edges.values():
            self._route(edge, inputs.get(edge.dst, []))

    def _edges_follow(self, node_ids: list[str]) -> None:
        """Re-route the edges of layers that moved (once per event-loop pass, so moving hundreds of
        layers at once — auto-arrange — re-routes each edge once)."""
        self._moved.update(node_ids)
        self._reroute_timer.start()

    def _reroute_moved(self) -> None:
        moved, self._moved = self._moved, set()
        self._rows = None
        inputs = self._inputs()
        for (src, dst), edge in self.edges.items():
            if src in moved or dst in moved:
                self._route(edge, inputs.get(dst, []))

    def _update_scene_rect(self) -> None:
        """Room around the design so it can be panned and dropped beside."""
        bounds = self.itemsBoundingRect()
        self.setSceneRect(bounds.adjusted(-2000, -2000, 2000, 2000))

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, QColor(style.CANVAS))
        scale = painter.worldTransform().m11()
        if scale < 0.3:
            return
        painter.setPen(QPen(QColor(style.CANVAS_GRID), 2.0 / max(scale, 0.01)))
        left = int(rect.left() // GRID) * GRID
        top = int(rect.top() // GRID) * GRID
        points = []
        y = top
        while y < rect.bottom():
            x = left
            while x < rect.right():
                points.append(QPointF(x, y))
                x += GRID
            y += GRID
        painter.drawPoints(points)

    # ----- selection
    def selected_node_ids(self) -> list[str]:
        return [item.node_id for item in self.selectedItems() if isinstance(item, NodeItem)]

    def selected_edges(self) -> list[tuple[str, str]]:
        return [(item.src, item.dst) for item in self.selectedItems() if isinstance(item, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    # ----- connection dragging (started by a NodeItem port)
    def begin_link(self, item: NodeItem, port: str, scene_pos: QPointF) -> None:
        self._link_source = (item, port)
        self._link_item = QGraphicsPathItem()
        self._link_item.setPen(QPen(QColor(style.ACCENT), 2.0, Qt.DashLine, Qt.RoundCap))
        self._link_item.setZValue(5.0)
        self.addItem(self._link_item)
        self.update_link(scene_pos)

    def _node_at(self, scene_pos: QPointF) -> NodeItem | None:
        assert self._link_source is not None
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem) and item is not self._link_source[0]:
                return item
        return None

    def update_link(self, scene_pos: QPointF) -> None:
        if self._link_source is None or self._link_item is None:
            return
        item, port = self._link_source
        start = item.port_point(port)
        target = self._node_at(scene_pos)
        if target is not self._link_target:
            if self._link_target is not None:
                self._link_target.set_link_target(False)
            self._link_target = target
            if target is not None:
                target.set_link_target(True)
        end = scene_pos
        if target is not None:
            end = target.input_point() if port == OUT else target.output_point()
        sign = 1.0 if port == OUT else -1.0
        bend = max(30.0, abs(end.y() - start.y()) * 0.45)
        path = QPainterPath(start)
        path.cubicTo(QPointF(start.x(), start.y() + sign * bend), QPointF(end.x(), end.y() - sign * bend), end)
        self._link_item.setPath(path)

    def finish_link(self, scene_pos: QPointF) -> None:
        """End a connection drag: a drop on another layer requests the connection."""
        if self._link_source is None:
            return
        item, port = self._link_source
        target = self._node_at(scene_pos)
        if self._link_target is not None:
            self._link_target.set_link_target(False)
        if self._link_item is not None:
            self.removeItem(self._link_item)
        self._link_item = self._link_source = self._link_target = None
        if target is not None:
            if port == OUT:
                self.link_requested.emit(item.node_id, target.node_id)
            else:
                self.link_requested.emit(target.node_id, item.node_id)

    def linking(self) -> bool:
        return self._link_source is not None

    # ----- moves
    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if isinstance(self.mouseGrabberItem(), NodeItem) and event.buttons() & Qt.LeftButton:
            self._edges_follow(self.selected_node_ids())  # the selection is being dragged

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        moves = {}
        for node_id in self.selected_node_ids():
            pos = self.nodes[node_id].pos()
            old = self.graph.node(node_id).pos
            if (pos.x(), pos.y()) != old:
                moves[node_id] = (old, (pos.x(), pos.y()))
        if moves:
            self.nodes_dragged.emit(moves)
            self._update_scene_rect()
            self.reroute_all()
