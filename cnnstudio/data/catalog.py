"""The catalog of built-in datasets, for the CLI's listing and the GUI's dataset picker.

Pure data: importing it loads nothing. `load_data` reads the spec options declared here to parse
specs such as "xo:size=28,count=2000".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SpecOption:
    """An option a dataset spec accepts as "name:option=value"."""

    name: str
    default: int | float
    help: str


@dataclass(frozen=True)
class DatasetInfo:
    """One built-in dataset.

    native_shape: (channels, height, width) the images have when no input shape is asked for.
    multilabel: True when an image may carry any number of the classes (labels, not one class).
    offline: True when the data is generated or ships with an installed package; False when it is
    downloaded once (download_mb megabytes) into the data folder.
    """

    name: str
    title: str
    description: str
    classes: tuple[str, ...]
    native_shape: tuple[int, int, int]
    offline: bool
    source: str
    download_mb: int = 0
    options: tuple[SpecOption, ...] = ()
    multilabel: bool = False


def _names(text: str) -> tuple[str, ...]:
    """Class names written on one line, separated by commas."""
    return tuple(name.strip() for name in text.split(","))


_SIZE_HELP = "image side in pixels (default: the network's input size, else {default})"

DATASETS: list[DatasetInfo] = [
    DatasetInfo(
        name="xo",
        title="X's and O's",
        description=(
            "Generated black-and-white X's and O's, the classic toy ConvNet example, including the "
            "tricky cases: shifted, scaled, rotated, thick and thin strokes, with pixel noise."
        ),
        classes=("X", "O"),
        native_shape=(1, 9, 9),
        offline=True,
        source="generated",
        options=(
            SpecOption("size", 9, _SIZE_HELP.format(default=9)),
            SpecOption("count", 1000, "number of images, split evenly between X and O"),
            SpecOption("noise", 0.02, "fraction of pixels flipped at random (0-0.5)"),
        ),
    ),
    DatasetInfo(
        name="shapes",
        title="Shapes",
        description=(
            "Generated colour images of five shapes with random colour, position, size and rotation "
            "on a cluttered background."
        ),
        classes=("circle", "square", "triangle", "star", "cross"),
        native_shape=(3, 32, 32),
        offline=True,
        source="generated",
        options=(
            SpecOption("size", 32, _SIZE_HELP.format(default=32)),
            SpecOption("count", 5000, "number of images, split evenly between the shapes"),
        ),
    ),
    DatasetInfo(
        name="digits",
        title="Digits (8×8)",
        description="1,797 real handwritten digits at 8×8 pixels, bundled with scikit-learn.",
        classes=tuple(str(d) for d in range(10)),
        native_shape=(1, 8, 8),
        offline=True,
        source="scikit-learn (UCI optical recognition of handwritten digits)",
    ),
    DatasetInfo(
        name="mnist",
        title="MNIST",
        description="70,000 handwritten digits at 28×28 (60,000 training, 10,000 test).",
        classes=_names(
            "0 - zero, 1 - one, 2 - two, 3 - three, 4 - four, 5 - five, 6 - six, 7 - seven, 8 - eight, 9 - nine"
        ),
        native_shape=(1, 28, 28),
        offline=False,
        source="https://ossci-datasets.s3.amazonaws.com/mnist/",
        download_mb=12,
    ),
    DatasetInfo(
        name="fashion-mnist",
        title="Fashion-MNIST",
        description="70,000 photos of clothing at 28×28 in 10 classes (60,000 training, 10,000 test).",
        classes=_names("T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot"),
        native_shape=(1, 28, 28),
        offline=False,
        source="http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        download_mb=31,
    ),
    DatasetInfo(
        name="cifar10",
        title="CIFAR-10",
        description="60,000 colour photos at 32×32 in 10 classes (50,000 training, 10,000 test).",
        classes=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
        native_shape=(3, 32, 32),
        offline=False,
        source="https://www.cs.toronto.edu/~kriz/cifar.html",
        download_mb=163,
    ),
    DatasetInfo(
        name="imagenette",
        title="Imagenette (160 px)",
        description=(
            "13,394 ImageNet photos of 10 easy classes, 160 px on the short side (9,469 training, 3,925 validation)."
        ),
        classes=_names(
            "tench, English springer, cassette player, chain saw, church, French horn, garbage truck, gas pump, "
            "golf ball, parachute"
        ),
        native_shape=(3, 160, 160),
        offline=False,
        source="https://github.com/fastai/imagenette",
        download_mb=94,
    ),
    DatasetInfo(
        name="multishapes",
        title="Shapes (multi-label)",
        description=(
            "Generated grey images holding any of four shapes, each present or not: a multi-label set "
            "(the labels say which shapes an image holds)."
        ),
        classes=("circle", "square", "triangle", "cross"),
        native_shape=(1, 32, 32),
        offline=True,
        source="generated",
        options=(
            SpecOption("size", 32, _SIZE_HELP.format(default=32)),
            SpecOption("count", 4000, "number of images"),
        ),
        multilabel=True,
    ),
]
