"""Short human-readable descriptions of nodes and shapes, as shown on the canvas and in tables."""

from __future__ import annotations

from collections.abc import Sequence

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.network import Node
from cnnstudio.graph.params import format_value

_PREFIX = {"stride": "s", "padding": "p", "dilation": "d", "p": "p="}


def compact_label(node: Node) -> str:
    """'Conv2d 64 · 3×3 · s1 · p1', 'MaxPool2d 2×2 · s2', 'Linear 10', 'Input 1×28×28'."""
    spec = layer_spec(node.type)
    if spec is None:
        return node.type
    if spec.is_input:
        return f"Input {node.param('channels')}×{node.param('height')}×{node.param('width')}"
    parts = [node.type]
    for name in spec.key_params:
        value = node.param(name)
        if name == "kernel_size" and not isinstance(value, list | tuple):
            parts.append(f"{value}×{value}")
        elif name == "stride" and value is None:  # pooling: the stride defaults to the kernel size
            parts.append(f"s{format_value(node.param('kernel_size'))}")
        elif name == "padding" and value == 0 and spec.category == "Pooling":
            continue
        elif name in _PREFIX:
            parts.append(f"{_PREFIX[name]}{format_value(value)}")
        else:
            parts.append(format_value(value))
    if len(parts) == 1:
        return node.type
    return f"{parts[0]} {' · '.join(parts[1:])}"


def format_shape(shape: Sequence[int] | None) -> str:
    """(64, 56, 56) → '64×56×56'; None → '?'."""
    if shape is None:
        return "?"
    return "×".join(str(dim) for dim in shape) if shape else "scalar"


def format_count(count: int) -> str:
    """11689512 → '11.7 M', 1500 → '1.5 k', 12 → '12'."""
    for limit, suffix in ((1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")):
        if abs(count) >= limit:
            return f"{count / limit:.3g}{suffix}"
    return str(count)


def format_bytes(count: int) -> str:
    """1536 → '1.5 KiB'."""
    for limit, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= limit:
            return f"{count / limit:.1f} {unit}"
    return f"{count} B"
