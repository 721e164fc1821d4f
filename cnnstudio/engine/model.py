"""The network to train: built from the design, initialized, partly frozen, with starting weights.

Submodule names are node ids, so "which layers" is always answered with node ids: frozen layers
are the nodes with `trainable=False`, the head is a set of node ids, and weights are keyed
`<node id>.<tensor>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import torch
from torch import nn

from cnnstudio.graph import NetworkGraph
from cnnstudio.graph.templates import classifier_node
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import load_matching


@dataclass
class PreparedModel:
    """A built network ready to train. `notes` tell the user what happened to starting weights."""

    module: nn.Module
    frozen: set[str]
    head: set[str]
    notes: list[str] = field(default_factory=list)


def prepare_model(
    graph: NetworkGraph, init: str = "default", initial_weights: Mapping[str, torch.Tensor] | None = None
) -> PreparedModel:
    """Build the design for training (raw class scores: a trailing Softmax is left out).

    Weights are initialized with `init` ("default": PyTorch's per-layer defaults; "kaiming" or
    "xavier"), then `initial_weights` overwrite every tensor whose name and shape match.
    Raises cnnstudio.pytorch.BuildError for a design with errors.
    """
    module = build_module(graph, logits=True)
    initialize(module, init)
    notes = starting_weight_notes(module, initial_weights) if initial_weights is not None else []
    submodules = dict(module.named_children())
    frozen = {node_id for node_id, node in graph.nodes.items() if not node.trainable and node_id in submodules}
    for node_id in frozen:
        submodules[node_id].requires_grad_(False)
    return PreparedModel(module, frozen, head_nodes(graph, frozen), notes)


def initialize(module: nn.Module, scheme: str) -> None:
    """Re-initialize convolution and linear weights (biases to zero) for "kaiming" or "xavier"."""
    if scheme == "default":
        return
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            if scheme == "kaiming":
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def starting_weight_notes(module: nn.Module, weights: Mapping[str, torch.Tensor]) -> list[str]:
    """Load the tensors of `weights` that fit `module` (pytorch.weights.load_matching); notes on what did not.

    Fine-tuning often changes the classifier (10 → 2 classes): its weights are then skipped and
    trained from their initialization, while every other layer starts from the given weights.
    """
    left = load_matching(module, dict(weights))
    total = len(module.state_dict())
    notes = []
    if len(left) < total:
        notes.append(f"started from given weights for {total - len(left)} of {total} tensors")
    misfits = [key for key in left if key in weights]
    missing = [key for key in left if key not in weights]
    if misfits:
        notes.append(f"weights of a different shape not loaded (trained from scratch): {', '.join(misfits)}")
    if missing:
        notes.append(f"no starting weights for: {', '.join(missing)}")
    return notes


def head_nodes(graph: NetworkGraph, frozen: set[str]) -> set[str]:
    """The layers after the last frozen one, or the classifier layer when nothing is frozen."""
    order = graph.topological_order()
    frozen_positions = [index for index, node_id in enumerate(order) if node_id in frozen]
    if frozen_positions:
        return set(order[frozen_positions[-1] + 1 :])
    classifier = classifier_node(graph)
    return {classifier} if classifier else set()


def set_train_mode(module: nn.Module, frozen: set[str]) -> None:
    """Training mode, except frozen BatchNorm layers: their running statistics stay as loaded."""
    module.train()
    for name, child in module.named_children():
        if name in frozen and isinstance(child, nn.modules.batchnorm._BatchNorm):
            child.eval()


def count_parameters(module: nn.Module) -> tuple[int, int]:
    """(all, trainable) parameter counts."""
    parameters = list(module.parameters())
    return sum(p.numel() for p in parameters), sum(p.numel() for p in parameters if p.requires_grad)
