"""What each layer outputs for an input: the list of inspectable layers, capture of chosen layers'
outputs (stopping the forward pass after the last one needed) and per-channel statistics.

Layer names are what the user picks from: for a built design (an fx.GraphModule) the fx node names,
which are the design's node ids and include Add/Concat nodes; for any other nn.Module the module paths
of `named_modules()`. A GraphModule also accepts a call_module node's module path (a traced torchvision
model names the node `layer1_0_conv1` and the module `layer1.0.conv1`).
"""

from __future__ import annotations

import contextlib
import weakref
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import fx, nn
from torch.hub import tqdm

from cnnstudio.viz.runtime import InspectError, as_batch, evaluating, forward, hooks_removed

# fx.Interpreter, which runs the inspected designs, makes a (disabled) tqdm bar on every run, and the first
# bar would start tqdm's monitor thread, which outlives the window or test that caused it. Nothing here
# shows tqdm bars, so no monitor is needed.
tqdm.monitor_interval = 0


@dataclass(frozen=True)
class LayerInfo:
    name: str
    kind: str  # the module class ("Conv2d") or the function ("add", "cat")
    shape: tuple[int, ...]  # per-sample output shape
    # A module computed once per forward, so a hook on it sees exactly this output (Grad-CAM needs that);
    # False for a GraphModule's function nodes (Add, Concat) and for a module that several nodes call.
    hookable: bool

    @property
    def is_spatial(self) -> bool:
        """A stack of 2-D maps (C, H, W) larger than 1×1: something to look at as images."""
        return len(self.shape) == 3 and self.shape[1] * self.shape[2] > 1


class _Done(Exception):
    """Raised inside the forward pass once every requested output has been seen."""


class _CaptureInterpreter(fx.Interpreter):
    def __init__(self, module: fx.GraphModule, wanted: set[str] | None) -> None:
        super().__init__(module, garbage_collect_values=True)
        self.extra_traceback = False
        self.wanted = wanted  # None: record every node
        self.values: dict[str, object] = {}
        self.order: list[fx.Node] = []

    def run_node(self, node: fx.Node) -> object:
        value = super().run_node(node)
        if node.op in ("call_module", "call_function", "call_method"):
            if self.wanted is None or node.name in self.wanted:
                self.values[node.name] = value
                self.order.append(node)
            if self.wanted is not None and self.wanted.issubset(self.values):
                raise _Done
        return value


def _node_kind(gm: fx.GraphModule, node: fx.Node) -> str:
    if node.op == "call_module":
        return type(gm.get_submodule(node.target)).__name__
    return getattr(node.target, "__name__", str(node.target))


def _graph_names(gm: fx.GraphModule, layers: Iterable[str]) -> dict[str, str]:
    """Requested name → fx node name (node names pass through; module paths map to their node)."""
    nodes = {node.name: node for node in gm.graph.nodes if node.op not in ("placeholder", "output")}
    by_target = {node.target: node.name for node in nodes.values() if node.op == "call_module"}
    resolved = {}
    for layer in layers:
        if layer in nodes:
            resolved[layer] = layer
        elif layer in by_target:
            resolved[layer] = by_target[layer]
        else:
            raise _unknown_layer(layer, list(nodes))
    return resolved


def _unknown_layer(layer: str, names: list[str]) -> InspectError:
    return InspectError(
        f"the model has no layer {layer!r}; layers include {', '.join(names[:10])}" + (" …" if len(names) > 10 else "")
    )


def module_for(model: nn.Module, layer: str) -> nn.Module:
    """The nn.Module computing `layer` (a module path, or a GraphModule node name)."""
    if isinstance(model, fx.GraphModule):
        nodes = {node.name: node for node in model.graph.nodes}
        node = nodes.get(layer)
        if node is not None and node.op == "call_module":
            return model.get_submodule(node.target)
        if node is not None:
            raise InspectError(
                f"{layer} is an operation ({_node_kind(model, node)}), not a layer with a module; "
                "choose a layer such as the activation that follows it"
            )
    modules = dict(model.named_modules())
    if layer in modules and layer:
        return modules[layer]
    raise _unknown_layer(layer, [name for name in modules if name])


