"""Is the feature-map view interactive? Capture and render all 512 maps of ResNet-18's layer4 output.

The app's path: the ResNet-18 template built as an fx.GraphModule, the layer captured with the
inspector's fx.Interpreter (stopping after layer4), per-channel statistics, and all 512 maps scaled,
colour-mapped and tiled into one RGB uint8 picture (tiles enlarged 4×, as the view shows them).
The baseline is the bare forward pass up to layer4: torchvision's ResNet-18 stem and four stages as a
plain nn.Sequential, no hooks, no interpreter. The goal is that rendering adds less than twice the
forward time (ratio < 3).

    python benchmarks/inspect_speed.py
"""

import time

import torch
import torchvision
from torch import nn

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.viz.activations import capture
from cnnstudio.viz.featuremaps import render_feature_maps

REPEATS = 30
LAYER = "layer4_1_relu1"  # the template's last node of layer4 (after the residual add)


def best_seconds(*functions) -> list[float]:
    """The fastest of REPEATS runs of each function, run in turn (so that noise from other work on the
    machine hits them alike); the minimum is the least noisy estimate of what the code itself costs."""
    best = [float("inf")] * len(functions)
    for function in functions:
        function()
    for _ in range(REPEATS):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def main() -> None:
    torch.manual_seed(0)
    design = build_module(load_template("resnet18")).eval()
    reference = torchvision.models.resnet18().eval()
    to_layer4 = nn.Sequential(*list(reference.children())[:-2]).eval()  # conv1 … layer4
    x = torch.randn(1, 3, 224, 224)

    def bare_forward() -> None:
        with torch.no_grad():
            to_layer4(x)

    def capture_only() -> None:
        capture(design, x, [LAYER])

    def capture_and_render() -> None:
        render_feature_maps(capture(design, x, [LAYER])[LAYER][0], scale=4)

    activation = capture(design, x, [LAYER])[LAYER][0]
    picture = render_feature_maps(activation, scale=4).tiles.image
    ours, floor, captured, render = best_seconds(
        capture_and_render, bare_forward, capture_only, lambda: render_feature_maps(activation, scale=4)
    )
    print(
        f"ResNet-18 {LAYER}: {tuple(activation.shape)} → {picture.shape[1]}×{picture.shape[0]} RGB picture "
        f"({torch.get_num_threads()} threads)"
    )
    print(
        f"capture alone: {captured * 1000:.1f} ms; statistics + colour map + tiling alone: {render * 1000:.2f} ms "
        f"(+{render / floor:.1%} of the forward)"
    )
    print(
        f"inspect_resnet18_layer4: {ours * 1000:.1f} ms (baseline: {floor * 1000:.1f} ms bare forward to layer4) "
        f"ratio: {ours / floor:.2f}"
    )


if __name__ == "__main__":
    main()
