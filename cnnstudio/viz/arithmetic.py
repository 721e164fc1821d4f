"""The arithmetic behind one output value of a convolution or pooling layer, with the layer's own numbers.

For a convolution: for every input channel the patch under the kernel, the kernel, their elementwise
products and the products' sum; then the total over channels, the bias, the activation and the value.
For pooling: the window and which value won (max) or the sum and the divisor (average). Stride, padding
(numbers, 'same', 'valid', and the padding modes), dilation and groups are handled; the numbers equal
the layer's real output at that position. `convolve_grid` does the same for typed-in grids (the grid
editor), including the lecture's "multiply, add up, divide by the number of pixels".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from cnnstudio.viz.activations import module_for
from cnnstudio.viz.runtime import InspectError, forward, hooks_removed

ELEMENTWISE_ACTIVATIONS = (
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.SELU,
    nn.CELU,
    nn.GELU,
    nn.SiLU,
    nn.Mish,
    nn.Hardswish,
    nn.Hardsigmoid,
    nn.Hardtanh,
    nn.Sigmoid,
    nn.Tanh,
    nn.Softplus,
)


def elementwise_activation(name: str) -> nn.Module:
    """A new elementwise activation module by its class name ("ReLU", "Sigmoid", …), with its defaults."""
    kinds = {kind.__name__: kind for kind in ELEMENTWISE_ACTIVATIONS}
    if name not in kinds:
        raise InspectError(f"unknown activation {name!r}; choose one of {', '.join(kinds)}")
    return kinds[name]()


@dataclass(frozen=True)
class ChannelProducts:
    input_channel: int  # index of the channel in the layer's input
    patch: np.ndarray  # (kh, kw) input values under the kernel (the padding value where outside the input)
    kernel: np.ndarray  # (kh, kw)
    products: np.ndarray  # patch × kernel, elementwise
    sum: float


@dataclass(frozen=True)
class ConvExplanation:
    out_channel: int
    row: int  # output position
    col: int
    rows: tuple[int, ...]  # the input row under each kernel row (outside 0…H−1: padding)
    cols: tuple[int, ...]
    input_size: tuple[int, int]
    channels: tuple[ChannelProducts, ...]
    total: float  # sum of all products over all channels
    divisor: float  # 1 for a layer; the number of products for the lecture's "divide"
    bias: float
    pre_activation: float  # total / divisor + bias
    activation: str | None
    value: float  # activation(pre_activation), or pre_activation without one

    @property
    def in_padding(self) -> np.ndarray:
        """(kh, kw) True where the kernel lies over padding rather than the input."""
        rows, cols = np.array(self.rows), np.array(self.cols)
        outside_rows = (rows < 0) | (rows >= self.input_size[0])
        outside_cols = (cols < 0) | (cols >= self.input_size[1])
        return outside_rows[:, None] | outside_cols[None, :]

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(top, left, bottom, right), inclusive, of the patch on the input, clipped to it: the highlight."""
        return _clipped_box(self.rows, self.cols, self.input_size)


