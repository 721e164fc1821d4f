"""What the user asks the designer to do, turned into undoable commands on the document's graph.

Every method builds one command (or one macro) and pushes it; a request that cannot work (connect a
layer to itself, paste something that is not a network) becomes a plain message instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QPointF, Signal
from PySide6.QtGui import QGuiApplication

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.io import NetworkFileError
from cnnstudio.graph.layout import COLUMN_SPACING, ROW_SPACING, layered_positions
from cnnstudio.graph.network import GraphEditError, default_id, id_problem
from cnnstudio.graph.params import check_param
from cnnstudio.graph.validate import output_node
from cnnstudio.ui.designer import clipboard
from cnnstudio.ui.designer.scene import NetworkScene
from cnnstudio.ui.designer.undo_commands import (
    AddNodeCommand,
    AddSubgraphCommand,
    ConnectCommand,
    DisconnectCommand,
    MacroCommand,
    MoveNodesCommand,
    RemoveNodeCommand,
    RenameNodeCommand,
    SetParamCommand,
    SetTrainableCommand,
)
from cnnstudio.ui.document import Document

PASTE_OFFSET = 40.0


class DesignerController(QObject):
    """Edits of the design through the undo stack. `message(text)` reports what could not be done."""

    message = Signal(str)

    def __init__(self, document: Document, scene: NetworkScene, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.graph = document.graph
        self.scene = scene
        self._pastes = 0
        scene.link_requested.connect(self.connect_layers)
        scene.nodes_dragged.connect(self.move_layers)

    # ----- adding
    def add_layer(self, layer_type: str, scene_pos: QPointF) -> str:
        """Place a new layer centred at `scene_pos`; returns its id and selects it."""
        node_id = self.graph.unique_id(default_id(layer_type))
        self.document.push(
            AddNodeCommand(self.graph, layer_type, (round(scene_pos.x()), round(scene_pos.y())), node_id)
        )
        self.scene.select_nodes([node_id])
        return node_id

    def append_layer(self, layer_type: str) -> str:
        """Add a layer below the selected one (or the network's output) and connect it."""
        selected = self.scene.selected_node_ids()
        anchor = selected[-1] if selected else output_node(self.graph)
        node_id = self.graph.unique_id(default_id(layer_type))
        spec = layer_spec(layer_type)
        if anchor is None:
            self.document.push(AddNodeCommand(self.graph, layer_type, (0.0, 0.0), node_id))
        else:
            x, y = self.graph.node(anchor).pos
            pos = self._free_spot(x, y + ROW_SPACING)
            macro = MacroCommand(
                self.graph, f"Append {layer_type}", [AddNodeCommand(self.graph, layer_type, pos, node_id)]
            )
            if spec is not None and not spec.is_input:
                macro.commands.append(ConnectCommand(self.graph, anchor, node_id))
            self.document.push(macro)
        self.scene.select_nodes([node_id])
        return node_id

    def _free_spot(self, x: float, y: float) -> tuple[float, float]:
        """(x, y), or the nearest spot to its right that no layer occupies."""
        taken = {(round(n.pos[0]), round(n.pos[1])) for n in self.graph.nodes.values()}
        while (round(x), round(y)) in taken:
            x += COLUMN_SPACING
        return (x, y)

    # ----- connecting
    def connect_layers(self, src: str, dst: str) -> None:
        if self.graph.has_edge(src, dst):
            self.message.emit(f"{src} is already connected to {dst}")
            return
        if src == dst:
            self.message.emit("A layer cannot be connected to itself")
            return
        try:
            self.document.push(ConnectCommand(self.graph, src, dst))
        except GraphEditError as error:
            self.message.emit(str(error))

    def disconnect(self, src: str, dst: str) -> None:
        self.document.push(DisconnectCommand(self.graph, src, dst))

    # ----- deleting
    def delete(self, node_ids: list[str], edges: list[tuple[str, str]], verb: str = "Delete") -> None:
        """Delete layers (with their connections) and connections, as one undo step."""
        if not node_ids and not edges:
            return
        doomed = set(node_ids)
        what = f"{len(node_ids)} layer{'s' if len(node_ids) != 1 else ''}" if node_ids else "connection"
        commands: list = [
            DisconnectCommand(self.graph, src, dst) for src, dst in edges if src not in doomed and dst not in doomed
        ]
        commands += [RemoveNodeCommand(self.graph, node_id) for node_id in node_ids]
        self.document.push(MacroCommand(self.graph, f"{verb} {what}", commands))

    def delete_selection(self) -> None:
        self.delete(self.scene.selected_node_ids(), self.scene.selected_edges())

    # ----- clipboard
    def copy_selection(self) -> bool:
        node_ids = self.scene.selected_node_ids()
        if not node_ids:
            self.message.emit("Select layers to copy")
            return False
        QGuiApplication.clipboard().setMimeData(clipboard.to_mime(clipboard.selection_dict(self.graph, node_ids)))
        self._pastes = 0
        return True

    def cut_selection(self) -> None:
        if self.copy_selection():
            self.delete(self.scene.selected_node_ids(), [], verb="Cut")

    def paste(self) -> None:
        data = clipboard.from_mime(QGuiApplication.clipboard().mimeData())
        if data is None:
            self.message.emit("The clipboard holds no layers to paste")
            return
        self._pastes += 1
        self._add_fragment(data, self._pastes * PASTE_OFFSET, "Paste")

    def duplicate_selection(self) -> None:
        node_ids = self.scene.selected_node_ids()
        if not node_ids:
            self.message.emit("Select layers to duplicate")
            return
        self._add_fragment(clipboard.selection_dict(self.graph, node_ids), PASTE_OFFSET, "Duplicate")

    def _add_fragment(self, data: dict, offset: float, verb: str) -> None:
        try:
            nodes, edges = clipboard.nodes_to_add(data, self.graph, (offset, offset))
        except NetworkFileError as error:
            self.message.emit(f"Cannot paste: {error}")
            return
        if not nodes:
            return
        text = f"{verb} {len(nodes)} layer{'s' if len(nodes) != 1 else ''}"
        self.document.push(AddSubgraphCommand(self.graph, nodes, edges, text))
        self.scene.select_nodes([node.id for node in nodes])

    # ----- moving
    def move_layers(self, moves: dict) -> None:
        self.document.push(MoveNodesCommand(self.graph, moves))

    def arrange(self) -> None:
        """Auto-arrange: the layered top-down layout, as one undoable move."""
        moves = {
            node_id: (self.graph.node(node_id).pos, pos)
            for node_id, pos in layered_positions(self.graph).items()
            if self.graph.node(node_id).pos != pos
        }
        if moves:
            self.document.push(MoveNodesCommand(self.graph, moves, "Auto-arrange"))

    # ----- properties
    def set_param(self, node_id: str, name: str, value: Any) -> str | None:
        """Set a parameter if the value is valid; returns the problem otherwise."""
        spec = layer_spec(self.graph.node(node_id).type)
        param_spec = spec.param(name) if spec else None
        if param_spec is None:
            return f"{name} is not a parameter of this layer"
        problem = check_param(param_spec, value)
        if problem:
            return problem
        if self.graph.node(node_id).param(name) != value:
            self.document.push(SetParamCommand(self.graph, node_id, name, value))
        return None

    def rename(self, node_id: str, new_id: str) -> str | None:
        """Rename a layer; returns the problem if the name is not usable."""
        if new_id == node_id:
            return None
        problem = id_problem(new_id)
        if problem is None and new_id in self.graph.nodes:
            problem = f"a layer named {new_id!r} already exists"
        if problem:
            return problem
        self.document.push(RenameNodeCommand(self.graph, node_id, new_id))
        self.scene.select_nodes([new_id])
        return None

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        if self.graph.node(node_id).trainable != trainable:
            self.document.push(SetTrainableCommand(self.graph, node_id, trainable))
