"""The network templates shipped under resources/templates, and re-targeting them to other data."""

from __future__ import annotations

from dataclasses import dataclass

from cnnstudio.graph.io import NetworkFileError, load_network
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.paths import TEMPLATES_DIR

SUFFIX = ".cnn.json"
DEFAULT_TEMPLATE = "lenet5"


@dataclass(frozen=True)
class TemplateInfo:
    name: str  # what `cnnstudio new NAME` takes
    title: str
    description: str


def template_names() -> list[str]:
    return sorted(path.name[: -len(SUFFIX)] for path in TEMPLATES_DIR.glob("*" + SUFFIX))


def load_template(name: str) -> NetworkGraph:
    """A fresh copy of a shipped template. Raises KeyError naming the known templates."""
    path = TEMPLATES_DIR / f"{name}{SUFFIX}"
    if not path.is_file():
        raise KeyError(f"no template {name!r}; templates: {', '.join(template_names())}")
    result = load_network(path)
    if result.problems:
        raise NetworkFileError(f"template {name} is damaged: {'; '.join(map(str, result.problems))}")
    return result.graph


def template_infos() -> list[TemplateInfo]:
    infos = []
    for name in template_names():
        graph = load_template(name)
        infos.append(TemplateInfo(name, graph.name, graph.description))
    return infos


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
            inputs = [node for node in graph.nodes.values() if node.type == "Input"]
            if not inputs:
                raise ValueError("the network has no Input layer to re-target")
            for name, value in zip(("channels", "height", "width"), input_shape, strict=True):
                graph.set_param(inputs[0].id, name, int(value))
            notes.append(f"input set to {input_shape[0]}×{input_shape[1]}×{input_shape[2]}")
        if classes is not None:
            head = classifier_node(graph)
            if head is None:
                raise ValueError("the network has no Linear or Conv2d layer to produce class scores")
            name = "out_features" if graph.nodes[head].type == "Linear" else "out_channels"
            graph.set_param(head, name, int(classes))
            notes.append(f"{head} now outputs {classes} classes")
    return notes
