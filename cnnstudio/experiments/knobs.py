"""Design knobs a sweep turns: the width of the convolutions and the dropout before the classifier.

Pure graph edits on a copy of the design, so a trial's design is an ordinary design (saved in its run).
"""

from __future__ import annotations

from cnnstudio.graph import NetworkGraph
from cnnstudio.graph.templates import classifier_node

KNOBS = ("width", "dropout")


def scale_width(graph: NetworkGraph, factor: float) -> None:
    """Multiply `out_channels` of every Conv2d except a classifying one by `factor` (at least 1 channel)."""
    head = classifier_node(graph)
    with graph.batch():
        for node_id, node in graph.nodes.items():
            if node.type == "Conv2d" and node_id != head:
                channels = int(node.param("out_channels"))
                graph.set_param(node_id, "out_channels", max(1, round(channels * factor)))


def set_dropout(graph: NetworkGraph, p: float) -> None:
    """Set `p` of every Dropout layer; a design without one gets a Dropout in front of its classifier.

    Raises ValueError when the design has neither a Dropout nor a classifier with a single input.
    """
    dropouts = [node_id for node_id, node in graph.nodes.items() if node.type in ("Dropout", "Dropout2d")]
    with graph.batch():
        for node_id in dropouts:
            graph.set_param(node_id, "p", p)
        if dropouts:
            return
        head = classifier_node(graph)
        sources = graph.inputs_of(head) if head is not None else []
        if head is None or len(sources) != 1:
            raise ValueError("the design has no Dropout layer and no classifier with one input to put one before")
        dropout = graph.add_node("Dropout", {"p": p}, graph.nodes[head].pos)
        index = graph.disconnect(sources[0], head)
        graph.connect(sources[0], dropout.id, index)
        graph.connect(dropout.id, head)


def apply_knobs(graph: NetworkGraph, values: dict[str, float]) -> NetworkGraph:
    """A copy of `graph` with the knobs in `values` (names from KNOBS) applied."""
    design = graph.copy()
    if "width" in values:
        scale_width(design, values["width"])
    if "dropout" in values:
        set_dropout(design, values["dropout"])
    return design
