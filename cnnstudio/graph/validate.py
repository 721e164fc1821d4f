"""Structural validation of a NetworkGraph, reported per node in plain words.

This checks what can be known without torch: layer types, parameters, wiring, cycles, reachability.
Shape errors (a kernel larger than its input, an Add of mismatched shapes) come from the analyzer in
cnnstudio.pytorch, which runs the layers on the meta device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cnnstudio.graph.catalog import LAYERS, layer_spec
from cnnstudio.graph.network import NetworkGraph, id_problem
from cnnstudio.graph.params import check_param

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """Something wrong (error) or suspicious (warning) about one node, or the whole network (node None)."""

    node: str | None
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.node}: {self.message}" if self.node else self.message

    def to_dict(self) -> dict[str, str | None]:
        return {"node": self.node, "message": self.message, "severity": self.severity}


def validate(graph: NetworkGraph) -> list[Problem]:
    """Every structural problem of the graph; an empty list means it can be analyzed and built."""
    problems: list[Problem] = []
    for node in graph.nodes.values():
        problems.extend(_node_problems(graph, node.id))
    problems.extend(_input_problems(graph))
    cyclic = _cycle_nodes(graph)
    if cyclic:
        problems.append(
            Problem(None, f"the network has a cycle through {', '.join(sorted(cyclic))}; remove one of its connections")
        )
        problems.extend(Problem(node_id, "is part of a cycle") for node_id in sorted(cyclic))
    else:
        problems.extend(_reachability_problems(graph))
    return problems


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [problem for problem in problems if problem.severity == ERROR]


def _node_problems(graph: NetworkGraph, node_id: str) -> list[Problem]:
    node = graph.node(node_id)
    problems = []
    bad_id = id_problem(node_id)
    if bad_id:
        problems.append(Problem(node_id, bad_id))
    spec = layer_spec(node.type)
    if spec is None:
        return problems + [
            Problem(node_id, f"unknown layer type {node.type!r}; known types: {', '.join(sorted(LAYERS))}")
        ]
    for name, value in node.params.items():
        param_spec = spec.param(name)
        if param_spec is None:
            known = ", ".join(p.name for p in spec.params) or "none"
            problems.append(Problem(node_id, f"{node.type} has no parameter {name!r} (its parameters: {known})"))
            continue
        message = check_param(param_spec, value)
        if message:
            problems.append(Problem(node_id, message))
    count = len(graph.inputs_of(node_id))
    if spec.is_input and count:
        problems.append(Problem(node_id, "an Input layer cannot receive connections"))
    elif spec.is_merge and count < spec.min_inputs:
        problems.append(Problem(node_id, f"{node.type} needs at least {spec.min_inputs} inputs, it has {count}"))
    elif not spec.is_input and not spec.is_merge and count != 1:
        what = "no input; connect a layer to it" if count == 0 else f"{count} inputs; it takes exactly one"
        problems.append(Problem(node_id, f"{node.type} has {what}"))
    return problems


def _input_problems(graph: NetworkGraph) -> list[Problem]:
    inputs = [node.id for node in graph.nodes.values() if node.type == "Input"]
    if not inputs:
        return [Problem(None, "the network has no Input layer; add one from the palette")]
    if len(inputs) > 1:
        return [
            Problem(node_id, f"the network has {len(inputs)} Input layers ({', '.join(inputs)}); keep exactly one")
            for node_id in inputs
        ]
    return []


def _cycle_nodes(graph: NetworkGraph) -> set[str]:
    ordered = set(graph.topological_order())
    remaining = {node_id for node_id in graph.nodes if node_id not in ordered}
    # Keep only nodes actually on a cycle, not those merely downstream of one: peel off, from the end,
    # every node none of whose outputs remains.
    pending = {node_id: sum(dst in remaining for dst in graph.outputs_of(node_id)) for node_id in remaining}
    leaves = [node_id for node_id, count in pending.items() if count == 0]
    while leaves:
        node_id = leaves.pop()
        remaining.discard(node_id)
        for src in graph.inputs_of(node_id):
            if src in remaining:
                pending[src] -= 1
                if pending[src] == 0:
                    leaves.append(src)
    return remaining


def _reachability_problems(graph: NetworkGraph) -> list[Problem]:
    inputs = [node.id for node in graph.nodes.values() if node.type == "Input"]
    problems = []
    if len(inputs) == 1:
        reached = _reach(graph, inputs[0], graph.outputs_of)
        for node_id in graph.nodes:
            if node_id not in reached:
                problems.append(Problem(node_id, f"is not connected to the input {inputs[0]!r}"))
    sinks = [node_id for node_id in graph.nodes if not graph.outputs_of(node_id)]
    if len(sinks) > 1:
        output = output_node(graph)
        for node_id in sinks:
            if node_id != output:
                problems.append(
                    Problem(
                        node_id,
                        f"is not connected to the output {output!r}: its result is "
                        "unused; connect it onward or delete it",
                    )
                )
    return problems


def _reach(graph: NetworkGraph, start: str, step: Callable[[str], list[str]]) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for nxt in step(stack.pop()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def output_node(graph: NetworkGraph) -> str | None:
    """The network's output: the deepest node (longest path from the input) that feeds nothing."""
    order = graph.topological_order()
    depth: dict[str, int] = {}
    for node_id in order:
        depth[node_id] = max((depth[src] + 1 for src in graph.inputs_of(node_id) if src in depth), default=0)
    sinks = [node_id for node_id in order if not graph.outputs_of(node_id)]
    return max(reversed(sinks), key=depth.__getitem__) if sinks else None
