"""From a node and its input shapes to a torch.nn constructor call, with checks that explain errors.

Shapes here are per sample (no batch axis): (C, H, W) for feature maps, (F,) for vectors.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass
from typing import Any

from torch import nn

from cnnstudio.graph.catalog import OPTIONAL_PAIR, PADDING, PAIR, layer_spec
from cnnstudio.graph.describe import format_shape
from cnnstudio.graph.network import Node
from cnnstudio.graph.params import as_pair

Shape = tuple[int, ...]

# The first constructor argument that follows from the input, per layer type.
_INFERRED = {
    "Conv2d": "in_channels",
    "ConvTranspose2d": "in_channels",
    "BatchNorm2d": "num_features",
    "GroupNorm": "num_channels",
    "Linear": "in_features",
    "LayerNorm": "normalized_shape",
}
_FEATURE_MAP_LAYERS = {
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool2d",
    "AvgPool2d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "BatchNorm2d",
    "LocalResponseNorm",
    "GroupNorm",
    "Dropout2d",
}


class LayerError(Exception):
    """A node that cannot process its input; the message is for the user."""


@dataclass(frozen=True)
class LayerCall:
    """`nn.<class_name>(**kwargs)`: everything needed to create the layer or write its source."""

    class_name: str
    kwargs: dict[str, Any]

    def instantiate(self) -> nn.Module:
        return getattr(nn, self.class_name)(**self.kwargs)

    def source(self) -> str:
        """`nn.Conv2d(1, 6, kernel_size=5, padding=2)`: the first two required arguments positional (as
        people write them), the other required ones and the non-default ones by name."""
        signature = inspect.signature(getattr(nn, self.class_name).__init__)
        parts = []
        for name, parameter in signature.parameters.items():
            if name not in self.kwargs:
                continue
            value = _compact(self.kwargs[name])
            required = parameter.default is inspect.Parameter.empty
            if required and len(parts) < 2 and "=" not in "".join(parts):
                parts.append(repr(value))
            elif required or _compact(parameter.default) != value:
                parts.append(f"{name}={value!r}")
        return f"nn.{self.class_name}({', '.join(parts)})"


def _compact(value: Any) -> Any:
    """(5, 5) → 5: the form a person writes."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == value[1] and isinstance(value[0], int):
        return value[0]
    return value


def layer_call(node: Node, input_shape: Shape) -> LayerCall:
    """The constructor call of a single-input layer fed `input_shape`; raises LayerError if it cannot work."""
    spec = layer_spec(node.type)
    assert spec is not None and not spec.is_input and not spec.is_merge
    _check_rank(node, input_shape)
    kwargs: dict[str, Any] = {}
    inferred = _INFERRED.get(node.type)
    if inferred == "normalized_shape":
        kwargs[inferred] = tuple(input_shape)
    elif inferred == "in_features":
        kwargs[inferred] = input_shape[-1]
    elif inferred:
        kwargs[inferred] = input_shape[0]
    for param in spec.params:
        value = node.param(param.name)
        if (
            param.kind in (PAIR, OPTIONAL_PAIR)
            and value is not None
            or param.kind == PADDING
            and not isinstance(value, str)
        ):
            value = as_pair(value)
        kwargs[param.name] = value
    _check_layer(node, kwargs, input_shape)
    return LayerCall(node.type, kwargs)


def _check_rank(node: Node, shape: Shape) -> None:
    if node.type in _FEATURE_MAP_LAYERS and len(shape) != 3:
        raise LayerError(
            f"{node.type} needs feature maps (channels × height × width) but receives "
            f"{_describe(shape)}; place it before the Flatten"
        )
    if node.type == "Linear" and len(shape) != 1:
        flat = math.prod(shape)
        raise LayerError(
            f"Linear receives a {len(shape) + 1}-D tensor [N, {', '.join(map(str, shape))}]; "
            f"add a Flatten before it (that gives {flat} features)"
        )


def _describe(shape: Shape) -> str:
    if len(shape) == 1:
        return f"a vector of {shape[0]} features"
    return f"a tensor of shape {format_shape(shape)}"


