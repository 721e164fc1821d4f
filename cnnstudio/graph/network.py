"""NetworkGraph: the network as data (nodes, ordered edges, parameters, positions) with change events.

Every edit goes through a method here and emits an event, so views (the designer canvas, the
inspector, the analysis table) follow the model, and undo commands can call the inverse method.
"""

from __future__ import annotations

import contextlib
import copy
import heapq
import keyword
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.events import Signal
from cnnstudio.graph.params import normalize

# Names a node id may not take: it becomes a submodule name of a torch.nn.Module / fx.GraphModule and
# a variable in the generated source. (tests/build checks this covers torch.nn.Module's attributes.)
RESERVED_IDS = frozenset(
    [
        "T_destination",
        "add_module",
        "apply",
        "bfloat16",
        "buffers",
        "call_super_init",
        "children",
        "compile",
        "cpu",
        "cuda",
        "double",
        "dump_patches",
        "eval",
        "extra_repr",
        "float",
        "forward",
        "get_buffer",
        "get_extra_state",
        "get_parameter",
        "get_submodule",
        "half",
        "ipu",
        "load_state_dict",
        "modules",
        "mtia",
        "named_buffers",
        "named_children",
        "named_modules",
        "named_parameters",
        "parameters",
        "register_backward_hook",
        "register_buffer",
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "register_full_backward_pre_hook",
        "register_load_state_dict_post_hook",
        "register_load_state_dict_pre_hook",
        "register_module",
        "register_parameter",
        "register_state_dict_post_hook",
        "register_state_dict_pre_hook",
        "requires_grad_",
        "set_extra_state",
        "set_submodule",
        "share_memory",
        "state_dict",
        "to",
        "to_empty",
        "train",
        "type",
        "xpu",
        "zero_grad",
        "training",
        "graph",
        "code",
        "meta",
        "recompile",
        "print_readable",
        "to_folder",
        "add_submodule",
        "delete_submodule",
        "delete_all_unused_submodules",
        "self",
        "torch",
        "nn",
    ]
)

_ID_TAIL = re.compile(r"^(.*?)(\d+)$")

# What a design's outputs mean: one class per image (softmax, cross-entropy), or any number of labels per
# image (one sigmoid per label, binary cross-entropy). Files without a "task" are single-label.
SINGLE_LABEL = "single-label"
MULTI_LABEL = "multi-label"
TASKS = (SINGLE_LABEL, MULTI_LABEL)


def task_problem(task: Any) -> str | None:
    """Why `task` cannot be a design's task, or None if it can."""
    if task not in TASKS:
        return f"task must be {' or '.join(repr(t) for t in TASKS)}, not {task!r}"
    return None


def id_problem(node_id: Any) -> str | None:
    """Why `node_id` cannot name a node, or None if it can."""
    if not isinstance(node_id, str) or not node_id.isidentifier():
        return f"node id {node_id!r} must be a Python identifier (letters, digits, _; not starting with a digit)"
    if keyword.iskeyword(node_id) or node_id in RESERVED_IDS or node_id.startswith("_"):
        return f"node id {node_id!r} is reserved; choose another name"
    normal = unicodedata.normalize("NFKC", node_id)
    if normal != node_id:  # Python reads identifiers in NFKC: the generated code would name another module
        return f"node id {node_id!r} reads as {normal!r} in Python code; name it {normal!r}"
    return None


def sanitize_id(text: str) -> str:
    """Turn arbitrary text into a valid node id ('layer1.0.conv1' → 'layer1_0_conv1')."""
    candidate = re.sub(r"\W", "_", unicodedata.normalize("NFKC", text)).strip("_") or "node"
    if candidate[0].isdigit():
        candidate = "n" + candidate
    if id_problem(candidate):  # a keyword or reserved name: 'eval' → 'eval_'
        candidate += "_"
    return candidate