def list_layers(model: nn.Module, x: torch.Tensor) -> list[LayerInfo]:
    """Every layer whose output is one tensor, in the order its output is produced, with its shape.

    Runs one forward pass. Modules that are called more than once in a forward (a shared activation,
    as in torchvision's ResNet blocks) are left out: "its output" would be ambiguous. Containers appear
    after their children, when their own output is complete (a ResNet `layer4` is one entry).
    """
    x = as_batch(x, model)
    with evaluating(model), torch.no_grad():
        if isinstance(model, fx.GraphModule):
            interpreter = _CaptureInterpreter(model, None)
            interpreter.run(x)
            uses = Counter(node.target for node in model.graph.nodes if node.op == "call_module")
            return [
                LayerInfo(
                    node.name,
                    _node_kind(model, node),
                    tuple(interpreter.values[node.name].shape[1:]),
                    node.op == "call_module" and uses[node.target] == 1,
                )
                for node in interpreter.order
                if isinstance(interpreter.values[node.name], torch.Tensor)
            ]
        calls: dict[str, int] = {}
        seen: list[tuple[str, nn.Module, object]] = []

        def record(name: str):
            def hook(module: nn.Module, _inputs: tuple, output: object) -> None:
                calls[name] = calls.get(name, 0) + 1
                if calls[name] == 1:
                    seen.append((name, module, output))

            return hook

        with hooks_removed(
            module.register_forward_hook(record(name)) for name, module in model.named_modules() if name
        ):
            model(x)
    return [
        LayerInfo(name, type(module).__name__, tuple(output.shape[1:]), True)
        for name, module, output in seen
        if calls[name] == 1 and isinstance(output, torch.Tensor)
    ]


def capture(model: nn.Module, x: torch.Tensor, layers: Iterable[str], *, grad: bool = False) -> dict[str, torch.Tensor]:
    """The outputs of `layers` for input `x` (batch kept), computing the model only as far as needed.

    grad=True keeps the autograd graph (for gradient ascent on an activation); otherwise no graph is
    built. Runs the model in eval mode.
    """
    layers = list(dict.fromkeys(layers))
    if not layers:
        return {}
    x = as_batch(x, model)
    with evaluating(model), torch.set_grad_enabled(grad):
        if isinstance(model, fx.GraphModule):
            names = _graph_names(model, layers)
            interpreter = _CaptureInterpreter(model, set(names.values()))
            with contextlib.suppress(_Done):
                interpreter.run(x)
            values = {layer: interpreter.values[node] for layer, node in names.items()}
        else:
            values = _capture_with_hooks(model, x, layers)
    for layer, value in values.items():
        if not isinstance(value, torch.Tensor):
            raise InspectError(f"layer {layer} outputs a {type(value).__name__}, not a tensor")
    return values


def _capture_with_hooks(model: nn.Module, x: torch.Tensor, layers: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}

    def record(name: str):
        def hook(_module: nn.Module, _inputs: tuple, output: object) -> None:
            values.setdefault(name, output)  # a shared module: its first call
            if len(values) == len(layers):
                raise _Done

        return hook

    handles = [module_for(model, name).register_forward_hook(record(name)) for name in layers]
    with hooks_removed(handles), contextlib.suppress(_Done):
        model(x)
    missing = [name for name in layers if name not in values]
    if missing:
        raise InspectError(f"layer(s) {', '.join(missing)} did not run in the forward pass")
    return values