def _check_layer(node: Node, kwargs: dict[str, Any], shape: Shape) -> None:
    kind = node.type
    if kind in ("Conv2d", "ConvTranspose2d"):
        channels, groups = shape[0], kwargs["groups"]
        if channels % groups or kwargs["out_channels"] % groups:
            raise LayerError(
                f"groups = {groups} must divide both the input channels ({channels}) and "
                f"out_channels ({kwargs['out_channels']})"
            )
    if kind == "Conv2d":
        if kwargs["padding"] == "same" and kwargs["stride"] != (1, 1):
            raise LayerError("padding 'same' only works with stride 1; use a number for the padding")
        _check_window(kwargs, shape, "kernel")
    elif kind == "ConvTranspose2d":
        for axis in range(2):
            if kwargs["output_padding"][axis] >= max(kwargs["stride"][axis], kwargs["dilation"][axis]):
                raise LayerError("output_padding must be smaller than the stride or the dilation")
    elif kind in ("MaxPool2d", "AvgPool2d"):
        kernel = kwargs["kernel_size"]
        if any(p > k // 2 for p, k in zip(kwargs["padding"], kernel, strict=True)):
            raise LayerError(
                f"padding {kwargs['padding'][0]} is more than half the window "
                f"{kernel[0]}×{kernel[1]}; use at most {kernel[0] // 2}"
            )
        _check_window(kwargs, shape, "window")
    elif kind == "GroupNorm" and shape[0] % kwargs["num_groups"]:
        raise LayerError(f"num_groups = {kwargs['num_groups']} must divide the {shape[0]} input channels")
    elif kind == "PReLU" and kwargs["num_parameters"] not in (1, shape[0]):
        raise LayerError(
            f"num_parameters must be 1 or the number of channels ({shape[0]}), not {kwargs['num_parameters']}"
        )
    elif kind == "Softmax" and not -(len(shape) + 1) <= kwargs["dim"] <= len(shape):
        raise LayerError(f"dim = {kwargs['dim']} does not exist in a {len(shape) + 1}-D tensor")
    elif kind == "Flatten" and (kwargs["start_dim"] > len(shape) or kwargs["end_dim"] > len(shape)):
        raise LayerError(
            f"flattening axes {kwargs['start_dim']}…{kwargs['end_dim']} of a {len(shape) + 1}-D tensor is not possible"
        )


def _check_window(kwargs: dict[str, Any], shape: Shape, word: str) -> None:
    padding = (0, 0) if isinstance(kwargs["padding"], str) else kwargs["padding"]
    dilation = kwargs.get("dilation", (1, 1))
    size = shape[1:]
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kwargs["kernel_size"], strict=True)]
    padded = [s + 2 * p for s, p in zip(size, padding, strict=True)]
    if any(e > p for e, p in zip(effective, padded, strict=True)):
        raise LayerError(
            f"its {word} {effective[0]}×{effective[1]} is larger than its input {size[0]}×{size[1]}"
            + (f" (padded to {padded[0]}×{padded[1]})" if any(padding) else "")
            + f"; use a smaller {word}, more padding, or less downsampling before it"
        )


def merge_output_shape(node: Node, shapes: list[Shape], sources: list[str]) -> Shape:
    """Output shape of Add/Mul (broadcasting) or Concat; LayerError names the mismatched inputs."""
    listed = " and ".join(f"{format_shape(s)} from {src}" for s, src in zip(shapes, sources, strict=True))
    if node.type == "Concat":
        rank = len(shapes[0])
        dim = node.param("dim")
        axis = dim - 1 if dim > 0 else rank + dim
        if dim == 0 or not 0 <= axis < rank:
            raise LayerError(f"cannot join along dim {dim} of {rank + 1}-D inputs; use dim 1 (channels)")
        if any(len(s) != rank for s in shapes) or any(
            s[:axis] + s[axis + 1 :] != shapes[0][:axis] + shapes[0][axis + 1 :] for s in shapes
        ):
            raise LayerError(f"Concat received {listed}; all sizes except the joined axis must match")
        return shapes[0][:axis] + (sum(s[axis] for s in shapes),) + shapes[0][axis + 1 :]
    result = shapes[0]
    for shape in shapes[1:]:
        result = _broadcast(result, shape)
        if result is None:
            hint = (
                (" (for a skip connection that changes size, put a 1×1 Conv2d with the same stride on the skip path)")
                if node.type == "Add"
                else ""
            )
            raise LayerError(f"{node.type} received {listed}; the shapes must match{hint}")
    return result


def _broadcast(a: Shape, b: Shape) -> Shape | None:
    if len(a) != len(b):
        return None
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            return None
        out.append(max(x, y))
    return tuple(out)


def arithmetic(call: LayerCall, input_shape: Shape, output_shape: Shape) -> list[str]:
    """The output-size formula of a convolution or pooling layer, with this layer's numbers."""
    kind, kw = call.class_name, call.kwargs
    if kind in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
        return [
            f"output fixed at {output_shape[1]}×{output_shape[2]} whatever the input "
            f"({input_shape[1]}×{input_shape[2]})"
        ]
    if kind not in ("Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d"):
        return []
    if kw.get("padding") == "same":
        return [f"padding 'same': output {output_shape[1]}×{output_shape[2]} = input size"]
    lines = []
    square = input_shape[1] == input_shape[2] and _same_axes(kw)
    for label, axis in [("height = width", 0)] if square else [("height", 0), ("width", 1)]:
        i, out = input_shape[1 + axis], output_shape[1 + axis]
        k = kw["kernel_size"][axis]
        s = (kw["stride"] or kw["kernel_size"])[axis]
        p = kw["padding"][axis]
        d = kw.get("dilation", (1, 1))[axis]
        if kind == "ConvTranspose2d":
            op = kw["output_padding"][axis]
            lines.append(
                f"{label}: O = (W − 1)·S − 2P + D·(K − 1) + OP + 1 = ({i} − 1)·{s} − 2·{p} + "
                f"{d}·({k} − 1) + {op} + 1 = {out}"
            )
            continue
        kernel = f"{k}" if d == 1 else f"({d}·({k} − 1) + 1)"
        open_, close = ("⌈", "⌉") if kw.get("ceil_mode") else ("⌊", "⌋")
        lines.append(
            f"{label}: O = {open_}(W − K + 2P) / S{close} + 1 = "
            f"{open_}({i} − {kernel} + 2·{p}) / {s}{close} + 1 = {out}"
        )
    return lines


def _same_axes(kw: dict[str, Any]) -> bool:
    return all(
        isinstance(v, tuple) and v[0] == v[1]
        for key, v in kw.items()
        if key in ("kernel_size", "stride", "padding", "dilation", "output_padding") and v is not None
    )
