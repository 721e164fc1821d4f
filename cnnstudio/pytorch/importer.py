"""Import a torch model (torchvision classifiers) into a NetworkGraph by `torch.fx.symbolic_trace`.

Leaf modules whose class is in the layer catalog become nodes with their parameters read off the
module; the functional forms torchvision uses (`torch.flatten`, `F.relu`, `x + y`, `torch.cat`,
`F.adaptive_avg_pool2d` …) map to the same layer types. Node ids come from the module paths
(`layer1.0.conv1` → `layer1_0_conv1`), so torchvision state dicts map onto the design by name.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn
from torch.nn import functional as F

from cnnstudio.graph.catalog import BOOL, layer_spec
from cnnstudio.graph.layout import arrange
from cnnstudio.graph.network import NetworkGraph, sanitize_id
from cnnstudio.graph.params import normalize
from cnnstudio.pytorch.weights import WeightsFileError, load_into, load_state_dict_file


class ModelImportError(Exception):
    """A model that cannot be represented as a CNN Studio design; the message says what and where."""


@dataclass
class ImportResult:
    graph: NetworkGraph
    state_dict: dict[str, torch.Tensor] | None  # keyed by node id; None when no pretrained weights were used
    notes: list[str] = field(default_factory=list)


# Functional calls and tensor methods → (layer type, params from the call's args/kwargs).
def _flatten_params(args: tuple, kwargs: dict) -> dict[str, Any]:
    return {"start_dim": kwargs.get("start_dim", args[1] if len(args) > 1 else 0)}


def _adaptive_params(args: tuple, kwargs: dict) -> dict[str, Any]:
    return {"output_size": normalize(kwargs.get("output_size", args[1] if len(args) > 1 else None))}


def _pool_params(args: tuple, kwargs: dict) -> dict[str, Any]:
    names = ("kernel_size", "stride", "padding")
    values = {name: kwargs.get(name, args[i + 1] if len(args) > i + 1 else None) for i, name in enumerate(names)}
    params = {name: normalize(value) for name, value in values.items() if value is not None}
    if kwargs.get("ceil_mode"):
        params["ceil_mode"] = True
    return params


def _dropout_params(args: tuple, kwargs: dict) -> dict[str, Any]:
    return {"p": kwargs.get("p", args[1] if len(args) > 1 else 0.5)}


def _no_params(args: tuple, kwargs: dict) -> dict[str, Any]:
    return {}


_FUNCTIONS: dict[Any, tuple[str, Any]] = {
    torch.flatten: ("Flatten", _flatten_params),
    F.relu: ("ReLU", _no_params),
    torch.relu: ("ReLU", _no_params),
    F.adaptive_avg_pool2d: ("AdaptiveAvgPool2d", _adaptive_params),
    F.max_pool2d: ("MaxPool2d", _pool_params),
    F.avg_pool2d: ("AvgPool2d", _pool_params),
    F.dropout: ("Dropout", _dropout_params),
    torch.sigmoid: ("Sigmoid", _no_params),
    operator.add: ("Add", _no_params),
    operator.iadd: ("Add", _no_params),
    torch.add: ("Add", _no_params),
    operator.mul: ("Mul", _no_params),
    torch.mul: ("Mul", _no_params),
    torch.cat: ("Concat", lambda args, kwargs: {"dim": kwargs.get("dim", args[1] if len(args) > 1 else 0)}),
}
_METHODS = {"flatten": ("Flatten", _flatten_params), "relu": ("ReLU", _no_params), "sigmoid": ("Sigmoid", _no_params)}
_MODULE_ALIASES = {"Identity"}  # modules that vanish: their output is their input


@functools.cache
def _identity_functions() -> frozenset[Any]:
    """Functions that are the identity in inference: torchvision's stochastic depth drops residual branches
    only while training, so the imported design leaves it out (noted in ImportResult.notes)."""
    import torchvision

    return frozenset({torchvision.ops.stochastic_depth})


def graph_from_module(
    model: nn.Module, input_shape: tuple[int, int, int], name: str
) -> tuple[NetworkGraph, dict[str, torch.Tensor]]:
    """Trace `model` (in eval mode) into a design and its state dict keyed by node id."""
    model = model.eval()
    try:
        traced = fx.symbolic_trace(model)
    except Exception as error:
        raise ModelImportError(f"{name} cannot be traced: {str(error).splitlines()[0]}") from None
    graph = NetworkGraph(name)
    produced: dict[fx.Node, str] = {}  # fx node → design node id holding its value
    state: dict[str, torch.Tensor] = {}
    for fx_node in traced.graph.nodes:
        if fx_node.op == "placeholder":
            if any(node.type == "Input" for node in graph.nodes.values()):
                raise ModelImportError(f"{name} takes several inputs; CNN Studio designs take one image")
            graph.add_node(
                "Input", dict(zip(("channels", "height", "width"), input_shape, strict=True)), node_id="input"
            )
            produced[fx_node] = "input"
        elif fx_node.op == "output":
            if not isinstance(fx_node.args[0], fx.Node) or fx_node.args[0] not in produced:
                raise ModelImportError(
                    f"{name} returns several values or a structure; CNN Studio expects one tensor of class scores"
                )
        elif fx_node.op == "call_module":
            _import_module(graph, traced, fx_node, produced, state, name)
        elif fx_node.op in ("call_function", "call_method"):
            _import_function(graph, fx_node, produced, name)
        else:
            raise ModelImportError(
                f"{name}: {fx_node.op} '{fx_node.target}' at {fx_node.name} cannot be represented as a layer"
            )
    return graph, state


def _tensor_inputs(fx_node: fx.Node, produced: dict[fx.Node, str], name: str) -> list[str]:
    sources: list[fx.Node] = []
    for arg in fx_node.args:
        items = arg if isinstance(arg, list | tuple) else [arg]
        sources.extend(item for item in items if isinstance(item, fx.Node))
    missing = [source.name for source in sources if source not in produced]
    if missing:
        raise ModelImportError(
            f"{name}: {fx_node.name} uses {', '.join(missing)}, which is not a layer CNN Studio can represent"
        )
    return [produced[source] for source in sources]


def _import_module(
    graph: NetworkGraph, traced: fx.GraphModule, fx_node: fx.Node, produced: dict, state: dict, name: str
) -> None:
    module = traced.get_submodule(fx_node.target)
    class_name = type(module).__name__
    sources = _tensor_inputs(fx_node, produced, name)
    if class_name in _MODULE_ALIASES:
        produced[fx_node] = sources[0]
        return
    spec = layer_spec(class_name)
    if spec is None or spec.is_input or spec.is_merge:
        raise ModelImportError(
            f"{name}: layer {fx_node.target} is a {class_name}, which CNN Studio has no layer type for"
        )
    params = {}
    for param in spec.params:
        if param.kind == BOOL and param.name == "bias":
            value = getattr(module, "bias", None) is not None
        elif param.name == "init":
            value = float(module.weight.detach().flatten()[0])
        else:
            value = getattr(module, param.name, param.default)
        value = normalize(value)
        if value != param.default:
            params[param.name] = value
    node_id = graph.unique_id(sanitize_id(str(fx_node.target)))
    graph.add_node(class_name, params, node_id=node_id)
    for src in sources:
        graph.connect(src, node_id)
    for key, tensor in module.state_dict().items():
        state[f"{node_id}.{key}"] = tensor
    produced[fx_node] = node_id


def _import_function(graph: NetworkGraph, fx_node: fx.Node, produced: dict, name: str) -> None:
    if fx_node.target in _identity_functions():
        produced[fx_node] = _tensor_inputs(fx_node, produced, name)[0]
        return
    table = _FUNCTIONS if fx_node.op == "call_function" else _METHODS
    entry = table.get(fx_node.target)
    if entry is None:
        target = getattr(fx_node.target, "__name__", str(fx_node.target))
        raise ModelImportError(
            f"{name}: the operation {target} (at {fx_node.name}) has no CNN Studio layer; "
            "models that reshape or index tensors this way cannot be imported"
        )
    layer_type, read_params = entry
    sources = _tensor_inputs(fx_node, produced, name)
    if not sources:
        raise ModelImportError(f"{name}: {fx_node.name} combines constants, not layers")
    if layer_type == "Concat" and len(sources) == 1:  # torch.cat([x]) is x (DenseNet's first layer)
        produced[fx_node] = sources[0]
        return
    if layer_type in ("Add", "Mul") and len(sources) < 2:
        raise ModelImportError(
            f"{name}: {fx_node.name} combines a layer with a constant, which CNN Studio cannot represent"
        )
    params = read_params(fx_node.args, fx_node.kwargs)
    spec = layer_spec(layer_type)
    params = {key: value for key, value in params.items() if spec.param(key) and value != spec.param(key).default}
    stack = fx_node.meta.get("nn_module_stack") or {}
    owner = list(stack.values())[-1][0] if stack else ""
    base = f"{owner}_{fx_node.name}" if owner else fx_node.name
    node_id = graph.unique_id(sanitize_id(base.replace(".", "_")))
    graph.add_node(layer_type, params, node_id=node_id)
    for src in sources:
        graph.connect(src, node_id)
    produced[fx_node] = node_id


TORCHVISION_PREFIX = "torchvision:"


def torchvision_name(spec: str) -> str | None:
    """ "torchvision:resnet18" → "resnet18"; None for a spec that does not name a torchvision model."""
    text = spec.strip()
    return text[len(TORCHVISION_PREFIX) :].strip() if text.startswith(TORCHVISION_PREFIX) else None


def torchvision_spec(name: str) -> str:
    """ "resnet18" → "torchvision:resnet18", how a model list, a command line or a catalog names it."""
    return f"{TORCHVISION_PREFIX}{name}"


def torchvision_model_names() -> list[str]:
    """The torchvision image-classification models."""
    import torchvision

    return sorted(torchvision.models.list_models(module=torchvision.models))


def torchvision_weights(name: str) -> Any:
    """The default ImageNet weights (a torchvision WeightsEnum member) of classifier `name`.

    Raises ModelImportError for a name torchvision has no classification model for.
    """
    import torchvision

    if name not in torchvision_model_names():
        raise ModelImportError(
            f"torchvision has no classification model {name!r}; "
            f"try one of: {', '.join(torchvision_model_names()[:12])} …"
        )
    return torchvision.models.get_model_weights(name).DEFAULT


def torchvision_weights_file(name: str) -> Path:
    """Where torch.hub keeps (or would keep) the default weights of `name` (honours $TORCH_HOME)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(torchvision_weights(name).url).name