@dataclass
class Node:
    """A layer placed in the network. `params` holds only values that were set explicitly."""

    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    pos: tuple[float, float] = (0.0, 0.0)
    trainable: bool = True

    def param(self, name: str) -> Any:
        """The value of a parameter: the explicit one, else the catalog default."""
        if name in self.params:
            return self.params[name]
        spec = layer_spec(self.type)
        param_spec = spec.param(name) if spec else None
        return param_spec.default if param_spec else None

    def copy(self) -> Node:
        """An independent copy; only container values are deep-copied, which is far cheaper than deepcopy
        of the whole node on the designer's hot path (a copy of the graph per edit)."""
        params = {
            name: copy.deepcopy(value) if isinstance(value, list | dict) else value
            for name, value in self.params.items()
        }
        return Node(self.id, self.type, params, self.pos, self.trainable)

    def all_params(self) -> dict[str, Any]:
        """Every catalog parameter with its effective value, plus any unknown explicit ones."""
        spec = layer_spec(self.type)
        values = spec.defaults() if spec else {}
        values.update(self.params)
        return values


@dataclass(frozen=True)
class RemovedNode:
    """Everything `restore_node` needs to undo a removal exactly: the node, its place, its edges."""

    node: Node
    position: int  # index among the nodes (their order is the file's and the tie-break of layouts)
    edges: list[tuple[int, str, str]]  # (index in the edge list, src, dst)


class GraphEditError(ValueError):
    """An edit that would break the graph's invariants (unknown node, duplicate id, ...)."""