def layer_input(model: nn.Module, x: torch.Tensor, layer: str) -> torch.Tensor:
    """What module `layer` receives (its first input) for input `x`, the forward stopping there: the
    values the arithmetic view explains a convolution's or a pooling's output from."""
    module = module_for(model, layer)
    values: dict[str, torch.Tensor] = {}

    def keep(_module: nn.Module, inputs: tuple) -> None:
        values["input"] = inputs[0]
        raise _Done

    with hooks_removed([module.register_forward_pre_hook(keep)]), contextlib.suppress(_Done):
        forward(model, x)
    if "input" not in values:
        raise InspectError(f"layer {layer} did not run in the forward pass")
    return values["input"]


_LAYERS: weakref.WeakKeyDictionary[nn.Module, tuple[tuple[int, ...], list[LayerInfo]]] = weakref.WeakKeyDictionary()


def model_layers(model: nn.Module, input_shape: Sequence[int]) -> list[LayerInfo]:
    """`list_layers` for an input of `input_shape` (C, H, W), run once per model (and input shape) and kept
    while the model lives, so every view of the inspector lists the layers of a model without running it
    again. Not thread-safe: call it from one thread (the inspector's worker runs one job at a time)."""
    shape = tuple(int(side) for side in input_shape)
    known = _LAYERS.get(model)
    if known is None or known[0] != shape:
        known = (shape, list_layers(model, torch.zeros(1, *shape)))
        _LAYERS[model] = known
    return known[1]


def spatial_layers(layers: list[LayerInfo]) -> list[LayerInfo]:
    """Layers with 2-D maps whose module a hook can watch (what Grad-CAM and DeepDream can use)."""
    return [layer for layer in layers if layer.is_spatial and layer.hookable]


def channel_layers(layers: list[LayerInfo]) -> list[LayerInfo]:
    """Layers whose channels (maps) or units (vectors) can be maximized one at a time."""
    return [layer for layer in layers if layer.hookable and len(layer.shape) in (1, 3)]


def first_convolution(layers: list[LayerInfo]) -> LayerInfo | None:
    """The first spatial convolution, else the first spatial layer (None when there is none)."""
    spatial = spatial_layers(layers)
    return next((layer for layer in spatial if layer.kind == "Conv2d"), spatial[0] if spatial else None)


def _spatial_hookable(layers: list[LayerInfo]) -> list[str]:
    names = [layer.name for layer in spatial_layers(layers)]
    if not names:
        raise InspectError("the model has no layer with 2-D feature maps (all outputs are vectors)")
    return names


def default_target_layer(layers: list[LayerInfo]) -> str:
    """The last hookable layer with spatial maps: Grad-CAM's usual choice (the last conv block)."""
    return _spatial_hookable(layers)[-1]


def middle_spatial_layer(layers: list[LayerInfo]) -> str:
    """The hookable spatial layer halfway through the network: mid-level features (DeepDream's default)."""
    names = _spatial_hookable(layers)
    return names[len(names) // 2]


@dataclass(frozen=True)
class ChannelStats:
    """Per channel of one sample's activation: min, max, mean, and dead (zero everywhere for this input)."""

    minimum: np.ndarray
    maximum: np.ndarray
    mean: np.ndarray
    dead: np.ndarray

    @property
    def value_range(self) -> tuple[float, float]:
        """The smallest and the largest value of all channels."""
        return float(self.minimum.min()), float(self.maximum.max())

    @property
    def dead_count(self) -> int:
        return int(self.dead.sum())

    @property
    def most_active(self) -> int:
        """The channel with the largest mean."""
        return int(np.argmax(self.mean))


def channel_stats(activation: torch.Tensor) -> ChannelStats:
    """Statistics of a (C, H, W) or (C,) activation (a leading batch of 1 is dropped)."""
    if activation.dim() in (2, 4) and activation.shape[0] == 1:
        activation = activation[0]
    flat = activation.detach().float().reshape(activation.shape[0], -1)
    minimum, maximum = flat.aminmax(dim=1)
    dead = flat.abs().amax(dim=1) == 0
    return ChannelStats(
        minimum.cpu().numpy(), maximum.cpu().numpy(), flat.mean(dim=1).cpu().numpy(), dead.cpu().numpy()
    )