# Networks with auxiliary classifiers, which only run in training; torchvision's `transform_input`
# re-normalizes their input inside the model, which a design leaves to its preprocessing.
_AUXILIARY = {"googlenet", "inception_v3"}


def torchvision_module(name: str) -> nn.Module:
    """torchvision's classifier `name` with random weights, as it computes in inference (without the
    auxiliary classifiers and the input transform of GoogLeNet and Inception-v3)."""
    import torchvision

    kwargs = {"aux_logits": False, "init_weights": False, "transform_input": False} if name in _AUXILIARY else {}
    return torchvision.models.get_model(name, weights=None, **kwargs)


def import_torchvision(model_name: str, *, pretrained: str = "cached") -> ImportResult:
    """Import `torchvision.models.<model_name>` as a laid-out design.

    pretrained: "cached" uses the default ImageNet weights when they are already in the torch cache
    (never downloads: cnnstudio.pretrained.torchvision_zoo downloads them), "none" keeps random weights.
    """
    weights_enum = torchvision_weights(model_name)
    model = torchvision_module(model_name)
    notes = ["auxiliary classifiers left out (they are only used in training)"] if model_name in _AUXILIARY else []
    weights_used = None
    cached = torchvision_weights_file(model_name)
    if pretrained != "none" and cached.is_file():
        try:
            weights_used = load_state_dict_file(cached)
            weights_used = {k: v for k, v in weights_used.items() if not k.startswith("aux")}
            notes.extend(load_into(model, weights_used, source=f"the cached weights {cached.name}"))
        except WeightsFileError as error:
            raise ModelImportError(
                f"the cached ImageNet weights of {model_name} cannot be used: {error}. Delete {cached} to "
                "download them again, or import with --pretrained none"
            ) from None
        notes.append(f"pretrained weights {weights_enum} loaded")
    size = weights_enum.transforms().crop_size[0] if hasattr(weights_enum.transforms(), "crop_size") else 224
    graph, state = graph_from_module(model, (3, size, size), model_name)
    graph.description = f"torchvision {model_name}" + (" with ImageNet weights" if weights_used else "")
    arrange(graph)
    return ImportResult(graph, state if weights_used is not None else None, notes)


def torchvision_state_dict_for(state_dict: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename a torchvision state dict to node ids ('layer1.0.conv1.weight' → 'layer1_0_conv1.weight').

    Works for designs imported from torchvision and for the templates traced from it.
    """
    renamed = {}
    for key, tensor in state_dict.items():
        module_path, _, tensor_name = key.rpartition(".")
        renamed[f"{sanitize_id(module_path)}.{tensor_name}"] = tensor
    return renamed
