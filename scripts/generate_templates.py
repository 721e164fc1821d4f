"""Regenerate cnnstudio/resources/templates: *.cnn.json and learnables.json (run after changing a template).

AlexNet, GoogLeNet, Inception-v3, ResNet-18/34/50, DenseNet-121 and SqueezeNet 1.1 are traced from
torchvision's own definitions, so their parameter counts are torchvision's and torchvision state dicts load
into them by node id. The VGG configurations A–E are built from the paper's table with torchvision's module
names; the teaching networks (X's and O's, LeNet-5, the CIFAR ResNet, the MobileNet, the AlphaGo policy
network, CNN Explainer's Tiny VGG) are written out here layer by layer.
learnables.json holds each template's parameter count from the torch analyzer, so that `cnnstudio
templates` lists them without importing torch. The default output is this checkout's package data.

    python scripts/generate_templates.py [OUTPUT_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cnnstudio.fileio import atomic_write_text
from cnnstudio.graph import NetworkGraph, arrange, save_network
from cnnstudio.graph.templates import LEARNABLES_FILE, SUFFIX
from cnnstudio.pytorch import analyze
from cnnstudio.pytorch.importer import import_torchvision

TEMPLATES_SOURCE = Path(__file__).resolve().parent.parent / "cnnstudio" / "resources" / "templates"


class Chain:
    """Appends layers one after another; `then` returns the chain for fluent definitions."""

    def __init__(self, graph: NetworkGraph, start: str) -> None:
        self.graph, self.last = graph, start

    def then(self, layer_type: str, node_id: str | None = None, **params) -> Chain:
        node = self.graph.add_node(layer_type, params, node_id=node_id)
        self.graph.connect(self.last, node.id)
        self.last = node.id
        return self


def _new(title: str, description: str, channels: int, size: int) -> tuple[NetworkGraph, Chain]:
    graph = NetworkGraph(title, description)
    graph.add_node("Input", {"channels": channels, "height": size, "width": size}, node_id="input")
    return graph, Chain(graph, "input")


def xo() -> NetworkGraph:
    graph, c = _new(
        "X's and O's",
        "The classic toy ConvNet: 9×9 images of X and O, three 3×3 feature filters, ReLU, 2×2 max "
        "pooling and fully connected votes for X or O.",
        1,
        9,
    )
    (
        c.then("Conv2d", "features", out_channels=3, kernel_size=3)
        .then("ReLU", "relu")
        .then("MaxPool2d", "pool", kernel_size=2, ceil_mode=True)
        .then("Flatten", "flatten")
        .then("Linear", "votes", out_features=2)
        .then("Softmax", "softmax")
    )
    return graph


def lenet5() -> NetworkGraph:
    graph, c = _new(
        "LeNet-5",
        "LeCun's 1998 digit recognizer (modern form with ReLU and max pooling): two convolution/pooling "
        "stages and three fully connected layers, for 28×28 grayscale digits.",
        1,
        28,
    )
    (
        c.then("Conv2d", "conv1", out_channels=6, kernel_size=5, padding=2)
        .then("ReLU", "relu1")
        .then("MaxPool2d", "pool1", kernel_size=2)
        .then("Conv2d", "conv2", out_channels=16, kernel_size=5)
        .then("ReLU", "relu2")
        .then("MaxPool2d", "pool2", kernel_size=2)
        .then("Flatten", "flatten")
        .then("Linear", "fc1", out_features=120)
        .then("ReLU", "relu3")
        .then("Linear", "fc2", out_features=84)
        .then("ReLU", "relu4")
        .then("Linear", "fc3", out_features=10)
    )
    return graph


def _conv_bn(c: Chain, node_id: str, channels: int, stride: int = 1, kernel: int = 3, groups: int = 1) -> Chain:
    return c.then(
        "Conv2d",
        node_id,
        out_channels=channels,
        kernel_size=kernel,
        stride=stride,
        padding=kernel // 2,
        groups=groups,
        bias=False,
    ).then("BatchNorm2d", f"{node_id}_bn")


def cifar_resnet() -> NetworkGraph:
    graph, c = _new(
        "CIFAR ResNet-20",
        "He et al.'s ResNet-20 for 32×32 CIFAR-10 images: three stages of three residual blocks "
        "(16, 32, 64 channels); 1×1 projections on the skip path where the size changes.",
        3,
        32,
    )
    _conv_bn(c, "stem", 16).then("ReLU", "stem_relu")
    channels_in = 16
    for stage, channels in enumerate((16, 32, 64), start=1):
        for block in range(1, 4):
            name = f"s{stage}b{block}"
            stride = 2 if stage > 1 and block == 1 else 1
            block_input = c.last
            _conv_bn(c, f"{name}_conv1", channels, stride).then("ReLU", f"{name}_relu1")
            _conv_bn(c, f"{name}_conv2", channels)
            skip = block_input
            if stride != 1 or channels != channels_in:
                shortcut = _conv_bn(Chain(graph, block_input), f"{name}_proj", channels, stride, kernel=1)
                skip = shortcut.last
            graph.add_node("Add", node_id=f"{name}_add")
            graph.connect(c.last, f"{name}_add")
            graph.connect(skip, f"{name}_add")
            c.last = f"{name}_add"
            c.then("ReLU", f"{name}_out")
            channels_in = channels
    c.then("AdaptiveAvgPool2d", "gap", output_size=1).then("Flatten", "flatten").then("Linear", "fc", out_features=10)
    return graph


def mobilenet() -> NetworkGraph:
    graph, c = _new(
        "MobileNet",
        "Howard et al.'s MobileNet (v1): a 3×3 stem and 13 depthwise-separable blocks (a depthwise 3×3 "
        "convolution, groups = channels, then a pointwise 1×1), global average pooling, 1000 classes.",
        3,
        224,
    )
    _conv_bn(c, "stem", 32, stride=2).then("ReLU", "stem_relu")
    channels_in = 32
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for index, (channels, stride) in enumerate(plan, start=1):
        _conv_bn(c, f"dw{index}", channels_in, stride, groups=channels_in).then("ReLU", f"dw{index}_relu")
        _conv_bn(c, f"pw{index}", channels, kernel=1).then("ReLU", f"pw{index}_relu")
        channels_in = channels
    c.then("AdaptiveAvgPool2d", "gap", output_size=1).then("Flatten", "flatten").then("Linear", "fc", out_features=1000)
    return graph


# Simonyan & Zisserman's Table 1: output channels of each 3×3 convolution ("1x1-N": a 1×1 convolution,
# "LRN": local response normalisation), "M" a 2×2 max pooling
VGG_CONFIGURATIONS = {
    "vgg11": ("A", [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]),
    "vgg11_lrn": ("A-LRN", [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]),
    "vgg13": ("B", [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]),
    "vgg16_1x1": (
        "C",
        [64, 64, "M", 128, 128, "M", 256, 256, "1x1-256", "M", 512, 512, "1x1-512", "M", 512, 512, "1x1-512", "M"],
    ),
    "vgg16": ("D", [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]),
    "vgg19": (
        "E",
        [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
    ),
}
VGG_TITLES = {
    "vgg11": ("VGG-11", "eight 3×3 convolutions"),
    "vgg11_lrn": ("VGG-11 with LRN", "configuration A with local response normalisation after the first convolution"),
    "vgg13": ("VGG-13", "ten 3×3 convolutions, two per block"),
    "vgg16_1x1": ("VGG-16 (1×1)", "configuration B plus a 1×1 convolution at the end of blocks 3, 4 and 5"),
    "vgg16": ("VGG-16", "thirteen 3×3 convolutions in five blocks; 138 million parameters"),
    "vgg19": ("VGG-19", "sixteen 3×3 convolutions, four in each of the last three blocks; 144 million parameters"),
}


def vgg(name: str) -> NetworkGraph:
    """A VGG configuration as the paper's Table 1 lists it, with torchvision's module names where torchvision has
    the configuration (A, B, D, E), so its pretrained weights load."""
    letter, layers = VGG_CONFIGURATIONS[name]
    title, summary = VGG_TITLES[name]
    published = " Node ids follow torchvision's module names, so its pretrained weights load."
    graph, c = _new(
        title,
        f"Simonyan and Zisserman's VGG, configuration {letter}: {summary}, max pooling after each block, then "
        "three fully connected layers; 224×224 RGB, 1000 classes." + (published if "_" not in name else ""),
        3,
        224,
    )
    index = 0
    for layer in layers:
        if layer == "M":
            c.then("MaxPool2d", f"features_{index}", stride=2)
        elif layer == "LRN":
            c.then("LocalResponseNorm", f"features_{index}")
        elif isinstance(layer, str):
            c.then("Conv2d", f"features_{index}", out_channels=int(layer.split("-")[1]), kernel_size=1)
            index += 1
            c.then("ReLU", f"features_{index}")
        else:
            c.then("Conv2d", f"features_{index}", out_channels=layer, padding=1)
            index += 1
            c.then("ReLU", f"features_{index}")
        index += 1
    c.then("AdaptiveAvgPool2d", "avgpool", output_size=7).then("Flatten", "flatten")
    for position, layer in enumerate(("Linear", "ReLU", "Dropout") * 2 + ("Linear",)):
        params = {"out_features": 4096 if position < 6 else 1000} if layer == "Linear" else {}
        c.then(layer, f"classifier_{position}", **params)
    return graph


def alphago_policy() -> NetworkGraph:
    graph, c = _new(
        "AlphaGo policy network",
        "Silver et al.'s 2016 supervised-learning policy network: the 19×19 board as 48 feature planes, a 5×5 "
        "convolution with 192 filters, eleven 3×3 convolutions with 192 filters (zero padding keeps 19×19; no "
        "pooling), a 1×1 convolution to one plane and a softmax over the 361 points. The paper's last layer has "
        "a bias for each point; here it has one bias (360 parameters fewer).",
        48,
        19,
    )
    c.then("Conv2d", "conv1", out_channels=192, kernel_size=5, padding=2).then("ReLU", "relu1")
    for layer in range(2, 13):
        c.then("Conv2d", f"conv{layer}", out_channels=192, padding=1).then("ReLU", f"relu{layer}")
    c.then("Conv2d", "conv13", out_channels=1, kernel_size=1).then("Flatten", "flatten").then("Softmax", "moves")
    return graph


def tiny_vgg() -> NetworkGraph:
    graph, c = _new(
        "Tiny VGG",
        "CNN Explainer's network for 64×64 RGB images of 10 classes: two blocks of two 3×3 convolutions with 10 "
        "filters (no padding) and a 2×2 max pooling, then one fully connected layer and softmax. Node ids are "
        "CNN Explainer's layer names.",
        3,
        64,
    )
    for block in (1, 2):
        for layer in (1, 2):
            c.then("Conv2d", f"conv_{block}_{layer}", out_channels=10).then("ReLU", f"relu_{block}_{layer}")
        c.then("MaxPool2d", f"max_pool_{block}", stride=2)
    c.then("Flatten", "flatten").then("Linear", "output", out_features=10).then("Softmax", "softmax")
    return graph


_TORCHVISION = {
    "alexnet": (
        "AlexNet",
        "Krizhevsky et al.'s 2012 ImageNet winner: five convolutions with large early "
        "kernels, max pooling, dropout and three fully connected layers (torchvision's variant).",
    ),
    "googlenet": (
        "GoogLeNet",
        "Szegedy et al.'s Inception v1: nine Inception modules whose 1×1, 3×3, "
        "5×5 and pooling branches are joined by Concat (without the training-only auxiliary heads).",
    ),
    "inception_v3": (
        "Inception-v3",
        "Szegedy et al.'s Inception v3 for 299×299 images: factorised 7×7 and asymmetric 1×n/n×1 convolutions in "
        "eleven Inception modules (299×299×3 → 35×35×288 → 17×17×768 → 8×8×2048), without the training-only "
        "auxiliary classifier (torchvision's model with aux_logits=False).",
    ),
    "resnet18": (
        "ResNet-18",
        "He et al.'s residual network: eight basic blocks whose Add skip connections let very deep networks train.",
    ),
    "resnet34": ("ResNet-34", "ResNet with sixteen basic blocks (3, 4, 6, 3 per stage) and Add skip connections."),
    "resnet50": (
        "ResNet-50",
        "ResNet with sixteen bottleneck blocks (1×1 reduce, 3×3, 1×1 expand ×4; 3, 4, 6, 3 per stage) and Add "
        "skip connections.",
    ),
    "densenet121": (
        "DenseNet-121",
        "Huang et al.'s densely connected network: four dense blocks (6, 12, 24, 16 layers) in which each layer's "
        "32 new channels are concatenated to all earlier ones, with transition layers (1×1 convolution, average "
        "pooling) between them.",
    ),
    "squeezenet1_1": (
        "SqueezeNet 1.1",
        "Iandola et al.'s SqueezeNet: AlexNet accuracy with 50× fewer parameters; eight Fire modules (a 1×1 "
        "squeeze, then 1×1 and 3×3 expand branches joined by Concat), no fully connected layer.",
    ),
}


def torchvision_template(name: str) -> NetworkGraph:
    title, description = _TORCHVISION[name]
    graph = import_torchvision(name, pretrained="none").graph
    graph.name = title
    graph.description = description + " Node ids follow torchvision's module names, so its pretrained weights load."
    return graph


def all_templates() -> dict[str, NetworkGraph]:
    templates = {
        "xo": xo(),
        "lenet5": lenet5(),
        "cifar_resnet": cifar_resnet(),
        "mobilenet": mobilenet(),
        "alphago_policy": alphago_policy(),
        "tiny_vgg": tiny_vgg(),
    }
    templates.update({name: vgg(name) for name in VGG_CONFIGURATIONS})
    templates.update({name: torchvision_template(name) for name in _TORCHVISION})
    for graph in templates.values():
        arrange(graph)
    return templates


def main(output_dir: Path = TEMPLATES_SOURCE) -> None:
    learnables = {}
    for name, graph in sorted(all_templates().items()):
        save_network(graph, output_dir / f"{name}{SUFFIX}")
        learnables[name] = analyze(graph).total_params
        print(f"wrote {output_dir / (name + SUFFIX)}")
    atomic_write_text(output_dir / LEARNABLES_FILE, json.dumps(learnables, indent=2) + "\n")
    print(f"wrote {output_dir / LEARNABLES_FILE}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATES_SOURCE)