class NetworkGraph:
    """A directed graph of layers. Edge order matters: it is the input order of Add/Concat/Mul.

    Events (Signals):
      node_added(node), node_removed(node_id), edge_added(src, dst), edge_removed(src, dst),
      param_changed(node_id, name, value), node_moved(node_id, pos), node_renamed(old_id, new_id),
      trainable_changed(node_id, trainable), task_changed(task), reset() after the whole graph was replaced, and
      changed() once after every edit or batch of edits (views that re-analyze listen to this one).
    """

    def __init__(self, name: str = "Untitled", description: str = "", task: str = SINGLE_LABEL) -> None:
        self.name = name
        self.description = description
        self.task = task
        self._nodes: dict[str, Node] = {}
        self._edges: list[tuple[str, str]] = []
        self._adjacency: _Adjacency | None = None
        self._batch_depth = 0
        self._batch_dirty = False
        self.node_added = Signal()
        self.node_removed = Signal()
        self.edge_added = Signal()
        self.edge_removed = Signal()
        self.param_changed = Signal()
        self.node_moved = Signal()
        self.node_renamed = Signal()
        self.trainable_changed = Signal()
        self.task_changed = Signal()
        self.reset = Signal()
        self.changed = Signal()

    # ----- reading
    @property
    def nodes(self) -> dict[str, Node]:
        return self._nodes

    @property
    def edges(self) -> list[tuple[str, str]]:
        return list(self._edges)

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphEditError(f"no node {node_id!r}") from None

    def has_edge(self, src: str, dst: str) -> bool:
        return dst in self._index().edge_set.get(src, ())

    def inputs_of(self, node_id: str) -> list[str]:
        """Source nodes feeding `node_id`, in input order."""
        return list(self._index().inputs.get(node_id, ()))

    def outputs_of(self, node_id: str) -> list[str]:
        return list(self._index().outputs.get(node_id, ()))

    def _index(self) -> _Adjacency:
        """The edges per node, built once per change of the edge list: reading them through a scan of all
        edges made topological_order and validation quadratic (a chain of 100,000 layers took minutes)."""
        if self._adjacency is None:
            self._adjacency = _Adjacency.of(self._edges)
        return self._adjacency

    def _set_edges(self, edges: list[tuple[str, str]]) -> None:
        self._edges = edges
        self._adjacency = None

    def unique_id(self, base: str) -> str:
        """A free node id derived from `base` ('conv' → 'conv1', 'conv1' → 'conv2' if taken)."""
        base = sanitize_id(base)
        if base not in self._nodes:
            return base
        match = _ID_TAIL.match(base)
        stem, number = (match.group(1), int(match.group(2))) if match else (base, 1)
        while f"{stem}{number}" in self._nodes:
            number += 1
        return f"{stem}{number}"

    def topological_order(self) -> list[str]:
        """Node ids so that every edge goes forward; ties keep insertion order. Nodes on cycles are omitted."""
        indegree = {node_id: 0 for node_id in self._nodes}
        for _, dst in self._edges:
            indegree[dst] += 1
        position = {node_id: index for index, node_id in enumerate(self._nodes)}
        ids = list(self._nodes)
        ready = [position[node_id] for node_id in ids if indegree[node_id] == 0]  # a heap of positions
        outputs = self._index().outputs
        order: list[str] = []
        while ready:
            current = ids[heapq.heappop(ready)]
            order.append(current)
            for dst in outputs.get(current, ()):
                indegree[dst] -= 1
                if indegree[dst] == 0:
                    heapq.heappush(ready, position[dst])
        return order

    # ----- editing
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group edits so that `changed` fires once at the end (paste, template load, arrange)."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._batch_dirty:
                self._batch_dirty = False
                self.changed.emit()

    def _changed(self) -> None:
        if self._batch_depth:
            self._batch_dirty = True
        else:
            self.changed.emit()

    def add_node(
        self,
        layer_type: str,
        params: dict[str, Any] | None = None,
        pos: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
        trainable: bool = True,
    ) -> Node:
        """Add a layer; the id defaults to a free one derived from the type ('conv1', 'relu2' …)."""
        if node_id is None:
            node_id = self.unique_id(default_id(layer_type))
        problem = id_problem(node_id)
        if problem:
            raise GraphEditError(problem)
        if node_id in self._nodes:
            raise GraphEditError(f"a node named {node_id!r} already exists")
        node = Node(
            node_id,
            layer_type,
            {k: normalize(v) for k, v in (params or {}).items()},
            (float(pos[0]), float(pos[1])),
            trainable,
        )
        self._nodes[node_id] = node
        self.node_added.emit(node)
        self._changed()
        return node

    def remove_node(self, node_id: str) -> RemovedNode:
        """Remove a node and its edges; the result lets `restore_node` undo this exactly."""
        node = self.node(node_id)
        position = list(self._nodes).index(node_id)
        removed = [(index, src, dst) for index, (src, dst) in enumerate(self._edges) if node_id in (src, dst)]
        with self.batch():
            for _, src, dst in reversed(removed):
                self.disconnect(src, dst)
            del self._nodes[node_id]
            self.node_removed.emit(node_id)
            self._changed()
        return RemovedNode(node, position, removed)

    def restore_node(self, removed: RemovedNode) -> None:
        """Undo of remove_node: the node back at its old place, its edges at their old indices."""
        node = removed.node
        with self.batch():
            self.add_node(node.type, dict(node.params), node.pos, node.id, node.trainable)
            items = list(self._nodes.items())
            items.insert(removed.position, items.pop())
            self._nodes = dict(items)
            for index, src, dst in removed.edges:
                self.connect(src, dst, index)

    def connect(self, src: str, dst: str, index: int | None = None) -> None:
        """Add the edge src → dst; `index` places it in the edge list (input order of merges)."""
        self.node(src)
        self.node(dst)
        if src == dst:
            raise GraphEditError(f"cannot connect {src!r} to itself")
        if self.has_edge(src, dst):
            raise GraphEditError(f"{src!r} is already connected to {dst!r}")
        if index is None or index >= len(self._edges):
            self._edges.append((src, dst))
            if self._adjacency is not None:
                self._adjacency.add(src, dst)
        else:
            self._edges.insert(index, (src, dst))
            self._adjacency = None
        self.edge_added.emit(src, dst)
        self._changed()

    def disconnect(self, src: str, dst: str) -> int:
        """Remove the edge src → dst; returns its former index (for undo)."""
        try:
            index = self._edges.index((src, dst))
        except ValueError:
            raise GraphEditError(f"{src!r} is not connected to {dst!r}") from None
        del self._edges[index]
        self._adjacency = None
        self.edge_removed.emit(src, dst)
        self._changed()
        return index

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        """Set a parameter; None removes an explicit value (back to the default)."""
        node = self.node(node_id)
        if value is None:
            node.params.pop(name, None)
        else:
            node.params[name] = normalize(value)
        self.param_changed.emit(node_id, name, node.param(name))
        self._changed()

    def move_node(self, node_id: str, pos: tuple[float, float]) -> None:
        node = self.node(node_id)
        node.pos = (float(pos[0]), float(pos[1]))
        self.node_moved.emit(node_id, node.pos)

    def set_trainable(self, node_id: str, trainable: bool) -> None:
        """Freeze (False) or unfreeze a layer's weights for training."""
        self.node(node_id).trainable = bool(trainable)
        self.trainable_changed.emit(node_id, bool(trainable))
        self._changed()

    def set_task(self, task: str) -> None:
        """Make the design single-label or multi-label (see TASKS). Raises GraphEditError for anything else."""
        problem = task_problem(task)
        if problem:
            raise GraphEditError(problem)
        if task != self.task:
            self.task = task
            self.task_changed.emit(task)
            self._changed()

    @property
    def multilabel(self) -> bool:
        return self.task == MULTI_LABEL

    def rename_node(self, old_id: str, new_id: str) -> None:
        """Change a node's id, keeping its edges and their order."""
        node = self.node(old_id)
        if new_id == old_id:
            return
        problem = id_problem(new_id)
        if problem:
            raise GraphEditError(problem)
        if new_id in self._nodes:
            raise GraphEditError(f"a node named {new_id!r} already exists")
        self._nodes = {(new_id if key == old_id else key): value for key, value in self._nodes.items()}
        node.id = new_id
        self._set_edges([(new_id if s == old_id else s, new_id if d == old_id else d) for s, d in self._edges])
        self.node_renamed.emit(old_id, new_id)
        self._changed()

    def replace_with(self, other: NetworkGraph) -> None:
        """Replace the whole content with a copy of `other` (template load, open, undo of those)."""
        self.name, self.description, self.task = other.name, other.description, other.task
        self._nodes = {node_id: node.copy() for node_id, node in other._nodes.items()}
        self._set_edges(list(other._edges))
        self.reset.emit()
        self._changed()

    def copy(self) -> NetworkGraph:
        duplicate = NetworkGraph(self.name, self.description, self.task)
        duplicate._nodes = {node_id: node.copy() for node_id, node in self._nodes.items()}
        duplicate._set_edges(list(self._edges))
        return duplicate

    # ----- serialization (the *.cnn.json format; see cnnstudio.graph.io for files)
    def to_dict(self) -> dict[str, Any]:
        nodes = []
        for node in self._nodes.values():
            entry: dict[str, Any] = {
                "id": node.id,
                "type": node.type,
                "params": dict(node.params),
                "pos": [round(node.pos[0], 1), round(node.pos[1], 1)],
            }
            if not node.trainable:
                entry["trainable"] = False
            nodes.append(entry)
        data: dict[str, Any] = {"format": "cnnstudio.network", "version": 1, "name": self.name}
        if self.description:
            data["description"] = self.description
        if self.task != SINGLE_LABEL:  # single-label files stay as they were
            data["task"] = self.task
        data["nodes"] = nodes
        data["edges"] = [[src, dst] for src, dst in self._edges]
        return data


