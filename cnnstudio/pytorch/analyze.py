"""Per-node analysis of a design: output shapes, learnables, FLOPs, MACs, memory, errors, arithmetic.

Shapes come from running each layer on the `meta` device (no memory, no compute) and FLOPs from
torch's FlopCounterMode, so they are exactly what PyTorch will do. Errors are caught per node and
explained in plain words (see layers.py); nodes downstream of an error get no shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.describe import format_shape
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import ERROR, Problem, errors_only, output_node, validate
from cnnstudio.pytorch.layers import LayerCall, LayerError, Shape, arithmetic, layer_call, merge_output_shape

BYTES_PER_VALUE = 4  # float32
# The layers whose operations FlopCounterMode counts (convolutions and matrix products); it reports 0 for
# the rest, so only these run under the counter (which is slow for others, e.g. it decomposes batch_norm).
_COUNTED_LAYERS = {"Conv2d", "ConvTranspose2d", "Linear"}
# Elementwise layers keep their input's shape by definition; skipping their meta forward halves the
# analysis time of BatchNorm-heavy networks (torch decomposes batch_norm on the meta device).
_SHAPE_PRESERVING_CATEGORIES = {"Activation", "Normalization", "Regularization"}


@dataclass
class NodeAnalysis:
    node_id: str
    layer_type: str
    output_shape: Shape | None = None
    input_shapes: list[Shape] = field(default_factory=list)
    params: int = 0
    trainable_params: int = 0
    flops: int = 0
    macs: int = 0
    activation_bytes: int = 0
    arithmetic: list[str] = field(default_factory=list)
    error: str | None = None
    call: LayerCall | None = None  # the torch constructor call, for layers with a module


@dataclass
class NetworkAnalysis:
    nodes: dict[str, NodeAnalysis]
    order: list[str]
    problems: list[Problem]
    output_id: str | None

    @property
    def valid(self) -> bool:
        return not errors_only(self.problems)

    @property
    def total_params(self) -> int:
        return sum(node.params for node in self.nodes.values())

    @property
    def trainable_params(self) -> int:
        return sum(node.trainable_params for node in self.nodes.values())

    @property
    def total_flops(self) -> int:
        return sum(node.flops for node in self.nodes.values())

    @property
    def total_macs(self) -> int:
        return sum(node.macs for node in self.nodes.values())

    @property
    def activation_bytes(self) -> int:
        return sum(node.activation_bytes for node in self.nodes.values())

    @property
    def param_bytes(self) -> int:
        return self.total_params * BYTES_PER_VALUE

    @property
    def output_shape(self) -> Shape | None:
        return self.nodes[self.output_id].output_shape if self.output_id in self.nodes else None

    @property
    def input_shape(self) -> Shape | None:
        for node_id in self.order:
            if not self.nodes[node_id].input_shapes and self.nodes[node_id].output_shape:
                return self.nodes[node_id].output_shape
        return None

    def in_order(self) -> list[NodeAnalysis]:
        """Every node's analysis in topological order (nodes on a cycle last)."""
        ordered = set(self.order)
        rest = [node_id for node_id in self.nodes if node_id not in ordered]
        return [self.nodes[node_id] for node_id in self.order + rest]

    def problems_for(self, node_id: str) -> list[Problem]:
        return [problem for problem in self.problems if problem.node == node_id]

    def to_json(self) -> dict:
        """The `cnnstudio analyze --json` document."""
        return {
            "layers": [
                {
                    "id": a.node_id,
                    "type": a.layer_type,
                    "output_shape": list(a.output_shape) if a.output_shape else None,
                    "params": a.params,
                    "flops": a.flops,
                    "macs": a.macs,
                }
                for a in self.in_order()
            ],
            "total_params": self.total_params,
            "total_flops": self.total_flops,
            "total_macs": self.total_macs,
            "errors": [{"node": p.node, "message": p.message} for p in self.problems if p.severity == ERROR],
        }


def analyze(graph: NetworkGraph) -> NetworkAnalysis:
    """Analyze every node; never raises for a bad design (problems are returned instead)."""
    problems = validate(graph)
    order = graph.topological_order()
    nodes = {node_id: NodeAnalysis(node_id, node.type) for node_id, node in graph.nodes.items()}
    broken = {problem.node for problem in errors_only(problems) if problem.node}
    structural_error = any(problem.node is None for problem in errors_only(problems))
    values: dict[str, torch.Tensor] = {}
    if not structural_error:
        for node_id in order:
            if node_id in broken:
                continue
            result = nodes[node_id]
            try:
                values[node_id] = _run_node(graph, node_id, values, result)
            except LayerError as error:
                result.error = str(error)
            except _UpstreamMissing:
                continue
            except Exception as error:  # torch rejected something our checks did not foresee
                message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                shapes = ", ".join(format_shape(s) for s in result.input_shapes)
                result.error = f"{graph.nodes[node_id].type} cannot process input {shapes}: {message}"
            if result.error:
                problems.append(Problem(node_id, result.error))
    for node_id in broken:
        nodes[node_id].error = "; ".join(p.message for p in problems if p.node == node_id)
    return NetworkAnalysis(nodes, order, problems, output_node(graph))


class _UpstreamMissing(Exception):
    """An input of this node has no value because of an error upstream."""


def _run_node(graph: NetworkGraph, node_id: str, values: dict[str, torch.Tensor], result: NodeAnalysis) -> torch.Tensor:
    node = graph.nodes[node_id]
    spec = layer_spec(node.type)
    sources = graph.inputs_of(node_id)
    if any(src not in values for src in sources):
        raise _UpstreamMissing
    inputs = [values[src] for src in sources]
    result.input_shapes = [tuple(t.shape[1:]) for t in inputs]
    if spec.is_input:
        output = torch.empty(1, node.param("channels"), node.param("height"), node.param("width"), device="meta")
    elif spec.is_merge:
        merge_output_shape(node, result.input_shapes, sources)
        output = _merge(node.type, node.param("dim"), inputs)
    else:
        call = layer_call(node, result.input_shapes[0])
        with torch.device("meta"):
            module = call.instantiate()
        if node.type in _COUNTED_LAYERS:
            from torch.utils.flop_counter import FlopCounterMode  # imports triton (0.4 s): not on start-up

            counter = FlopCounterMode(display=False)
            with counter:
                output = module(inputs[0])
            result.flops = counter.get_total_flops()
        elif spec.category in _SHAPE_PRESERVING_CATEGORIES:
            output = inputs[0]
        else:
            output = module(inputs[0])
        result.call = call
        result.params = sum(p.numel() for p in module.parameters())
        result.trainable_params = result.params if node.trainable else 0
        result.macs = result.flops // 2
        result.arithmetic = arithmetic(call, result.input_shapes[0], tuple(output.shape[1:]))
    result.output_shape = tuple(output.shape[1:])
    if any(dim <= 0 for dim in result.output_shape):
        raise LayerError(f"its output {format_shape(result.output_shape)} is empty; the input is too small")
    result.activation_bytes = math.prod(result.output_shape) * BYTES_PER_VALUE
    return output


def _merge(kind: str, dim: int, inputs: list[torch.Tensor]) -> torch.Tensor:
    """What the built network computes for Add, Mul and Concat (shared with the builder)."""
    if kind == "Concat":
        return torch.cat(inputs, dim=dim)
    combine = torch.add if kind == "Add" else torch.mul
    output = inputs[0]
    for other in inputs[1:]:
        output = combine(output, other)
    return output
