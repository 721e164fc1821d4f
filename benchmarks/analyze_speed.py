"""How interactive is the analysis? Full per-node analysis of ResNet-50 against a bare meta forward.

The floor is torchvision's ResNet-50 run once on the `meta` device (shapes only, no compute): the least
any shape analysis built on torch can cost. Ours adds per-node shapes, learnables, FLOPs, MACs, memory,
error checks and the output-size arithmetic.

    python benchmarks/analyze_speed.py
"""

import statistics
import time

import torch
import torchvision

from cnnstudio.pytorch import analyze
from cnnstudio.pytorch.importer import import_torchvision

REPEATS = 15


def median_seconds(function) -> float:
    function()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    graph = import_torchvision("resnet50", pretrained="none").graph
    with torch.device("meta"):
        model = torchvision.models.resnet50()
    x = torch.empty(1, 3, 224, 224, device="meta")
    ours = floor = 0.0
    for _ in range(3):  # alternate so that machine noise hits both sides alike
        ours += median_seconds(lambda: analyze(graph)) / 3
        floor += median_seconds(lambda: model(x)) / 3
    print(f"ResNet-50: {len(graph.nodes)} nodes, {analyze(graph).total_params:,} learnables")
    print(
        f"analyze_resnet50: {ours * 1000:.1f} ms (baseline: {floor * 1000:.1f} ms bare meta forward) "
        f"ratio: {ours / floor:.2f}"
    )


if __name__ == "__main__":
    main()