@dataclass
class _Adjacency:
    """Each node's sources and destinations in edge-list order, and the edges as a lookup."""

    inputs: dict[str, list[str]]
    outputs: dict[str, list[str]]
    edge_set: dict[str, set[str]]

    @classmethod
    def of(cls, edges: list[tuple[str, str]]) -> _Adjacency:
        adjacency = cls({}, {}, {})
        for src, dst in edges:
            adjacency.add(src, dst)
        return adjacency

    def add(self, src: str, dst: str) -> None:
        """Record an edge appended at the end of the edge list."""
        self.inputs.setdefault(dst, []).append(src)
        self.outputs.setdefault(src, []).append(dst)
        self.edge_set.setdefault(src, set()).add(dst)


def default_id(layer_type: str) -> str:
    """The id a new layer of this type starts from ('conv1' for Conv2d), before making it unique."""
    return _default_stem(layer_type) + "1"


def _default_stem(layer_type: str) -> str:
    stems = {
        "Conv2d": "conv",
        "ConvTranspose2d": "deconv",
        "MaxPool2d": "pool",
        "AvgPool2d": "avgpool",
        "AdaptiveAvgPool2d": "gap",
        "AdaptiveMaxPool2d": "gmp",
        "BatchNorm2d": "bn",
        "Linear": "fc",
        "LocalResponseNorm": "lrn",
        "Input": "input",
        "Dropout2d": "dropout",
    }
    return stems.get(layer_type, re.sub(r"\W", "", layer_type).lower() or "node")
