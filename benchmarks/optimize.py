"""What int8 quantization and pruning buy on this machine's CPU, in one run:

  lenet5    LeNet-5 trained 5 epochs on the bundled digits (the engine, as `cnnstudio train` does), then
            `cnnstudio optimize --quantize int8 --prune 0.5 --finetune 3` (cnnstudio.optimize.optimize_run):
            the report's rows, each with its latency ratio against fp32
  resnet18  torchvision's ResNet-18 imported as a design (weights-free: seeded random initialization, as no
            download is possible here), quantized by the same function, calibrated on 64 random crops of
            scikit-image's photographs and compared on 288 other crops: top-1 agreement with fp32 and
            batch-1 / batch-32 latency, fp32 against int8 (engine/latency.py: warm, median of repeats)

The last line: `resnet18 int8 batch 32: X ms (baseline fp32: Y ms) ratio: Y/X` (above 1: int8 is faster).

    python benchmarks/optimize.py [--repeats 10] [--skip-lenet]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import torch

from cnnstudio.data import load_data
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.latency import measure_interleaved
from cnnstudio.graph.templates import input_shape, load_template
from cnnstudio.optimize import OptimizeOptions, optimize_run, quantize_int8
from cnnstudio.optimize.report import format_table
from cnnstudio.pretrained.imagenet import IMAGENET_MEAN, IMAGENET_STD
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.importer import graph_from_module
from cnnstudio.pytorch.weights import load_into

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "cat", "hubble_deep_field", "immunohistochemistry", "retina")
SHAPE = (3, 224, 224)


def lenet(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        run = Path(folder) / "lenet"
        design = load_template("lenet5")
        config = TrainConfig(epochs=5, data="digits", device="cpu")
        data = load_data("digits", input_shape(design), val_fraction=config.val_fraction, seed=config.seed)
        for _ in train(design, data, config, run):
            pass
        options = OptimizeOptions(quantize=True, prune=0.5, finetune=3, out=folder, repeats=repeats)
        result = optimize_run(run, options)
    print(format_table(result.rows))
    base = result.rows[0]
    for row in result.rows[1:]:
        print(
            f"lenet5 {row.name}: latency ratio fp32/variant batch 1 {base.latency_ms / row.latency_ms:.2f}, "
            f"batch 32 {base.latency_ms_b32 / row.latency_ms_b32:.2f}; val acc {row.val_acc:.2%} "
            f"(fp32 {base.val_acc:.2%}); size {row.size_bytes / base.size_bytes:.2f} of fp32"
        )


def sample_crops(count: int, seed: int) -> torch.Tensor:
    """`count` random square-ish crops (40–100 % of the shorter side) of the photographs, as the network's input
    through the app's image pipeline."""
    from skimage import data

    pipeline = Preprocessing(SHAPE, IMAGENET_MEAN, IMAGENET_STD)
    rng = np.random.default_rng(seed)
    photos = [getattr(data, name)() for name in PHOTOS]
    crops = []
    for index in range(count):
        photo = photos[index % len(photos)]
        height, width = photo.shape[:2]
        side = int(min(height, width) * rng.uniform(0.4, 1.0))
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crops.append(pipeline.tensor(np.ascontiguousarray(photo[top : top + side, left : left + side])))
    return torch.cat(crops)


def resnet18(repeats: int) -> tuple[float, float]:
    import torchvision

    torch.manual_seed(0)
    design, state = graph_from_module(torchvision.models.resnet18(weights=None), SHAPE, "ResNet-18")
    fp32 = build_module(design, logits=True)
    load_into(fp32, state)
    fp32.eval()
    calibration = sample_crops(64, seed=1).split(16)
    images = sample_crops(288, seed=2)
    int8 = quantize_int8(fp32, list(calibration))
    with torch.inference_mode():
        agree = float((fp32(images).argmax(1) == int8(images).argmax(1)).float().mean())
    print(f"resnet18 int8 top-1 agreement with fp32 on {len(images)} photo crops: {agree:.2%}")
    cpu = torch.device("cpu")
    figures = {}
    for batch in (1, 32):
        # in turns, so that load from other programs hits both alike
        base, fast = measure_interleaved([fp32, int8], SHAPE, cpu, batch=batch, repeats=repeats, warmup=2)
        print(f"resnet18 batch {batch}: fp32 {base}; int8 {fast}; ratio {base.median_ms / fast.median_ms:.2f}")
        figures[batch] = (base.median_ms, fast.median_ms)
    return figures[32]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--skip-lenet", action="store_true")
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, int8 engine {torch.backends.quantized.engine}"
    )
    if not args.skip_lenet:
        lenet(max(args.repeats, 30))
    fp32_ms, int8_ms = resnet18(args.repeats)
    print(f"resnet18 int8 batch 32: {int8_ms:.1f} ms (baseline fp32: {fp32_ms:.1f} ms) ratio: {fp32_ms / int8_ms:.2f}")


if __name__ == "__main__":
    main()