def _clipped_box(rows: Sequence[int], cols: Sequence[int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    return (max(min(rows), 0), max(min(cols), 0), min(max(rows), size[0] - 1), min(max(cols), size[1] - 1))


def _single(x: torch.Tensor) -> torch.Tensor:
    """One sample as (C, H, W)."""
    if x.dim() == 4:
        if x.shape[0] != 1:
            raise InspectError(f"explain one input at a time, not a batch of {x.shape[0]}")
        x = x[0]
    if x.dim() != 3:
        raise InspectError(f"the layer input must be (C, H, W), got shape {tuple(x.shape)}")
    return x.detach()


def _conv_padding(conv: nn.Conv2d) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) zeros or mode padding applied before the kernel slides."""
    if conv.padding == "valid":
        pads = [(0, 0), (0, 0)]
    elif conv.padding == "same":  # torch puts the odd extra pixel at the bottom/right
        pads = [
            (d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
            for d, k in zip(conv.dilation, conv.kernel_size, strict=True)
        ]
    else:
        pads = [(p, p) for p in conv.padding]
    # TensorFlow-style "same" convolutions (efficientnet-pytorch, timm) pad with a ZeroPad2d first.
    static = getattr(conv, "static_padding", None)
    if isinstance(static, nn.ZeroPad2d):
        left, right, top, bottom = static.padding
        pads = [(pads[0][0] + top, pads[0][1] + bottom), (pads[1][0] + left, pads[1][1] + right)]
    return pads[0][0], pads[0][1], pads[1][0], pads[1][1]


def _output_length(size: int, before: int, after: int, kernel: int, stride: int, dilation: int) -> int:
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def _check_position(name: str, value: int, limit: int) -> None:
    if not 0 <= value < limit:
        raise InspectError(f"{name} {value} is outside the output (0…{limit - 1})")


def _apply(activation: nn.Module, values: torch.Tensor) -> torch.Tensor:
    """An elementwise activation on float64 values (in its parameters' dtype if it has any, e.g. PReLU)."""
    parameter = next(iter(activation.parameters()), None)
    with torch.no_grad():
        return activation(values.to(parameter.dtype) if parameter is not None else values).double()


def _activate(activation: nn.Module | None, value: float, channel: int, channels: int) -> float:
    """Apply an elementwise activation to one value (as channel `channel`, for per-channel ones like PReLU)."""
    if activation is None:
        return value
    return float(_apply(activation, torch.full((1, channels, 1, 1), value, dtype=torch.float64))[0, channel, 0, 0])


def _explain_output(
    conv: nn.Conv2d,
    padded: np.ndarray,
    input_size: tuple[int, int],
    output_size: tuple[int, int],
    out_channel: int,
    row: int,
    col: int,
    *,
    divisor: float,
    activation: nn.Module | None,
) -> ConvExplanation:
    """The arithmetic of output (out_channel, row, col) of `conv`, from its input padded as it pads it
    ((C, H + pads, W + pads) float64)."""
    _check_position("output channel", out_channel, conv.out_channels)
    _check_position("row", row, output_size[0])
    _check_position("column", col, output_size[1])
    top, _, left, _ = _conv_padding(conv)
    weight = conv.weight.detach().double().cpu().numpy()
    bias = float(conv.bias[out_channel].detach()) if conv.bias is not None else 0.0
    out_channels, group_inputs, kh, kw = weight.shape
    rows_padded = row * conv.stride[0] + np.arange(kh) * conv.dilation[0]
    cols_padded = col * conv.stride[1] + np.arange(kw) * conv.dilation[1]
    first_input = (out_channel // (out_channels // conv.groups)) * group_inputs
    patches = padded[first_input : first_input + group_inputs][:, rows_padded[:, None], cols_padded[None, :]]
    kernels = weight[out_channel]
    products = patches * kernels
    sums = products.sum(axis=(1, 2))
    channels = tuple(
        ChannelProducts(first_input + i, patches[i], kernels[i], products[i], float(sums[i]))
        for i in range(group_inputs)
    )
    total = float(products.sum())
    pre_activation = total / divisor + bias
    return ConvExplanation(
        out_channel,
        row,
        col,
        tuple(int(r) for r in rows_padded - top),
        tuple(int(c) for c in cols_padded - left),
        input_size,
        channels,
        total,
        divisor,
        bias,
        pre_activation,
        type(activation).__name__ if activation is not None else None,
        _activate(activation, pre_activation, out_channel, out_channels),
    )


def explain_conv(
    conv: nn.Conv2d, x: torch.Tensor, out_channel: int, row: int, col: int, *, activation: nn.Module | None = None
) -> ConvExplanation:
    """How `conv` computes output (out_channel, row, col) from its input `x` ((C,H,W) or (1,C,H,W)).

    `activation` (e.g. from `following_activation`) is applied to the result as the final step.
    """
    if not isinstance(conv, nn.Conv2d):
        raise InspectError(f"a {type(conv).__name__} is not a convolution")
    x = _single(x)
    if x.shape[0] != conv.in_channels:
        raise InspectError(f"the convolution takes {conv.in_channels} channels, the input has {x.shape[0]}")
    top, bottom, left, right = _conv_padding(conv)
    mode = "constant" if conv.padding_mode == "zeros" else conv.padding_mode
    padded = F.pad(x.to(torch.float64)[None], (left, right, top, bottom), mode=mode)[0].cpu().numpy()
    height, width = x.shape[1:]
    output_size = (
        _output_length(height, top, bottom, conv.kernel_size[0], conv.stride[0], conv.dilation[0]),
        _output_length(width, left, right, conv.kernel_size[1], conv.stride[1], conv.dilation[1]),
    )
    explanation = _explain_output(
        conv, padded, (height, width), output_size, out_channel, row, col, divisor=1.0, activation=activation
    )
    if type(conv).forward is not nn.Conv2d.forward:  # a subclass that may do more than convolve
        with torch.no_grad():
            actual = float(conv(x[None])[0, out_channel, row, col])
        if not math.isclose(actual, explanation.pre_activation, rel_tol=1e-4, abs_tol=1e-4):
            raise InspectError(
                f"{type(conv).__name__} does more than a plain convolution (its output here is "
                f"{actual:.6g}, the arithmetic gives {explanation.pre_activation:.6g}); "
                "it cannot be explained"
            )
    return explanation


@dataclass(frozen=True)
class PoolExplanation:
    kind: str  # "max" or "average"
    channel: int
    row: int
    col: int
    rows: tuple[int, ...]  # input rows of the window (outside 0…H−1: padding)
    cols: tuple[int, ...]
    input_size: tuple[int, int]
    window: np.ndarray  # (len(rows), len(cols)) input values, NaN outside the input
    winner: tuple[int, int] | None  # input (row, col) of the maximum; None for average pooling
    total: float | None  # average pooling: the sum of the window's values
    divisor: float | None  # average pooling: what the sum is divided by
    value: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(top, left, bottom, right), inclusive, of the window on the input, clipped to it."""
        return _clipped_box(self.rows, self.cols, self.input_size)


def _pool_length(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    length = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (length - 1) * stride >= size + padding:  # the last window must start inside
        length -= 1
    return length


def _pair(value: int | Sequence[int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def _window(x: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    inside = ((rows >= 0) & (rows < x.shape[0]))[:, None] & ((cols >= 0) & (cols < x.shape[1]))[None, :]
    values = x[np.clip(rows, 0, x.shape[0] - 1)[:, None], np.clip(cols, 0, x.shape[1] - 1)[None, :]]
    return np.where(inside, values, np.nan)


def _adaptive_bounds(index: int, size: int, out: int) -> tuple[int, int]:
    return (index * size) // out, -(-((index + 1) * size) // out)


def explain_pool(pool: nn.Module, x: torch.Tensor, channel: int, row: int, col: int) -> PoolExplanation:
    """How a MaxPool2d, AvgPool2d, AdaptiveMaxPool2d or AdaptiveAvgPool2d computes output (channel, row, col)."""
    x = _single(x)
    height, width = x.shape[1:]
    _check_position("channel", channel, x.shape[0])
    plane = x[channel].double().cpu().numpy()
    if isinstance(pool, nn.AdaptiveMaxPool2d | nn.AdaptiveAvgPool2d):
        sizes = pool.output_size if isinstance(pool.output_size, tuple | list) else (pool.output_size,) * 2
        out_h, out_w = (full if size is None else int(size) for size, full in zip(sizes, (height, width), strict=True))
        _check_position("row", row, out_h)
        _check_position("column", col, out_w)
        (r0, r1), (c0, c1) = _adaptive_bounds(row, height, out_h), _adaptive_bounds(col, width, out_w)
        rows, cols = np.arange(r0, r1), np.arange(c0, c1)
        window = _window(plane, rows, cols)
        kind = "max" if isinstance(pool, nn.AdaptiveMaxPool2d) else "average"
        divisor = float(window.size) if kind == "average" else None
    elif isinstance(pool, nn.MaxPool2d | nn.AvgPool2d):
        kernel, padding = _pair(pool.kernel_size), _pair(pool.padding)
        stride = _pair(pool.stride or pool.kernel_size)
        dilation = _pair(pool.dilation) if isinstance(pool, nn.MaxPool2d) else (1, 1)
        out_h, out_w = (
            _pool_length(size, k, s, p, d, pool.ceil_mode)
            for size, k, s, p, d in zip((height, width), kernel, stride, padding, dilation, strict=True)
        )
        _check_position("row", row, out_h)
        _check_position("column", col, out_w)
        start_r, start_c = row * stride[0] - padding[0], col * stride[1] - padding[1]
        if isinstance(pool, nn.MaxPool2d):
            kind, divisor = "max", None
            rows = start_r + np.arange(kernel[0]) * dilation[0]
            cols = start_c + np.arange(kernel[1]) * dilation[1]
        else:  # torch's rule: the window stops at the far padding; the divisor depends on count_include_pad
            kind = "average"
            end_r, end_c = min(start_r + kernel[0], height + padding[0]), min(start_c + kernel[1], width + padding[1])
            rows, cols = np.arange(start_r, end_r), np.arange(start_c, end_c)
            inside = (min(end_r, height) - max(start_r, 0)) * (min(end_c, width) - max(start_c, 0))
            divisor = float(pool.divisor_override or (rows.size * cols.size if pool.count_include_pad else inside))
        window = _window(plane, rows, cols)
    else:
        raise InspectError(f"a {type(pool).__name__} is not a pooling layer that can be explained")
    winner, total = None, None
    if kind == "max":
        if np.all(np.isnan(window)):
            raise InspectError("this pooling window lies entirely in the padding")
        flat = int(np.nanargmax(window))  # the first maximum in row-major order, as torch picks it
        winner = (int(rows[flat // window.shape[1]]), int(cols[flat % window.shape[1]]))
        value = float(window.flat[flat])
    else:
        total = float(np.nansum(window))
        value = total / divisor
    return PoolExplanation(
        kind,
        channel,
        row,
        col,
        tuple(int(r) for r in rows),
        tuple(int(c) for c in cols),
        (height, width),
        window,
        winner,
        total,
        divisor,
        value,
    )


def following_activation(model: nn.Module, x: torch.Tensor, layer: str) -> nn.Module | None:
    """The elementwise activation module applied directly to `layer`'s output in a forward pass of `x`
    (conv → ReLU), or None when something else comes next (e.g. BatchNorm)."""
    target = module_for(model, layer)
    seen: dict[str, object] = {}

    def remember_output(_module: nn.Module, _inputs: tuple, output: object) -> None:
        seen.setdefault("output", output)

    def check_input(module: nn.Module, inputs: tuple) -> None:
        if "output" in seen and "activation" not in seen and inputs and inputs[0] is seen["output"]:
            seen["activation"] = module

    handles = [target.register_forward_hook(remember_output)]
    handles += [
        module.register_forward_pre_hook(check_input)
        for module in model.modules()
        if isinstance(module, ELEMENTWISE_ACTIVATIONS)
    ]
    with hooks_removed(handles):
        forward(model, x)
    return seen.get("activation")


@dataclass(frozen=True)
class GridConvolution:
    """A convolution of typed-in numbers: the output map and the arithmetic of any position."""

    output: np.ndarray  # (out_channels, H_out, W_out), after the activation if one was given
    layer: nn.Conv2d  # float64, holding the typed kernels and bias
    input: torch.Tensor  # (1, C, H, W) float64
    divisor: float
    activation: nn.Module | None

    def explain(self, out_channel: int, row: int, col: int) -> ConvExplanation:
        top, bottom, left, right = _conv_padding(self.layer)
        padded = F.pad(self.input, (left, right, top, bottom))[0].numpy()
        input_size = (int(self.input.shape[2]), int(self.input.shape[3]))
        output_size = (int(self.output.shape[1]), int(self.output.shape[2]))
        return _explain_output(
            self.layer,
            padded,
            input_size,
            output_size,
            out_channel,
            row,
            col,
            divisor=self.divisor,
            activation=self.activation,
        )


def convolve_grid(
    image: np.ndarray | Sequence,
    kernels: np.ndarray | Sequence,
    *,
    bias: np.ndarray | Sequence[float] | float | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    mean: bool = False,
    activation: nn.Module | str | None = None,
) -> GridConvolution:
    """Convolve typed-in numbers exactly (float64), as a Conv2d with these kernels would.

    image: (H, W) or (C, H, W); kernels: (kh, kw) for one kernel, (C, kh, kw) for one multi-channel
    filter, or (O, C/groups, kh, kw). mean=True divides each sum by the number of products (the toy
    lecture: "line up the feature and the patch, multiply, add up, divide by the number of pixels").
    activation: an elementwise activation module, or the name of one ("ReLU"), applied last.
    """
    if isinstance(activation, str):
        activation = elementwise_activation(activation)
    pixels = torch.as_tensor(np.asarray(image, dtype=np.float64))
    pixels = pixels[None] if pixels.dim() == 2 else pixels
    weight = torch.as_tensor(np.asarray(kernels, dtype=np.float64))
    weight = weight.reshape(1, 1, *weight.shape) if weight.dim() == 2 else weight[None] if weight.dim() == 3 else weight
    if pixels.dim() != 3 or weight.dim() != 4:
        raise InspectError(
            "the input grid must be (H, W) or (C, H, W) and the kernels (kh, kw), (C, kh, kw) or (O, C, kh, kw)"
        )
    channels, out_channels = pixels.shape[0], weight.shape[0]
    if groups < 1 or channels % groups or out_channels % groups or weight.shape[1] * groups != channels:
        raise InspectError(
            f"{out_channels} kernel(s) of depth {weight.shape[1]} with groups={groups} do not fit "
            f"an input of {channels} channel(s)"
        )
    biases = None
    if bias is not None:
        biases = torch.as_tensor(np.broadcast_to(np.asarray(bias, dtype=np.float64), (out_channels,)).copy())
    conv = nn.Conv2d(
        channels,
        out_channels,
        tuple(weight.shape[2:]),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
        bias=biases is not None,
    ).double()
    with torch.no_grad():
        conv.weight.copy_(weight)
        if biases is not None:
            conv.bias.copy_(biases)
    top, bottom, left, right = _conv_padding(conv)
    if (
        min(
            _output_length(pixels.shape[1], top, bottom, conv.kernel_size[0], conv.stride[0], conv.dilation[0]),
            _output_length(pixels.shape[2], left, right, conv.kernel_size[1], conv.stride[1], conv.dilation[1]),
        )
        < 1
    ):
        raise InspectError("the kernel does not fit in the (padded) input")
    divisor = float(weight[0].numel()) if mean else 1.0
    x = pixels[None]
    with torch.no_grad():
        summed = F.conv2d(x, conv.weight, None, conv.stride, conv.padding, conv.dilation, conv.groups)
        output = summed / divisor + (biases.view(1, -1, 1, 1) if biases is not None else 0.0)
    if activation is not None:
        output = _apply(activation, output)
    return GridConvolution(output[0].numpy(), conv, x, divisor, activation)
