"""The layer catalog: every layer type a user can place, with its torch.nn name and parameters.

Parameter names are torch.nn's own (`Conv2d.out_channels`, `Dropout.p` …). Arguments that follow
from the input (`in_channels`, `in_features`, `num_features`, `normalized_shape`) are not parameters:
the builder infers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Parameter kinds
INT = "int"
FLOAT = "float"
BOOL = "bool"
CHOICE = "choice"
PAIR = "pair"  # an int or [height, width]
PADDING = "padding"  # an int, [height, width], or "same" / "valid"
OPTIONAL_PAIR = "optional_pair"  # like PAIR, or null (pooling stride: null means "= kernel_size")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a layer: its type, default, valid range and a one-line help text."""

    name: str
    kind: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class LayerSpec:
    """A layer type of the catalog."""

    type: str
    category: str
    description: str
    params: tuple[ParamSpec, ...] = ()
    min_inputs: int = 1
    max_inputs: int | None = 1  # None: any number
    torch_function: str = ""  # what a combination layer calls ("torch.add"); other layers are torch.nn's own
    key_params: tuple[str, ...] = field(default=())  # shown on the node face, in this order

    def param(self, name: str) -> ParamSpec | None:
        return next((p for p in self.params if p.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    @property
    def torch_name(self) -> str:
        """What the layer is in PyTorch: "nn.Conv2d", "torch.add"; "" for the Input."""
        return self.torch_function or ("" if self.is_input else f"nn.{self.type}")

    @property
    def is_input(self) -> bool:
        return self.type == "Input"

    @property
    def is_merge(self) -> bool:
        """A layer that combines several inputs (Add, Concat, Mul)."""
        return self.max_inputs is None


INPUT = "Input"
CONVOLUTION = "Convolution"
ACTIVATION = "Activation"
POOLING = "Pooling"
NORMALIZATION = "Normalization"
REGULARIZATION = "Regularization"
SHAPE = "Shape"
FULLY_CONNECTED = "Fully connected"
COMBINATION = "Combination"

CATEGORIES = (
    INPUT,
    CONVOLUTION,
    ACTIVATION,
    POOLING,
    NORMALIZATION,
    REGULARIZATION,
    SHAPE,
    FULLY_CONNECTED,
    COMBINATION,
)

_SIZE = 1 << 16


def _channels(name: str, default: int, help_text: str) -> ParamSpec:
    return ParamSpec(name, INT, default, help_text, 1, _SIZE)


def _kernel(default: Any = 3) -> ParamSpec:
    return ParamSpec("kernel_size", PAIR, default, "Height and width of the sliding window", 1, 1024)


def _stride(default: Any = 1) -> ParamSpec:
    return ParamSpec("stride", PAIR, default, "Step of the window across the input", 1, 1024)


def _pool_stride() -> ParamSpec:
    return ParamSpec("stride", OPTIONAL_PAIR, None, "Step of the window (empty: same as the kernel)", 1, 1024)


def _padding(kind: str = PAIR) -> ParamSpec:
    help_text = "Zeros added on each border" + (" ('same' keeps the size at stride 1)" if kind == PADDING else "")
    return ParamSpec("padding", kind, 0, help_text, 0, 1024)


def _dilation() -> ParamSpec:
    return ParamSpec("dilation", PAIR, 1, "Spacing between kernel elements (atrous convolution)", 1, 1024)


def _groups() -> ParamSpec:
    return ParamSpec(
        "groups", INT, 1, "Channel groups; groups = input channels makes a depthwise convolution", 1, _SIZE
    )


def _bias(default: bool = True) -> ParamSpec:
    return ParamSpec("bias", BOOL, default, "Learn an additive bias per output")


def _ceil_mode() -> ParamSpec:
    return ParamSpec("ceil_mode", BOOL, False, "Round the output size up instead of down")


def _eps() -> ParamSpec:
    return ParamSpec("eps", FLOAT, 1e-5, "Added to the variance for numerical stability", 0.0, 1.0)


def _affine(name: str = "affine") -> ParamSpec:
    return ParamSpec(name, BOOL, True, "Learn a per-channel scale and shift")


def _dropout_p() -> ParamSpec:
    return ParamSpec("p", FLOAT, 0.5, "Probability of zeroing an element during training", 0.0, 1.0)


_LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        "Input",
        INPUT,
        "The image the network receives: channels × height × width",
        (
            ParamSpec("channels", INT, 1, "Colour channels (1 grayscale, 3 RGB)", 1, 4096),
            ParamSpec("height", INT, 28, "Image height in pixels", 1, 8192),
            ParamSpec("width", INT, 28, "Image width in pixels", 1, 8192),
        ),
        min_inputs=0,
        max_inputs=0,
        key_params=("channels", "height", "width"),
    ),
    LayerSpec(
        "Conv2d",
        CONVOLUTION,
        "Slides learned filters over the input; each filter makes one feature map",
        (
            _channels("out_channels", 16, "Number of filters (output feature maps)"),
            _kernel(),
            _stride(),
            _padding(PADDING),
            _dilation(),
            _groups(),
            _bias(),
        ),
        key_params=("out_channels", "kernel_size", "stride", "padding"),
    ),
    LayerSpec(
        "ConvTranspose2d",
        CONVOLUTION,
        'Learned upsampling: the gradient of a convolution ("deconvolution")',
        (
            _channels("out_channels", 16, "Number of filters (output feature maps)"),
            _kernel(2),
            _stride(2),
            _padding(),
            ParamSpec("output_padding", PAIR, 0, "Extra size added to one side of the output", 0, 1024),
            _dilation(),
            _groups(),
            _bias(),
        ),
        key_params=("out_channels", "kernel_size", "stride", "padding"),
    ),
    LayerSpec("ReLU", ACTIVATION, "max(0, x): passes positives, zeroes negatives"),
    LayerSpec(
        "LeakyReLU",
        ACTIVATION,
        "Like ReLU but lets a small slope through for negatives",
        (ParamSpec("negative_slope", FLOAT, 0.01, "Slope for negative inputs", 0.0, 1.0),),
        key_params=("negative_slope",),
    ),
    LayerSpec(
        "PReLU",
        ACTIVATION,
        "Leaky ReLU whose negative slope is learned",
        (
            ParamSpec("num_parameters", INT, 1, "Learned slopes: 1 shared, or one per channel", 1, _SIZE),
            ParamSpec("init", FLOAT, 0.25, "Initial slope", -10.0, 10.0),
        ),
    ),
    LayerSpec(
        "ELU",
        ACTIVATION,
        "Exponential linear unit: smooth, negative values saturate at −alpha",
        (ParamSpec("alpha", FLOAT, 1.0, "Value approached for very negative inputs", 0.0, 100.0),),
    ),
    LayerSpec(
        "GELU",
        ACTIVATION,
        "Gaussian error linear unit (x·Φ(x)), used by modern networks",
        (ParamSpec("approximate", CHOICE, "none", "Exact or tanh approximation", choices=("none", "tanh")),),
    ),
    LayerSpec("SiLU", ACTIVATION, "x·sigmoid(x) (Swish), used by EfficientNet"),
    LayerSpec("ReLU6", ACTIVATION, "min(max(0, x), 6), used by MobileNet"),
    LayerSpec("Hardswish", ACTIVATION, "Piecewise-linear Swish, used by MobileNetV3"),
    LayerSpec("Hardsigmoid", ACTIVATION, "Piecewise-linear sigmoid, used by MobileNetV3"),
    LayerSpec("Sigmoid", ACTIVATION, "1 / (1 + e^−x): squashes to (0, 1)"),
    LayerSpec("Tanh", ACTIVATION, "Hyperbolic tangent: squashes to (−1, 1)"),
    LayerSpec(
        "Softmax",
        ACTIVATION,
        "Turns scores into probabilities that sum to 1 (often the last layer)",
        (ParamSpec("dim", INT, 1, "Axis that sums to 1 (1: classes/channels)", -4, 3),),
    ),
    LayerSpec(
        "MaxPool2d",
        POOLING,
        "Keeps the largest value of each window: downsamples, tolerates shifts",
        (_kernel(2), _pool_stride(), _padding(), _dilation(), _ceil_mode()),
        key_params=("kernel_size", "stride", "padding"),
    ),
    LayerSpec(
        "AvgPool2d",
        POOLING,
        "Averages each window: downsamples smoothly",
        (
            _kernel(2),
            _pool_stride(),
            _padding(),
            _ceil_mode(),
            ParamSpec("count_include_pad", BOOL, True, "Count padding zeros in the average"),
        ),
        key_params=("kernel_size", "stride", "padding"),
    ),
    LayerSpec(
        "AdaptiveAvgPool2d",
        POOLING,
        "Averages to a fixed output size (1 = global average pooling)",
        (ParamSpec("output_size", PAIR, 1, "Output height and width", 1, 1024),),
        key_params=("output_size",),
    ),
    LayerSpec(
        "AdaptiveMaxPool2d",
        POOLING,
        "Max-pools to a fixed output size (1 = global max pooling)",
        (ParamSpec("output_size", PAIR, 1, "Output height and width", 1, 1024),),
        key_params=("output_size",),
    ),
    LayerSpec(
        "BatchNorm2d",
        NORMALIZATION,
        "Normalizes each channel over the batch, then scales and shifts",
        (_eps(), ParamSpec("momentum", FLOAT, 0.1, "Update rate of the running statistics", 0.0, 1.0), _affine()),
    ),
    LayerSpec(
        "LocalResponseNorm",
        NORMALIZATION,
        "Normalizes across neighbouring channels (AlexNet)",
        (
            ParamSpec("size", INT, 5, "Number of neighbouring channels", 1, 1024),
            ParamSpec("alpha", FLOAT, 1e-4, "Scale", 0.0, 100.0),
            ParamSpec("beta", FLOAT, 0.75, "Exponent", 0.0, 100.0),
            ParamSpec("k", FLOAT, 2.0, "Additive constant", 0.0, 100.0),
        ),
        key_params=("size",),
    ),
    LayerSpec(
        "GroupNorm",
        NORMALIZATION,
        "Normalizes groups of channels per sample (independent of batch size)",
        (
            ParamSpec("num_groups", INT, 8, "Groups the channels are split into (must divide them)", 1, _SIZE),
            _eps(),
            _affine(),
        ),
        key_params=("num_groups",),
    ),
    LayerSpec(
        "LayerNorm",
        NORMALIZATION,
        "Normalizes all features of each sample (channels × height × width)",
        (_eps(), _affine("elementwise_affine")),
    ),
    LayerSpec(
        "Dropout",
        REGULARIZATION,
        "Randomly zeroes elements during training to prevent overfitting",
        (_dropout_p(),),
        key_params=("p",),
    ),
    LayerSpec(
        "Dropout2d",
        REGULARIZATION,
        "Randomly zeroes whole feature maps during training",
        (_dropout_p(),),
        key_params=("p",),
    ),
    LayerSpec(
        "Flatten",
        SHAPE,
        "Turns feature maps into one vector per image for the fully connected layers",
        (
            ParamSpec("start_dim", INT, 1, "First axis to flatten (1: keep the batch axis)", 1, 3),
            ParamSpec("end_dim", INT, -1, "Last axis to flatten (−1: the last)", -4, 3),
        ),
    ),
    LayerSpec(
        "Linear",
        FULLY_CONNECTED,
        "Fully connected: every output is a weighted sum of all inputs",
        (_channels("out_features", 10, "Number of outputs (classes for the last layer)"), _bias()),
        key_params=("out_features",),
    ),
    LayerSpec(
        "Add",
        COMBINATION,
        "Adds its inputs elementwise (residual / skip connections)",
        min_inputs=2,
        max_inputs=None,
        torch_function="torch.add",
    ),
    LayerSpec(
        "Concat",
        COMBINATION,
        "Stacks its inputs along the channel axis (Inception, DenseNet)",
        (ParamSpec("dim", INT, 1, "Axis to join along (1: channels)", -4, 3),),
        min_inputs=2,
        max_inputs=None,
        torch_function="torch.cat",
    ),
    LayerSpec(
        "Mul",
        COMBINATION,
        "Multiplies its inputs elementwise (squeeze-and-excitation gating)",
        min_inputs=2,
        max_inputs=None,
        torch_function="torch.mul",
    ),
)

LAYERS: dict[str, LayerSpec] = {spec.type: spec for spec in _LAYERS}


def layer_spec(layer_type: str) -> LayerSpec | None:
    """The catalog entry of a layer type, or None if the type is unknown."""
    return LAYERS.get(layer_type)


def layers_by_category() -> dict[str, list[LayerSpec]]:
    """The catalog grouped for the palette, in the order of CATEGORIES."""
    grouped: dict[str, list[LayerSpec]] = {category: [] for category in CATEGORIES}
    for spec in _LAYERS:
        grouped[spec.category].append(spec)
    return grouped
