"""Structured pruning: remove a fraction of the output channels of every convolution, the least important
by the L2 norm of their filters, with the `torch-pruning` package (the [optimize] extra), and turn the
smaller network back into a design.

torch-pruning traces the module's dependency graph, so the layers coupled to a pruned convolution (its
BatchNorm, the next layer's inputs, the branches an Add joins) shrink with it. The layer that produces
the class scores is never pruned. The pruned network becomes a copy of the original design with the new
`out_channels` / `out_features` / `groups` (the inputs of each layer are inferred, as in every design), and
its weights keyed by node id; both are checked by rebuilding the design and loading the weights into it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from types import ModuleType

import torch
from torch import fx, nn

from cnnstudio.graph import NetworkGraph
from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.params import normalize
from cnnstudio.optimize.errors import OPTIMIZE_EXTRA, OptimizeError
from cnnstudio.pytorch import BuildError, analyze, build_module
from cnnstudio.pytorch.weights import WeightsFileError, load_into

# the sizes of a layer that pruning changes; everything else about the layer stays as designed
_SIZES = ("out_channels", "out_features", "groups")


@dataclass
class PrunedNetwork:
    """The pruned design, its weights (keyed by node id) and the channels each pruned layer kept."""

    design: NetworkGraph
    state_dict: dict[str, torch.Tensor]
    channels: dict[str, tuple[int, int]]  # node id → (channels before, after) for the layers that shrank


def torch_pruning() -> ModuleType:
    """The torch-pruning package, or an OptimizeError naming the extra that installs it."""
    try:
        import torch_pruning
    except ImportError:
        raise OptimizeError(f"pruning needs the torch-pruning package: {OPTIMIZE_EXTRA}") from None
    package: ModuleType = torch_pruning
    return package


def prune_channels(
    module: nn.Module, design: NetworkGraph, fraction: float, input_shape: tuple[int, ...]
) -> PrunedNetwork:
    """Remove `fraction` (0 < fraction < 1) of the output channels of each Conv2d of `module` (built from
    `design`, raw class scores) by filter importance; `module` itself is left unchanged."""
    if not 0.0 < fraction < 1.0:
        raise OptimizeError(f"the pruning fraction must lie between 0 and 1 (e.g. 0.5), not {fraction}")
    tp = torch_pruning()
    model = copy.deepcopy(module).cpu().eval()
    convolutions = [name for name, layer in model.named_children() if isinstance(layer, nn.Conv2d)]
    classifier = _classifier(model) if isinstance(model, fx.GraphModule) else None
    if not [name for name in convolutions if name != classifier]:
        raise OptimizeError(f"{design.name} has no convolution to prune (pruning removes Conv2d channels)")
    before = {name: _size(layer) for name, layer in model.named_children()}
    pruner = tp.pruner.MetaPruner(
        model,
        torch.zeros(1, *input_shape),
        importance=tp.importance.MagnitudeImportance(p=2),
        pruning_ratio=fraction,
        ignored_layers=[model.get_submodule(classifier)] if classifier else [],
        root_module_types=[nn.Conv2d],
    )
    pruner.step()
    channels = {
        name: (before[name], _size(layer)) for name, layer in model.named_children() if _size(layer) != before[name]
    }
    pruned = pruned_design(design, model, f"{design.name} pruned {round(fraction * 100)}%")
    state = {key: value.detach().clone() for key, value in model.state_dict().items()}
    _check(pruned, state)
    return PrunedNetwork(pruned, state, channels)


def pruned_design(design: NetworkGraph, module: nn.Module, name: str) -> NetworkGraph:
    """A copy of `design` named `name` with each layer's sizes (_SIZES) read off the pruned `module`'s
    submodule of the same node id."""
    pruned = design.copy()
    pruned.name = name
    layers = dict(module.named_children())
    for node_id, node in pruned.nodes.items():
        layer, spec = layers.get(node_id), layer_spec(node.type)
        if layer is None or spec is None:
            continue
        for size in _SIZES:
            if spec.param(size) is not None and hasattr(layer, size):
                value = normalize(getattr(layer, size))
                if value != node.param(size):
                    pruned.set_param(node_id, size, value)
    return pruned


def learnables(module: nn.Module) -> int:
    """The parameter count of a module, as the analyzer counts a design's learnables."""
    return sum(parameter.numel() for parameter in module.parameters())


def _check(pruned: NetworkGraph, state: dict[str, torch.Tensor]) -> None:
    """The pruned design builds, takes the pruned weights and counts as many learnables as they hold."""
    try:
        rebuilt = build_module(pruned, logits=True)
        load_into(rebuilt, state, "the pruned weights")
    except (BuildError, WeightsFileError) as error:
        raise OptimizeError(f"pruning made a network its design cannot express: {error}") from None
    counted = analyze(pruned).total_params
    if counted != learnables(rebuilt):
        raise OptimizeError(
            f"the pruned design counts {counted:,} learnables but its network has {learnables(rebuilt):,}"
        )


def _classifier(model: fx.GraphModule) -> str | None:
    """The node id of the Conv2d or Linear whose output becomes the class scores (walking back from the
    output through layers without weights), so that pruning keeps one score per class."""
    node = next(node for node in model.graph.nodes if node.op == "output").args[0]
    while isinstance(node, fx.Node):
        if node.op == "call_module" and isinstance(model.get_submodule(str(node.target)), nn.Conv2d | nn.Linear):
            return str(node.target)
        sources = [arg for arg in node.args if isinstance(arg, fx.Node)]
        node = sources[0] if len(sources) == 1 else None
    return None


def _size(layer: nn.Module) -> int:
    """The output width of a layer (channels or features); 0 for layers without one."""
    return int(getattr(layer, "out_channels", getattr(layer, "out_features", 0)) or 0)
