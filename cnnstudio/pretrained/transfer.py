"""Transfer learning as a pure function: a pretrained design → the same design for the user's classes.

The classifier layer (`classifier_node`: the last Linear, else the last Conv2d) gets the new number
of outputs and fresh weights; every other layer keeps its pretrained weights. The layers before a
chosen node — exactly those its input depends on — are frozen (`trainable=False`), the rest train.
The input graph and state dict are left untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import classifier_node, retarget
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pytorch import analyze


@dataclass
class TransferResult:
    """graph: the adapted copy. state_dict: keyed by node id, complete (the new head freshly initialized).
    head: the classifier layer's node id. frozen: frozen layers that have weights, in network order."""

    graph: NetworkGraph
    state_dict: dict[str, torch.Tensor]
    head: str
    frozen: list[str]
    notes: list[str] = field(default_factory=list)


def upstream_of(graph: NetworkGraph, node_id: str) -> set[str]:
    """Every node whose output `node_id` depends on (not including itself)."""
    seen: set[str] = set()
    pending = list(graph.inputs_of(node_id))
    while pending:
        current = pending.pop()
        if current not in seen:
            seen.add(current)
            pending.extend(graph.inputs_of(current))
    return seen


def transfer_learning(
    graph: NetworkGraph,
    state_dict: Mapping[str, torch.Tensor],
    classes: int,
    *,
    freeze_before: str | None = None,
    seed: int = 0,
) -> TransferResult:
    """Adapt a pretrained design to `classes` classes.

    freeze_before: the first layer that trains; the layers it depends on are frozen. Default: the
    classifier layer, so only the new head trains (the fast, Teachable-Machine-style setting).
    seed: makes the new head's initialization reproducible (the global random state is left as it was).
    Raises ModelLoadError when the design has no classifier layer, or the choice would freeze it.
    """
    if classes < 1:
        raise ModelLoadError(f"a classifier needs at least one class, not {classes}")
    adapted = graph.copy()
    head = classifier_node(adapted)
    if head is None:
        raise ModelLoadError(f"{graph.name} has no Linear or Conv2d layer to turn into a classifier")
    boundary = freeze_before or head
    if boundary not in adapted.nodes:
        raise ModelLoadError(f"{graph.name} has no layer {boundary!r} to freeze up to")
    frozen_ids = upstream_of(adapted, boundary)
    if head in frozen_ids:
        raise ModelLoadError(
            f"freezing the layers before {boundary} would freeze the classifier {head}; "
            f"choose {head} or a layer before it"
        )
    notes = retarget(adapted, classes=classes)
    with adapted.batch():
        for node_id in adapted.nodes:
            adapted.set_trainable(node_id, node_id not in frozen_ids)
    state = {key: value for key, value in state_dict.items() if not key.startswith(f"{head}.")}
    state.update(_fresh_layer(adapted, head, seed))
    with_weights = {key.split(".", 1)[0] for key in state}
    frozen = [node_id for node_id in adapted.topological_order() if node_id in frozen_ids and node_id in with_weights]
    notes.append(f"{len(frozen)} layers with weights frozen (up to {boundary}); {head} starts untrained")
    return TransferResult(adapted, state, head, frozen, notes)


def _fresh_layer(graph: NetworkGraph, node_id: str, seed: int) -> dict[str, torch.Tensor]:
    """PyTorch's default initialization of one layer of the design, keyed `<node id>.<tensor>`."""
    analysis = analyze(graph)
    call = analysis.nodes[node_id].call
    if call is None:
        raise ModelLoadError(f"{node_id} cannot be built: {analysis.nodes[node_id].error or 'the design has errors'}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layer = call.instantiate()
    return {f"{node_id}.{key}": value for key, value in layer.state_dict().items()}
