"""Training only the classifier of a network whose other layers are frozen, the fast way.

When everything before the classifier is frozen, its input for a given image never changes. So the
frozen part (the backbone) runs once per image to extract those features, and the classifier is
then trained on the features alone: hundreds of epochs in a second on a CPU, where running the
whole network every epoch would take minutes (Teachable Machine works the same way).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.device import device_of
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.transfer import upstream_of
from cnnstudio.progress import Progress
from cnnstudio.pytorch import analyze, build_module
from cnnstudio.pytorch.weights import load_into


@dataclass
class HeadSplit:
    """backbone: input → the classifier's input (eval mode). head: the classifier layer and the
    parameter-free layers after it (a trailing Softmax left out), submodules named by node id so
    its state dict keys are the design's."""

    backbone: nn.Module
    head: nn.Sequential


def split_at_head(graph: NetworkGraph, state_dict: Mapping[str, torch.Tensor], head: str) -> HeadSplit:
    """Cut the design before `head`. Raises ModelLoadError if what follows the head is not a plain
    chain of weightless layers, or part of the network does not lead to the head."""
    order = graph.topological_order()
    tail = [head]
    while graph.outputs_of(tail[-1]):
        following = graph.outputs_of(tail[-1])
        if len(following) != 1 or len(graph.inputs_of(following[0])) != 1:
            raise ModelLoadError(f"the layers after {head} branch or merge; train this network with the engine")
        tail.append(following[0])
    feeding = upstream_of(graph, head)
    stray = [node_id for node_id in order if node_id not in feeding and node_id not in tail]
    if stray or len(graph.inputs_of(head)) != 1:
        raise ModelLoadError(
            f"{', '.join(stray) or head} do not form a single path into {head}; train this network with the engine"
        )
    weighted_tail = sorted({key.split(".", 1)[0] for key in state_dict} & set(tail[1:]))
    if weighted_tail:
        raise ModelLoadError(
            f"{', '.join(weighted_tail)} after {head} have weights; train this network with the engine"
        )

    trunk = graph.copy()
    for node_id in tail:
        trunk.remove_node(node_id)
    backbone = build_module(trunk)
    load_into(
        backbone,
        {k: v for k, v in state_dict.items() if k.split(".", 1)[0] in feeding},
        source="the backbone's weights",
    )
    analysis = analyze(graph)
    if graph.nodes[tail[-1]].type == "Softmax":
        tail.pop()
    layers = OrderedDict((node_id, analysis.nodes[node_id].call.instantiate()) for node_id in tail)
    classifier = nn.Sequential(layers)
    load_into(
        classifier, {k: v for k, v in state_dict.items() if k.split(".", 1)[0] == head}, source=f"the weights of {head}"
    )
    return HeadSplit(backbone.eval(), classifier)


def extract_features(
    backbone: nn.Module,
    images: torch.Tensor,
    preprocessing: Preprocessing,
    *,
    batch_size: int = 32,
    progress: Progress | None = None,
) -> torch.Tensor:
    """The backbone's output for uint8 images [N, C, H, W] at the input size, as float32 on the CPU."""
    device = device_of(backbone)
    parts = []
    backbone.eval()
    with torch.no_grad():  # not inference_mode: the features are then used to train the head
        for start in range(0, len(images), batch_size):
            x = preprocessing.normalize(images[start : start + batch_size], device)
            parts.append(backbone(x).float().cpu())
            if progress is not None:
                done = min(start + batch_size, len(images))
                progress(f"Extracting features ({done} of {len(images)} images)", done / len(images))
    return torch.cat(parts) if parts else torch.empty(0)


def train_head(
    head: nn.Module,
    features: torch.Tensor,
    labels: torch.Tensor,
    *,
    epochs: int = 100,
    lr: float = 1e-3,
    weight_decay: float = 1e-4,
    batch_size: int = 64,
    seed: int = 0,
) -> list[float]:
    """Train `head` (on the features' device) with AdamW and cross-entropy; returns the mean loss per epoch.

    Shuffling uses its own seeded generator, so the result is reproducible and the global random
    state is untouched. The head is left in eval mode.
    """
    if len(features) != len(labels) or not len(features):
        raise ValueError(f"need as many labels as feature rows (got {len(features)} and {len(labels)}), at least one")
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(head.parameters(), lr=lr, weight_decay=weight_decay)
    losses = []
    head.train()
    for _ in range(epochs):
        order = torch.randperm(len(features), generator=generator)
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            loss = F.cross_entropy(head(features[batch]), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(order))
    head.eval()
    return losses


def accuracy(head: nn.Module, features: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of rows the head classifies correctly (0.0 for no rows)."""
    if not len(features):
        return 0.0
    with torch.no_grad():
        return float((head(features).argmax(dim=1) == labels).float().mean())
