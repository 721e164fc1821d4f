"""The network templates shipped in the package (cnnstudio/resources/templates), where a design takes its
input and gives its class scores, and re-targeting a design to other data."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cnnstudio.graph.io import NetworkFileError, loads_network
from cnnstudio.graph.network import NetworkGraph, Node
from cnnstudio.paths import templates

SUFFIX = ".cnn.json"
DEFAULT_TEMPLATE = "lenet5"
# name → learnable parameters, written by scripts/generate_templates.py from the torch analyzer, so that
# listing the templates needs no torch (a test checks the counts against the analyzer)
LEARNABLES_FILE = "learnables.json"
INPUT_SIZES = ("channels", "height", "width")  # the Input layer's parameters, in tensor order


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # what `cnnstudio new NAME` takes
    title: str
    description: str
    learnables: int


def template_names() -> list[str]:
    return sorted(item.name[: -len(SUFFIX)] for item in templates().iterdir() if item.name.endswith(SUFFIX))


def load_template(name: str) -> NetworkGraph:
    """A fresh copy of a shipped template. Raises KeyError naming the known templates."""
    item = templates() / f"{name}{SUFFIX}"
    if not item.is_file():
        raise KeyError(f"no template {name!r}; templates: {', '.join(template_names())}")
    result = loads_network(item.read_text(encoding="utf-8"), source=f"template {name}")
    if result.problems:
        raise NetworkFileError(f"template {name} is damaged: {'; '.join(map(str, result.problems))}")
    return result.graph


def template_learnables() -> dict[str, int]:
    """The learnable parameter count of each template, as the torch analyzer computed it at generation."""
    counts: dict[str, int] = json.loads((templates() / LEARNABLES_FILE).read_text(encoding="utf-8"))
    return counts


def template_infos() -> list[TemplateInfo]:
    learnables = template_learnables()
    infos = []
    for name in template_names():
        graph = load_template(name)
        infos.append(TemplateInfo(name, graph.name, graph.description, learnables[name]))
    return infos


def input_node(graph: NetworkGraph) -> Node | None:
    """The design's Input layer (a valid design has exactly one), None without one."""
    return next((node for node in graph.nodes.values() if node.type == "Input"), None)


def input_shape(graph: NetworkGraph) -> tuple[int, int, int] | None:
    """(channels, height, width) of the design's Input layer, None without one.

    Raises ValueError or TypeError when a size is not a number (a hand-edited file; validation names it).
    """
    node = input_node(graph)
    if node is None:
        return None
    channels, height, width = (int(node.param(name)) for name in INPUT_SIZES)
    return channels, height, width


def classifier_node(graph: NetworkGraph) -> str | None:
    """The layer that produces the class scores: the last Linear, else the last Conv2d."""
    order = graph.topological_order()
    for layer_type in ("Linear", "Conv2d"):
        candidates = [node_id for node_id in order if graph.nodes[node_id].type == layer_type]
        if candidates:
            return candidates[-1]
    return None


def retarget(
    graph: NetworkGraph, classes: int | None = None, input_shape: tuple[int, int, int] | None = None
) -> list[str]:
    """Change the number of classes and/or the input (channels, height, width) in place.

    Returns plain-language notes of what changed. The analyzer then reports anything the new size
    breaks (e.g. an input too small for the pooling stack).
    """
    notes = []
    with graph.batch():
        if input_shape is not None:
            node = input_node(graph)
            if node is None:
                raise ValueError("the network has no Input layer to re-target")
            for name, value in zip(INPUT_SIZES, input_shape, strict=True):
                graph.set_param(node.id, name, int(value))
            notes.append(f"input set to {input_shape[0]}×{input_shape[1]}×{input_shape[2]}")
        if classes is not None:
            head = classifier_node(graph)
            if head is None:
                raise ValueError("the network has no Linear or Conv2d layer to produce class scores")
            name = "out_features" if graph.nodes[head].type == "Linear" else "out_channels"
            graph.set_param(head, name, int(classes))
            notes.append(f"{head} now outputs {classes} classes")
    return notes
