"""Undoable edits of a NetworkGraph. Each command calls only NetworkGraph methods; views follow its events.

A command's first `redo()` happens when it is pushed onto the QUndoStack, so a command is the one
and only way the designer changes the graph.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from cnnstudio.graph.network import NetworkGraph, Node, RemovedNode

Position = tuple[float, float]

_SET_PARAM_ID = 1001


class AddNodeCommand(QUndoCommand):
    def __init__(
        self, graph: NetworkGraph, layer_type: str, pos: Position, node_id: str, params: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"Add {layer_type}")
        self.graph, self.layer_type, self.pos, self.node_id = graph, layer_type, pos, node_id
        self.params = dict(params or {})

    def redo(self) -> None:
        self.graph.add_node(self.layer_type, self.params, self.pos, self.node_id)

    def undo(self) -> None:
        self.graph.remove_node(self.node_id)


class RemoveNodeCommand(QUndoCommand):
    """Delete a node with its connections; undo puts both back exactly (edge order included)."""

    def __init__(self, graph: NetworkGraph, node_id: str) -> None:
        super().__init__(f"Delete {node_id}")
        self.graph, self.node_id = graph, node_id
        self._removed: RemovedNode | None = None

    def redo(self) -> None:
        self._removed = self.graph.remove_node(self.node_id)

    def undo(self) -> None:
        assert self._removed is not None
        self.graph.restore_node(self._removed)


class ConnectCommand(QUndoCommand):
    def __init__(self, graph: NetworkGraph, src: str, dst: str, index: int | None = None) -> None:
        super().__init__(f"Connect {src} → {dst}")
        self.graph, self.src, self.dst, self.index = graph, src, dst, index

    def redo(self) -> None:
        self.graph.connect(self.src, self.dst, self.index)

    def undo(self) -> None:
        self.graph.disconnect(self.src, self.dst)


class DisconnectCommand(QUndoCommand):
    def __init__(self, graph: NetworkGraph, src: str, dst: str) -> None:
        super().__init__(f"Disconnect {src} → {dst}")
        self.graph, self.src, self.dst = graph, src, dst
        self._index: int | None = None

    def redo(self) -> None:
        self._index = self.graph.disconnect(self.src, self.dst)

    def undo(self) -> None:
        self.graph.connect(self.src, self.dst, self._index)


class SetParamCommand(QUndoCommand):
    """Set one parameter (None: back to the catalog default).

    Consecutive changes of the same parameter (spin box arrows) merge into one undo step.
    """

    def __init__(self, graph: NetworkGraph, node_id: str, name: str, value: Any) -> None:
        super().__init__(f"Set {node_id}.{name}")
        self.graph, self.node_id, self.name, self.value = graph, node_id, name, value
        self.old = graph.node(node_id).params.get(name)

    def id(self) -> int:
        return _SET_PARAM_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetParamCommand) or (other.node_id, other.name) != (self.node_id, self.name):
            return False
        self.value = other.value
        return True

    def redo(self) -> None:
        self.graph.set_param(self.node_id, self.name, self.value)

    def undo(self) -> None:
        self.graph.set_param(self.node_id, self.name, self.old)


class RenameNodeCommand(QUndoCommand):
    def __init__(self, graph: NetworkGraph, old_id: str, new_id: str) -> None:
        super().__init__(f"Rename {old_id} to {new_id}")
        self.graph, self.old_id, self.new_id = graph, old_id, new_id

    def redo(self) -> None:
        self.graph.rename_node(self.old_id, self.new_id)

    def undo(self) -> None:
        self.graph.rename_node(self.new_id, self.old_id)


class SetTrainableCommand(QUndoCommand):
    def __init__(self, graph: NetworkGraph, node_id: str, trainable: bool) -> None:
        super().__init__(f"{'Unfreeze' if trainable else 'Freeze'} {node_id}")
        self.graph, self.node_id, self.trainable = graph, node_id, trainable

    def redo(self) -> None:
        self.graph.set_trainable(self.node_id, self.trainable)

    def undo(self) -> None:
        self.graph.set_trainable(self.node_id, not self.trainable)


class MoveNodesCommand(QUndoCommand):
    """Move nodes (a drag, or auto-arrange); `moves` maps node id → (old position, new position)."""

    def __init__(self, graph: NetworkGraph, moves: dict[str, tuple[Position, Position]], text: str = "") -> None:
        super().__init__(text or (f"Move {next(iter(moves))}" if len(moves) == 1 else f"Move {len(moves)} layers"))
        self.graph, self.moves = graph, moves

    def _apply(self, which: int) -> None:
        with self.graph.batch():
            for node_id, positions in self.moves.items():
                self.graph.move_node(node_id, positions[which])

    def redo(self) -> None:
        self._apply(1)

    def undo(self) -> None:
        self._apply(0)


class AddSubgraphCommand(QUndoCommand):
    """Add several nodes and the edges among them at once (paste, duplicate) — one `changed` event."""

    def __init__(self, graph: NetworkGraph, nodes: list[Node], edges: list[tuple[str, str]], text: str) -> None:
        super().__init__(text)
        self.graph, self.nodes, self.edges = graph, nodes, edges

    def redo(self) -> None:
        with self.graph.batch():
            for node in self.nodes:
                self.graph.add_node(node.type, dict(node.params), node.pos, node.id, node.trainable)
            for src, dst in self.edges:
                self.graph.connect(src, dst)

    def undo(self) -> None:
        with self.graph.batch():
            for node in reversed(self.nodes):
                self.graph.remove_node(node.id)


class ReplaceGraphCommand(QUndoCommand):
    """Replace the whole design (load a template, import a model); undo brings the old one back."""

    def __init__(self, graph: NetworkGraph, new: NetworkGraph, text: str) -> None:
        super().__init__(text)
        self.graph, self.new, self.old = graph, new.copy(), graph.copy()

    def redo(self) -> None:
        self.graph.replace_with(self.new)

    def undo(self) -> None:
        self.graph.replace_with(self.old)


class MacroCommand(QUndoCommand):
    """Several commands as one undo step (delete a selection, cut, append), with one `changed` event.

    The commands are kept here rather than as Qt child commands, so their Python objects (which
    implement redo/undo) live exactly as long as the macro.
    """

    def __init__(self, graph: NetworkGraph, text: str, commands: list[QUndoCommand] | None = None) -> None:
        super().__init__(text)
        self.graph = graph
        self.commands = list(commands or [])

    def redo(self) -> None:
        with self.graph.batch():
            for command in self.commands:
                command.redo()

    def undo(self) -> None:
        with self.graph.batch():
            for command in reversed(self.commands):
                command.undo()
