"""Design → torch: an fx.GraphModule to run, and standalone PyTorch source to read or export.

Both come from the same plan (the analyzer's constructor calls in topological order), so the code a
user reads is the network that trains. Submodule names are the node ids, hence state_dict keys are
`<node id>.<tensor>`.
"""

from __future__ import annotations

import re

import torch
from torch import fx, nn

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import errors_only, output_node
from cnnstudio.pytorch.analyze import NetworkAnalysis, analyze


class BuildError(Exception):
    """The design has errors; `problems` lists them per node."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def class_name_for(graph: NetworkGraph) -> str:
    """'LeNet-5' → 'LeNet5', 'my net' → 'MyNet'."""
    words = re.findall(r"[A-Za-z0-9]+", graph.name)
    name = "".join(word[:1].upper() + word[1:] for word in words) or "Network"
    return name if name[0].isalpha() else "Net" + name


def _checked_analysis(graph: NetworkGraph) -> NetworkAnalysis:
    analysis = analyze(graph)
    if not analysis.valid:
        raise BuildError(errors_only(analysis.problems))
    return analysis


def _plan(graph: NetworkGraph, analysis: NetworkAnalysis, logits: bool) -> tuple[list[str], str]:
    """The node ids to compute, in order, and the one whose value is returned."""
    order = list(analysis.order)
    output = analysis.output_id
    if logits and graph.nodes[output].type == "Softmax":
        order.remove(output)
        output = graph.inputs_of(output)[0]
    return order, output


def trailing_softmax(graph: NetworkGraph) -> str | None:
    """The id of a Softmax that ends the network (training uses the scores before it), else None."""
    output = output_node(graph)
    return output if output and graph.nodes[output].type == "Softmax" else None


def build_module(
    graph: NetworkGraph, *, logits: bool = False, analysis: NetworkAnalysis | None = None
) -> fx.GraphModule:
    """The design as a runnable fx.GraphModule (freshly initialized weights, on the CPU).

    logits=True leaves out a trailing Softmax, so training can use CrossEntropyLoss on the raw scores:
    numerically stable, and mathematically what a Softmax-terminated design means.
    """
    analysis = analysis or _checked_analysis(graph)
    order, output = _plan(graph, analysis, logits)
    fx_graph = fx.Graph()
    values: dict[str, fx.Node] = {}
    modules: dict[str, nn.Module] = {}
    for node_id in order:
        node = graph.nodes[node_id]
        spec = layer_spec(node.type)
        sources = [values[src] for src in graph.inputs_of(node_id)]
        if spec.is_input:
            values[node_id] = fx_graph.placeholder(node_id)
        elif node.type == "Concat":
            values[node_id] = fx_graph.create_node(
                "call_function", torch.cat, (sources,), {"dim": node.param("dim")}, name=node_id
            )
        elif spec.is_merge:
            function = torch.add if node.type == "Add" else torch.mul
            value = sources[0]
            for position, other in enumerate(sources[1:], start=2):
                name = node_id if position == len(sources) else f"{node_id}_partial"
                value = fx_graph.create_node("call_function", function, (value, other), name=name)
            values[node_id] = value
        else:
            modules[node_id] = analysis.nodes[node_id].call.instantiate()
            values[node_id] = fx_graph.create_node("call_module", node_id, (sources[0],), name=node_id)
    fx_graph.output(values[output])
    module = fx.GraphModule(modules, fx_graph, class_name=class_name_for(graph))
    module.requires_grad_(True)
    for node_id, node in graph.nodes.items():
        if not node.trainable and node_id in modules:
            modules[node_id].requires_grad_(False)
    return module


def module_source(graph: NetworkGraph, class_name: str | None = None, *, logits: bool = False) -> str:
    """Complete, standalone PyTorch source for the design (imports torch only)."""
    analysis = _checked_analysis(graph)
    order, output = _plan(graph, analysis, logits)
    class_name = class_name or class_name_for(graph)
    init_lines, forward_lines = [], []
    input_name = "x"
    for node_id in order:
        node = graph.nodes[node_id]
        spec = layer_spec(node.type)
        sources = graph.inputs_of(node_id)
        if spec.is_input:
            input_name = node_id
        elif node.type == "Concat":
            forward_lines.append(f"{node_id} = torch.cat([{', '.join(sources)}], dim={node.param('dim')})")
        elif spec.is_merge:
            operator = " + " if node.type == "Add" else " * "
            forward_lines.append(f"{node_id} = {operator.join(sources)}")
        else:
            init_lines.append(f"self.{node_id} = {analysis.nodes[node_id].call.source()}")
            forward_lines.append(f"{node_id} = self.{node_id}({sources[0]})")
    shape = analysis.input_shape
    doc = (
        f'"""{graph.name}: input {shape[0]}×{shape[1]}×{shape[2]}'
        + (f", output {'×'.join(map(str, analysis.nodes[output].output_shape))}" if output else "")
        + '."""'
    )
    body = [
        f'"""{graph.name} — generated by CNN Studio."""',
        "",
        "import torch",
        "from torch import nn",
        "",
        "",
        f"class {class_name}(nn.Module):",
        f"    {doc}",
        "",
        "    def __init__(self) -> None:",
        "        super().__init__()",
        *[f"        {line}" for line in init_lines],
        "",
        f"    def forward(self, {input_name}: torch.Tensor) -> torch.Tensor:",
        *[f"        {line}" for line in forward_lines],
        f"        return {output}",
        "",
    ]
    return "\n".join(body)
