"""Import an ONNX file into a NetworkGraph: each ONNX node becomes the torch module or function the
torchvision importer already maps to a catalog layer (cnnstudio.pytorch.importer.graph_from_module).

Our own mapping rather than onnx2torch: onnx2torch emits its own module classes (OnnxBinaryMathOperation,
OnnxGemm …) that the layer catalog does not know, and it reads external data files wherever the model
points; here every node becomes a catalog layer's own module, and the file is checked before any tensor
is allocated (external data refused, declared sizes against the bytes present, a cycle named).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from cnnstudio.graph.layout import arrange
from cnnstudio.graph.network import sanitize_id
from cnnstudio.pytorch.importer import ImportResult, ModelImportError, graph_from_module

_MAX_FILE_BYTES = 2 << 30


def _attributes(node: Any) -> dict[str, Any]:
    import onnx

    return {attribute.name: onnx.helper.get_attribute_value(attribute) for attribute in node.attribute}


def _check_tensor(tensor: Any, where: str) -> None:
    """Refuse external data and declared shapes larger than the bytes the file holds, before allocating."""
    import onnx

    if tensor.data_location == onnx.TensorProto.EXTERNAL or tensor.external_data:
        raise ModelImportError(
            f"{where}: tensor {tensor.name!r} keeps its values in an external file; "
            "CNN Studio reads only self-contained ONNX files (save it with save_as_external_data=False)"
        )
    count = math.prod(tensor.dims)
    itemsize = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize
    present = len(tensor.raw_data) if tensor.raw_data else 0
    for field in ("float_data", "int32_data", "int64_data", "double_data", "uint64_data"):
        present = max(present, len(getattr(tensor, field)) * itemsize)
    if count * itemsize > present:
        raise ModelImportError(
            f"{where}: tensor {tensor.name!r} declares shape {list(tensor.dims)} "
            f"({count * itemsize} bytes) but the file holds {present} bytes for it; the file is damaged or crafted"
        )


def _read_model(path: Path) -> Any:
    try:
        import onnx
    except ImportError:
        raise ModelImportError("importing ONNX files needs the onnx package: pip install 'cnnstudio[onnx]'") from None
    if not path.is_file():
        raise ModelImportError(f"{path}: no such file")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise ModelImportError(f"{path}: larger than 2 GB; CNN Studio imports self-contained ONNX files only")
    try:
        model = onnx.load_model(str(path), load_external_data=False)
    except Exception as error:  # protobuf's DecodeError and friends: not an ONNX file
        raise ModelImportError(f"{path} is not an ONNX model file ({type(error).__name__})") from None
    if not model.graph.node:
        raise ModelImportError(f"{path} is not an ONNX model file (it has no graph nodes)")
    for tensor in model.graph.initializer:
        _check_tensor(tensor, str(path))
    for node in model.graph.node:
        for value in _attributes_raw(node):
            _check_tensor(value, f"{path}: node {node.name or node.op_type}")
    return model


def _attributes_raw(node: Any) -> list[Any]:
    return [attribute.t for attribute in node.attribute if attribute.HasField("t")]


def _ordered(nodes: list[Any], available: set[str], where: str) -> list[Any]:
    """The nodes in an order where each one's inputs exist; a cycle or a missing input is named."""
    ordered, pending, known = [], list(nodes), set(available)
    while pending:
        ready = [node for node in pending if all(name in known or not name for name in node.input)]
        if not ready:
            names = ", ".join(f"{node.name or '?'} ({node.op_type})" for node in pending[:5])
            raise ModelImportError(f"{where}: the graph has a cycle or an input nobody produces, at {names}")
        for node in ready:
            ordered.append(node)
            known.update(node.output)
            pending.remove(node)
    return ordered


def _pads_2d(attrs: dict[str, Any], where: str) -> tuple[int, int]:
    pads = list(attrs.get("pads", [0, 0, 0, 0]))
    if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET") or pads[:2] != pads[2:]:
        raise ModelImportError(f"{where}: asymmetric or automatic padding cannot be represented")
    return (int(pads[0]), int(pads[1]))


