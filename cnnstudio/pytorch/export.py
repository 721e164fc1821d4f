"""Export a design with its weights: ONNX, a torch.export program, Python source + weights, and a
standalone training script that needs only torch and torchvision (for a cluster, with torchrun).

Every file is written atomically. Each carries the design's task (graph.task): ONNX and .pt2 files as
metadata ("cnnstudio.task"), the Python source and the training script as `TASK`; a multi-label model outputs
one score per label, whose sigmoid is that label's probability.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from cnnstudio.fileio import atomic_path, atomic_write_text
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import input_shape
from cnnstudio.pytorch.builder import build_module, class_name_for, module_source
from cnnstudio.pytorch.weights import load_into

FORMATS = ("onnx", "pt2", "py", "script")


class ExportError(Exception):
    """An export that cannot be done; the message says why and what to do."""


def _required_input_shape(graph: NetworkGraph) -> tuple[int, int, int]:
    shape = input_shape(graph)
    if shape is None:
        raise ExportError("the design has no Input layer")
    return shape


TASK_KEY = "cnnstudio.task"


def _module_with(graph: NetworkGraph, state_dict: dict[str, torch.Tensor] | None) -> nn.Module:
    """The design with its weights, in eval mode; a multi-label design's label scores without a final Softmax
    (softmax would tie the labels together)."""
    module = build_module(graph, logits=graph.multilabel)
    if state_dict is not None:
        load_into(module, state_dict, "the weights")
    return module.eval()


def export_onnx(graph: NetworkGraph, state_dict: dict[str, torch.Tensor] | None, path: str | os.PathLike) -> None:
    """ONNX with a dynamic batch axis (input 'input', output 'output'); needs the [onnx] extra."""
    try:
        import onnxscript  # noqa: F401  (torch's ONNX exporter needs it)
    except ImportError:
        raise ExportError('ONNX export needs the onnx extra: pip install -e ".[onnx]"') from None
    module = _module_with(graph, state_dict)
    example = torch.randn(2, *_required_input_shape(graph))
    with atomic_path(path) as tmp:
        program = torch.onnx.export(
            module,
            (example,),
            dynamo=True,
            input_names=["input"],
            output_names=["output"],
            dynamic_shapes=({0: torch.export.Dim("batch")},),
        )
        program.model.metadata_props[TASK_KEY] = graph.task
        program.save(str(tmp))


def export_program(graph: NetworkGraph, state_dict: dict[str, torch.Tensor] | None, path: str | os.PathLike) -> None:
    """A `torch.export` program (.pt2) for deployment with torch (ExecuTorch, AOTInductor …); the task is its
    extra file "cnnstudio.task"."""
    module = _module_with(graph, state_dict)
    program = torch.export.export(module, (torch.randn(2, *_required_input_shape(graph)),))
    with atomic_path(path) as tmp:
        torch.export.save(program, str(tmp), extra_files={TASK_KEY: graph.task})


def export_python(graph: NetworkGraph, state_dict: dict[str, torch.Tensor] | None, path: str | os.PathLike) -> Path:
    """NAME.py (the module source plus `load()`) and NAME.pt (its state dict) beside it.

    The weights file is a plain state dict that `load()` reads with `torch.load(weights_only=True)`.
    Returns the weights path.
    """
    path = Path(path)
    weights = path.with_suffix(".pt")
    module = _module_with(graph, state_dict)
    class_name = class_name_for(graph)
    source = module_source(graph, class_name, logits=graph.multilabel) + _LOADER.format(
        class_name=class_name, weights=weights.name, task=graph.task, squash=_SQUASH[graph.task]
    )
    with atomic_path(weights) as tmp:
        torch.save(module.state_dict(), tmp)
    atomic_write_text(path, source)
    return weights


_SQUASH = {
    "single-label": "torch.softmax(output, dim=1) (unless the network ends in Softmax already)",
    "multi-label": "torch.sigmoid(output): each label's own probability",
}
_LOADER = '''

# "single-label": one class per image; "multi-label": any number of labels per image.
# Probabilities from the output: {squash}.
TASK = "{task}"


def load(weights: str | None = None) -> {class_name}:
    """The network with its trained weights ({weights} beside this file by default), in eval mode."""
    from pathlib import Path

    model = {class_name}()
    path = Path(weights) if weights else Path(__file__).with_name("{weights}")
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model.eval()
'''


@dataclass
class ScriptSettings:
    """Hyperparameters written into a standalone training script as its command-line defaults."""

    epochs: int = 10
    batch_size: int = 64
    lr: float = 0.01
    optimizer: str = "sgd"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    label_smoothing: float = 0.0
    flip: bool = False
    data: str = "cifar10"
    mean: tuple[float, ...] = (0.5,)
    std: tuple[float, ...] = (0.5,)


def training_script(graph: NetworkGraph, settings: ScriptSettings | None = None) -> str:
    """A self-contained training script: the model, torchvision data, DDP under torchrun."""
    settings = settings or ScriptSettings()
    channels, height, width = _required_input_shape(graph)
    class_name = class_name_for(graph)
    model = module_source(graph, class_name, logits=True).split('"""', 2)[2].lstrip("\n")
    values = asdict(settings)
    values["task"] = graph.task
    values.update(
        class_name=class_name,
        channels=channels,
        height=height,
        width=width,
        model=model,
        title=graph.name,
        mean=list(settings.mean),
        std=list(settings.std),
    )
    return _SCRIPT.format(**values)


