"""Is the training engine as fast as PyTorch allows? Images per second against two hand-written loops.

For LeNet-5 on 28×28 images and the CIFAR ResNet-20 template on 32×32 images, with the same model,
optimizer (Adam), batch size and data, in one run with alternating repeats:

  engine    cnnstudio.engine.train (uint8 data on the device, per-batch normalization, running
            metrics, non-finite checks, lr schedule, pause/stop polling); its own images/s of the
            timed epoch, which excludes validation and checkpoint writing
  floor     the fastest plain loop: normalized float tensors already in memory, a random
            permutation sliced into batches, forward/backward/step and nothing else (target: the
            engine reaches ≥ 0.95 of it)
  tutorial  the usual tutorial loop: a Dataset returning PIL images through ToTensor + Normalize,
            a shuffling DataLoader with 2 workers, and `running_loss += loss.item()` every batch

Each measurement trains a fresh model for two epochs and times the second (the first warms up
allocators and kernel choices). On CUDA all three use channels_last and bf16/fp16 autocast as the
engine does. The last line compares the engine with the floor for the model where it comes off worst:
`name: value (baseline: value) ratio: X`.

    python benchmarks/train_throughput.py [--device cuda] [--repeats 3] [--threads 1]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable

import torch
import torchvision.transforms as T
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

from cnnstudio.data import DataSplit, ImageDataset
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.device import resolve_device, resolve_precision
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module

MEAN, STD = 0.5, 0.25


def synthetic(count: int, shape: tuple[int, int, int], seed: int) -> ImageDataset:
    generator = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (count, *shape), dtype=torch.uint8, generator=generator)
    return ImageDataset(images, torch.randint(0, 10, (count,), generator=generator), [str(i) for i in range(10)])


class Setup:
    """Everything the three loops share for one model."""

    def __init__(self, template: str, count: int, batch_size: int, device: torch.device) -> None:
        self.graph = load_template(template)
        self.shape = tuple(int(self.graph.nodes["input"].param(k)) for k in ("channels", "height", "width"))
        self.data = synthetic(count, self.shape, seed=0)
        self.batch_size, self.device = batch_size, device
        self.precision = resolve_precision("auto", device)
        self.channels_last = device.type == "cuda"

    def model(self) -> nn.Module:
        torch.manual_seed(0)
        module = build_module(self.graph, logits=True).to(self.device)
        return module.to(memory_format=torch.channels_last) if self.channels_last else module

    def optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        return torch.optim.Adam(model.parameters(), lr=1e-3, **({"fused": True} if self.device.type == "cuda" else {}))

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.precision.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.precision.dtype)

    def synchronize(self) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)


def engine(setup: Setup) -> float:
    channels = setup.shape[0]
    validation = synthetic(setup.batch_size, setup.shape, seed=1)
    split = DataSplit(setup.data, validation, (MEAN,) * channels, (STD,) * channels)
    config = TrainConfig(epochs=2, batch_size=setup.batch_size, lr=1e-3, optimizer="adam", device=str(setup.device))
    with tempfile.TemporaryDirectory() as run_dir:
        summaries = [event for event in train(setup.graph, split, config, run_dir) if event.kind in ("epoch", "error")]
    if summaries[-1].kind == "error":
        raise RuntimeError(summaries[-1].message)
    return summaries[-1].images_per_s


def timed_epochs(setup: Setup, one_epoch: Callable[[], int]) -> float:
    """images/s of the second of two epochs."""
    one_epoch()
    setup.synchronize()
    start = time.perf_counter()
    images = one_epoch()
    setup.synchronize()
    return images / (time.perf_counter() - start)


def floor(setup: Setup) -> float:
    model, criterion = setup.model().train(), nn.CrossEntropyLoss()
    optimizer = setup.optimizer(model)
    images = ((setup.data.images.float() / 255 - MEAN) / STD).to(setup.device)
    if setup.channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    labels = setup.data.labels.to(setup.device)
    steps = len(images) // setup.batch_size

    def one_epoch() -> int:
        order = torch.randperm(len(images), device=setup.device)
        for step in range(steps):
            batch = order[step * setup.batch_size : (step + 1) * setup.batch_size]
            with setup.autocast():
                loss = criterion(model(images[batch]), labels[batch])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        return steps * setup.batch_size

    return timed_epochs(setup, one_epoch)


class PILDataset(Dataset):
    """How tutorials hold data: one PIL image per sample, converted by per-sample transforms."""

    def __init__(self, data: ImageDataset) -> None:
        mode = "L" if data.image_shape[0] == 1 else "RGB"
        self.images = [Image.fromarray(image.permute(1, 2, 0).squeeze(-1).numpy(), mode) for image in data.images]
        self.labels = data.labels.tolist()
        channels = data.image_shape[0]
        self.transform = T.Compose([T.ToTensor(), T.Normalize((MEAN,) * channels, (STD,) * channels)])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.transform(self.images[index]), self.labels[index]


def tutorial(setup: Setup, dataset: PILDataset) -> float:
    model, criterion = setup.model().train(), nn.CrossEntropyLoss()
    optimizer = setup.optimizer(model)
    loader = DataLoader(
        dataset, batch_size=setup.batch_size, shuffle=True, num_workers=2, drop_last=True, persistent_workers=True
    )

    def one_epoch() -> int:
        running_loss, images = 0.0, 0
        for inputs, labels in loader:
            inputs, labels = inputs.to(setup.device), labels.to(setup.device)
            if setup.channels_last:
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            optimizer.zero_grad()
            with setup.autocast():
                loss = criterion(model(inputs), labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            images += len(labels)
        return images

    return timed_epochs(setup, one_epoch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: PyTorch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    on_gpu = device.type == "cuda"
    cases = [
        ("lenet5_28x28", "lenet5", 32768 if on_gpu else 8192, 256 if on_gpu else 128),
        ("cifar_resnet20_32x32", "cifar_resnet", 16384 if on_gpu else 1024, 256 if on_gpu else 64),
    ]
    print(
        f"device {device}, {torch.get_num_threads()} CPU threads, {args.repeats} alternating repeats, median images/s"
    )
    results = []
    for name, template, count, batch_size in cases:
        setup = Setup(template, count, batch_size, device)
        dataset = PILDataset(setup.data)
        samples: dict[str, list[float]] = {"engine": [], "floor": [], "tutorial": []}
        for _ in range(args.repeats):
            samples["engine"].append(engine(setup))
            samples["floor"].append(floor(setup))
            samples["tutorial"].append(tutorial(setup, dataset))
        median = {key: statistics.median(values) for key, values in samples.items()}
        results.append((name, median))
        print(
            f"{name} (batch {batch_size}, {count} images): engine {median['engine']:,.0f}, floor "
            f"{median['floor']:,.0f}, tutorial {median['tutorial']:,.0f} images/s"
        )
    for name, median in results:
        print(
            f"engine_vs_tutorial_{name}_images_per_s: {median['engine']:.0f} "
            f"(baseline: {median['tutorial']:.0f}) ratio: {median['engine'] / median['tutorial']:.2f}"
        )
    name, median = min(results, key=lambda item: item[1]["engine"] / item[1]["floor"])
    for other, values in results:
        if other != name:
            print(
                f"engine_vs_floor_{other}_images_per_s: {values['engine']:.0f} "
                f"(baseline: {values['floor']:.0f}) ratio: {values['engine'] / values['floor']:.2f}"
            )
    print(
        f"engine_vs_floor_{name}_images_per_s: {median['engine']:.0f} "
        f"(baseline: {median['floor']:.0f}) ratio: {median['engine'] / median['floor']:.2f}"
    )


if __name__ == "__main__":
    main()