def _module_path(node_name: str) -> str:
    """torch's exporter names nodes by module scope, "/features/features.1/block/block.0/block.0.0/Conv";
    that is the module path "features.1.block.0.0", so torch's own layer names come back as node ids."""
    parts = [part for part in node_name.split("/") if part]
    if len(parts) < 2:
        return node_name
    groups: list[str] = []
    for part in parts[:-1]:
        head = part.split(".")[0]
        if groups and "." in part and (groups[-1] == head or groups[-1].startswith(head + ".")):
            groups[-1] = part
        else:
            groups.append(part)
    return ".".join(groups)


class _Builder:
    """Translates ONNX nodes into an fx graph of catalog modules and functions."""

    def __init__(self, model: Any, where: str) -> None:
        from onnx import numpy_helper

        self.where = where
        self.constants: dict[str, torch.Tensor] = {
            tensor.name: torch.from_numpy(numpy_helper.to_array(tensor).copy()) for tensor in model.graph.initializer
        }
        self.root = nn.Module()
        self.graph = fx.Graph()
        self.values: dict[str, fx.Node] = {}

    def const(self, name: str) -> torch.Tensor:
        """A float copy of the constant `name`: exporters share equal tensors between layers, which the
        design's weights file (safetensors) must store separately."""
        if name not in self.constants:
            raise ModelImportError(f"{self.where}: {name!r} must be a constant (a weight) for this operator")
        return self.constants[name].float().clone()

    def module(self, node: Any, module: nn.Module, source: str) -> None:
        target = sanitize_id(_module_path(node.name or node.output[0]))
        while hasattr(self.root, target):
            target += "_"
        self.root.add_module(target, module)
        self.values[node.output[0]] = self.graph.call_module(target, (self.values[source],))

    def function(
        self, node: Any, function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any] | None = None
    ) -> None:
        self.values[node.output[0]] = self.graph.call_function(function, args, kwargs or {})

    def alias(self, node: Any, source: str) -> None:
        """The node's output is its input: a layer's value, or a constant (exporters share equal weights
        through Identity nodes)."""
        if source in self.constants:
            self.constants[node.output[0]] = self.constants[source]
        else:
            self.values[node.output[0]] = self.values[source]


_Op = Callable[[_Builder, Any, dict[str, Any]], None]  # reads one ONNX node into the builder