def write_training_script(graph: NetworkGraph, path: str | os.PathLike, settings: ScriptSettings | None = None) -> None:
    atomic_write_text(path, training_script(graph, settings))


_SCRIPT = '''"""Train {title} — exported by CNN Studio; needs only torch and torchvision.

    python train.py --data cifar10 --epochs 10                  # one process (GPU if present)
    torchrun --nproc_per_node=4 train.py --data /path/to/images # DistributedDataParallel

--data: mnist, fashion-mnist, cifar10 (downloaded to --root), a folder with one sub-folder per class, or a
MedMNIST-format .npz file (train_/val_images and _labels). A multi-label TASK trains with BCEWithLogitsLoss and
reports the share of label decisions right at 0.5 as "val acc".
Checkpoints (rank 0): OUT/last.pt and OUT/best.pt, plain state dicts.
"""

import argparse
import os
import time

import torch
import torch.distributed as dist
import torchvision
from torch import nn
from torch.utils.data import DataLoader, random_split
from torch.utils.data.distributed import DistributedSampler
from torchvision.transforms import v2

TASK = "{task}"  # "single-label" or "multi-label"

{model}

def npz_datasets(args):
    import numpy as np
    from torch.utils.data import TensorDataset

    arrays = np.load(args.data)
    parts = []
    for split in ("train", "val"):
        images = torch.from_numpy(arrays[f"{{split}}_images"]).float().div(255)
        images = images.unsqueeze(1) if images.dim() == 3 else images.permute(0, 3, 1, 2)
        images = images.mean(1, keepdim=True) if {channels} == 1 else images.expand(-1, 3, -1, -1)
        images = nn.functional.interpolate(images, size=({height}, {width}), mode="bilinear", antialias=True)
        images = (images - torch.tensor(args.mean).view(1, -1, 1, 1)) / torch.tensor(args.std).view(1, -1, 1, 1)
        labels = torch.from_numpy(arrays[f"{{split}}_labels"])
        labels = labels.float() if TASK == "multi-label" else labels.reshape(-1).long()
        parts.append(TensorDataset(images, labels))
    return parts[0], parts[1]


def datasets(args):
    if args.data.endswith(".npz"):
        return npz_datasets(args)
    common = [v2.Grayscale(1) if {channels} == 1 else v2.RGB(), v2.Resize(({height}, {width}), antialias=True)]
    normalize = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(args.mean, args.std)]
    flip = [v2.RandomHorizontalFlip()] if args.flip else []
    train_tf = v2.Compose([*common, *flip, *normalize])
    test_tf = v2.Compose([*common, *normalize])
    named = {{"mnist": torchvision.datasets.MNIST, "fashion-mnist": torchvision.datasets.FashionMNIST,
             "cifar10": torchvision.datasets.CIFAR10}}
    if args.data in named:
        make = named[args.data]
        return (make(args.root, train=True, transform=train_tf, download=True),
                make(args.root, train=False, transform=test_tf, download=True))
    full = torchvision.datasets.ImageFolder(args.data)
    val_size = max(1, len(full) // 5)
    train, val = random_split(full, [len(full) - val_size, val_size], generator=torch.Generator().manual_seed(0))
    train.dataset = torchvision.datasets.ImageFolder(args.data, transform=train_tf)
    val.dataset = torchvision.datasets.ImageFolder(args.data, transform=test_tf)
    return train, val


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="{data}")
    parser.add_argument("--root", default="data")
    parser.add_argument("--out", default="checkpoints")
    parser.add_argument("--epochs", type=int, default={epochs})
    parser.add_argument("--batch-size", type=int, default={batch_size})
    parser.add_argument("--lr", type=float, default={lr})
    parser.add_argument("--optimizer", choices=["sgd", "adam", "adamw", "rmsprop"], default="{optimizer}")
    parser.add_argument("--momentum", type=float, default={momentum})
    parser.add_argument("--weight-decay", type=float, default={weight_decay})
    parser.add_argument("--label-smoothing", type=float, default={label_smoothing})
    parser.add_argument("--mean", type=float, nargs="+", default={mean})
    parser.add_argument("--std", type=float, nargs="+", default={std})
    parser.add_argument("--flip", action=argparse.BooleanOptionalAction, default={flip},
                        help="random horizontal flips while training")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    rank = dist.get_rank() if distributed else 0
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device(f"cuda:{{local_rank}}" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)

    train_set, val_set = datasets(args)
    sampler = DistributedSampler(train_set) if distributed else None
    train_loader = DataLoader(train_set, args.batch_size, shuffle=sampler is None, sampler=sampler,
                              num_workers=args.workers, pin_memory=device.type == "cuda", drop_last=True)
    val_loader = DataLoader(val_set, args.batch_size * 2, num_workers=args.workers)

    model = {class_name}().to(device)
    if distributed:
        model = nn.parallel.DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None)
    parameters = model.parameters()
    optimizers = {{
        "sgd": lambda: torch.optim.SGD(parameters, args.lr, momentum=args.momentum, weight_decay=args.weight_decay),
        "adam": lambda: torch.optim.Adam(parameters, args.lr, weight_decay=args.weight_decay),
        "adamw": lambda: torch.optim.AdamW(parameters, args.lr, weight_decay=args.weight_decay),
        "rmsprop": lambda: torch.optim.RMSprop(parameters, args.lr, momentum=args.momentum,
                                               weight_decay=args.weight_decay),
    }}
    optimizer = optimizers[args.optimizer]()
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, max(1, args.epochs))
    if TASK == "multi-label":
        loss_fn = nn.BCEWithLogitsLoss()
    else:
        loss_fn = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    best = 0.0
    os.makedirs(args.out, exist_ok=True)
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)
        model.train()
        start, seen, total_loss = time.time(), 0, 0.0
        for images, labels in train_loader:
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            loss = loss_fn(model(images), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            seen += len(labels)
            total_loss += loss.item() * len(labels)
        schedule.step()
        if rank != 0:
            continue
        model.eval()
        correct = count = 0
        with torch.no_grad():
            for images, labels in val_loader:
                outputs = model(images.to(device)).cpu()
                if TASK == "multi-label":
                    correct += ((outputs.sigmoid() >= 0.5) == labels.bool()).float().mean(1).sum().item()
                else:
                    correct += (outputs.argmax(1) == labels).sum().item()
                count += len(labels)
        accuracy = correct / max(1, count)
        weights = (model.module if distributed else model).state_dict()
        torch.save(weights, os.path.join(args.out, "last.pt"))
        if accuracy >= best:
            best = accuracy
            torch.save(weights, os.path.join(args.out, "best.pt"))
        print(f"epoch {{epoch}}: loss {{total_loss / max(1, seen):.4f}}  val acc {{accuracy:.4f}}  "
              f"{{seen / (time.time() - start):.0f}} images/s", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