def _conv(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    weight = b.const(node.input[1])
    if weight.dim() != 4:
        raise ModelImportError(f"{b.where}: {node.name} is a {weight.dim() - 2}-d convolution; only 2-d maps")
    groups = int(attrs.get("group", 1))
    conv = nn.Conv2d(
        weight.shape[1] * groups,
        weight.shape[0],
        (weight.shape[2], weight.shape[3]),
        stride=tuple(attrs.get("strides", (1, 1))),
        padding=_pads_2d(attrs, f"{b.where}: {node.name}"),
        dilation=tuple(attrs.get("dilations", (1, 1))),
        groups=groups,
        bias=len(node.input) > 2 and bool(node.input[2]),
    )
    conv.weight.data = weight.float()
    if conv.bias is not None:
        conv.bias.data = b.const(node.input[2]).float()
    b.module(node, conv, node.input[0])


def _gemm(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    weight = b.const(node.input[1]).float()
    if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
        raise ModelImportError(f"{b.where}: {node.name} is a Gemm with transA/alpha/beta, not a Linear layer")
    if not attrs.get("transB", 0):
        weight = weight.t()
    linear = nn.Linear(weight.shape[1], weight.shape[0], bias=len(node.input) > 2 and bool(node.input[2]))
    linear.weight.data = weight.contiguous()
    if linear.bias is not None:
        linear.bias.data = b.const(node.input[2]).float().reshape(-1)
    b.module(node, linear, node.input[0])


def _batchnorm(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    scale, bias, mean, var = (b.const(name).float() for name in node.input[1:5])
    bn = nn.BatchNorm2d(scale.shape[0], eps=float(attrs.get("epsilon", 1e-5)), momentum=1 - attrs.get("momentum", 0.9))
    with torch.no_grad():
        bn.weight.copy_(scale)
        bn.bias.copy_(bias)
        bn.get_buffer("running_mean").copy_(mean)
        bn.get_buffer("running_var").copy_(var)
    b.module(node, bn, node.input[0])


def _pool(kind: type[nn.Module]) -> _Op:
    def build(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
        kernel = tuple(attrs["kernel_shape"])
        padding = _pads_2d(attrs, f"{b.where}: {node.name}")
        kwargs: dict[str, Any] = {"stride": tuple(attrs.get("strides", kernel)), "padding": padding}
        kwargs["ceil_mode"] = bool(attrs.get("ceil_mode", 0))
        if kind is nn.AvgPool2d:
            kwargs["count_include_pad"] = bool(attrs.get("count_include_pad", 0)) or padding == (0, 0)
        b.module(node, kind(kernel, **kwargs), node.input[0])

    return build


def _clip(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    low = float(b.const(node.input[1])) if len(node.input) > 1 and node.input[1] else attrs.get("min")
    high = float(b.const(node.input[2])) if len(node.input) > 2 and node.input[2] else attrs.get("max")
    if (low, high) != (0.0, 6.0):
        raise ModelImportError(f"{b.where}: {node.name} clips to [{low}, {high}]; only [0, 6] (ReLU6) maps")
    b.module(node, nn.ReLU6(), node.input[0])


def _flatten(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    b.function(node, torch.flatten, (b.values[node.input[0]],), {"start_dim": int(attrs.get("axis", 1))})


def _reshape(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    shape = b.const(node.input[1]).tolist()
    if len(shape) != 2 or shape[0] not in (0, 1, -1) and shape[1] != -1:
        raise ModelImportError(f"{b.where}: {node.name} reshapes to {shape}; only flattening to (batch, -1) maps")
    b.function(node, torch.flatten, (b.values[node.input[0]],), {"start_dim": 1})


def _binary(function: Callable[..., Any]) -> _Op:
    def build(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
        if node.op_type == "Add" and _fold_bias(b, node):
            return
        missing = [name for name in node.input if name not in b.values]
        if missing:
            raise ModelImportError(
                f"{b.where}: {node.name} ({node.op_type}) combines a layer with the constant {missing[0]!r}, "
                "which CNN Studio cannot represent"
            )
        b.function(node, function, tuple(b.values[name] for name in node.input))

    return build


def _fold_bias(b: _Builder, node: Any) -> bool:
    """MatMul by a weight, then Add of a constant: the bias of the Linear layer the MatMul became."""
    layer_input, constant = node.input if node.input[1] in b.constants else node.input[::-1]
    if constant not in b.constants or layer_input not in b.values:
        return False
    producer = b.values[layer_input]
    linear = b.root.get_submodule(str(producer.target)) if producer.op == "call_module" else None
    if not isinstance(linear, nn.Linear) or linear.bias is not None or len(producer.users) > 0:
        return False
    linear.bias = nn.Parameter(b.const(constant).float().reshape(-1).expand(linear.out_features).clone())
    b.alias(node, layer_input)
    return True


def _matmul(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    weight = b.const(node.input[1]).float()
    if weight.dim() != 2:
        raise ModelImportError(f"{b.where}: {node.name} multiplies by a {weight.dim()}-d tensor, not a Linear weight")
    linear = nn.Linear(weight.shape[0], weight.shape[1], bias=False)
    linear.weight.data = weight.t().contiguous()
    b.module(node, linear, node.input[0])


def _concat(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    b.function(node, torch.cat, ([b.values[name] for name in node.input],), {"dim": int(attrs.get("axis", 0))})


def _global_avg(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    b.module(node, nn.AdaptiveAvgPool2d(1), node.input[0])


def _simple(module: Callable[[], nn.Module]) -> _Op:
    return lambda b, node, attrs: b.module(node, module(), node.input[0])


def _softmax(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    b.module(node, nn.Softmax(dim=int(attrs.get("axis", -1))), node.input[0])


def _alias(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    b.alias(node, node.input[0])


def _constant(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    from onnx import numpy_helper

    if "value" not in attrs:
        raise ModelImportError(f"{b.where}: {node.name} is a Constant without a tensor value")
    b.constants[node.output[0]] = torch.from_numpy(numpy_helper.to_array(attrs["value"]).copy())


def _hard_sigmoid(b: _Builder, node: Any, attrs: dict[str, Any]) -> None:
    if abs(attrs.get("alpha", 0.2) - 1 / 6) > 1e-6 or attrs.get("beta", 0.5) != 0.5:
        raise ModelImportError(f"{b.where}: {node.name} is a HardSigmoid with alpha≠1/6; only torch's maps")
    b.module(node, nn.Hardsigmoid(), node.input[0])


_OPERATORS: dict[str, _Op] = {
    "Conv": _conv,
    "Gemm": _gemm,
    "MatMul": _matmul,
    "BatchNormalization": _batchnorm,
    "Relu": _simple(nn.ReLU),
    "Sigmoid": _simple(nn.Sigmoid),
    "Tanh": _simple(nn.Tanh),
    "HardSwish": _simple(nn.Hardswish),
    "HardSigmoid": _hard_sigmoid,
    "Clip": _clip,
    "MaxPool": _pool(nn.MaxPool2d),
    "AveragePool": _pool(nn.AvgPool2d),
    "GlobalAveragePool": _global_avg,
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Add": _binary(operator.add),
    "Mul": _binary(operator.mul),
    "Concat": _concat,
    "Softmax": _softmax,
    "Dropout": _alias,
    "Identity": _alias,
    "Constant": _constant,
}


def unsupported_nodes(model: Any) -> list[tuple[str, str]]:
    """(node name, op type) of every node whose operator has no mapping."""
    return [(node.name or "?", node.op_type) for node in model.graph.node if node.op_type not in _OPERATORS]


def import_onnx(path: Path | str) -> ImportResult:
    """The ONNX file at `path` as a laid-out design with its weights keyed by node id.

    Raises ModelImportError naming every node that cannot be represented (nothing is imported half-way),
    and for a file that is not ONNX, keeps data outside itself, declares more bytes than it holds, or
    has a cycle.
    """
    path = Path(path)
    model = _read_model(path)
    where = str(path)
    unsupported = unsupported_nodes(model)
    if unsupported:
        listed = "; ".join(f"{name} ({op})" for name, op in unsupported)
        raise ModelImportError(f"{where}: {len(unsupported)} node(s) have no CNN Studio layer: {listed}")
    builder = _Builder(model, where)
    inputs = [value for value in model.graph.input if value.name not in builder.constants]
    if len(inputs) != 1:
        raise ModelImportError(f"{where}: the model takes {len(inputs)} inputs; a design takes one image")
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim]
    if len(dims) != 4 or not all(dims[1:]):
        raise ModelImportError(f"{where}: the input has shape {dims}; a design takes a fixed N×C×H×W image")
    builder.values[inputs[0].name] = builder.graph.placeholder("x")
    for node in _ordered(list(model.graph.node), {inputs[0].name, *builder.constants}, where):
        _OPERATORS[node.op_type](builder, node, _attributes(node))
    if len(model.graph.output) != 1:
        raise ModelImportError(f"{where}: the model returns {len(model.graph.output)} values; a design returns one")
    builder.graph.output(builder.values[model.graph.output[0].name])
    module = fx.GraphModule(builder.root, builder.graph)
    graph, state = graph_from_module(module, (dims[1], dims[2], dims[3]), path.name.removesuffix(".onnx"))
    graph.description = f"imported from {path.name}"
    arrange(graph)
    return ImportResult(graph, state)
