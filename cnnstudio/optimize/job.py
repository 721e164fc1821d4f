"""`optimize_run`: a trained run made smaller and faster, each variant measured against the original.

The variants, in the report's order: the original; torch.compile (the same weights, compiled); int8
(post-training quantization calibrated on a sample of the run's training images, saved as
`<out>/<run>.int8.pt`); pruned (a fraction of the conv channels removed and fine-tuned by the training
loop into a new run folder in `out`, which the Training tab lists and the Designer opens); and the pruned
run quantized as well when both are asked for. `out` defaults to the folder holding the run (the runs
folder), so a pruned run appears beside the original.
"""

from __future__ import annotations

import copy
import dataclasses
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from cnnstudio.data import DataError, DataSplit
from cnnstudio.engine.batches import DeviceData
from cnnstudio.engine.checkpoint import WEIGHTS, Checkpoint, CheckpointError, trained_checkpoint
from cnnstudio.engine.compiling import compile_module
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.evaluate import SplitCache, load_trained
from cnnstudio.engine.events import BatchMetrics, Error, Event
from cnnstudio.engine.loop import train
from cnnstudio.engine.run_folders import new_run_dir
from cnnstudio.graph import NetworkGraph, network_from_dict
from cnnstudio.optimize.errors import OptimizeError
from cnnstudio.optimize.prune import learnables, prune_channels
from cnnstudio.optimize.quantize import export_quantized_onnx, quantize_int8, save_quantized
from cnnstudio.optimize.report import Bench, Variant, VariantRow, accuracy_and_agreement, predictions, timed_rows
from cnnstudio.progress import CancelFlag, Cancelled, Progress, no_progress
from cnnstudio.pytorch import analyze

CALIBRATION_BATCH = 32


@dataclass
class OptimizeOptions:
    """What to make of a run. prune: the fraction of conv channels to remove (None: no pruning), then
    `finetune` epochs of training; onnx: also export each int8 variant to ONNX; data: the dataset to
    calibrate, fine-tune and evaluate on (None: the run's own); repeats/warmup: of each latency figure."""

    quantize: bool = False
    prune: float | None = None
    finetune: int = 3
    compile: bool = False
    onnx: bool = False
    out: str | os.PathLike[str] | None = None
    data: str | None = None
    data_root: str | os.PathLike[str] | None = None
    checkpoint: str | None = None
    calibration_images: int = 256
    repeats: int = 20
    warmup: int = 3


@dataclass
class OptimizeResult:
    """The report's rows (the original first), the files and run folders written, and notes for the user."""

    rows: list[VariantRow]
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def optimize_run(
    run_dir: str | os.PathLike[str],
    options: OptimizeOptions,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> OptimizeResult:
    """Make and measure the variants `options` asks for of the trained network in `run_dir`.

    `progress(message, fraction)` hears each step; a set `cancel` raises Cancelled between steps (and stops
    a fine-tuning run after its current batch). Raises OptimizeError with a message for the user.
    """
    _check_options(options)
    job = _Job(Path(run_dir), options, progress or no_progress, cancel)
    if options.compile:
        job.add_compiled()
    if options.quantize:
        job.add_int8("int8", job.module, job.saved, job.out / f"{job.run.name}.int8")
    if options.prune is not None:
        pruned_run, module, saved = job.add_pruned(options.prune)
        if options.quantize:
            job.add_int8(f"{job.variants[-1].name} + int8", module, saved, job.out / f"{pruned_run.name}.int8")
    job.report(f"Timing {len(job.variants)} networks on the CPU", 0.0)
    job.result.rows = timed_rows(job.variants, job.bench, cancel)
    job.report("Done", 1.0)
    return job.result


def _check_options(options: OptimizeOptions) -> None:
    if not (options.quantize or options.prune is not None or options.compile):
        raise OptimizeError("nothing to do: ask for --quantize int8, --prune FRACTION or --compile")
    if options.prune is not None and not 0.0 < options.prune < 1.0:
        raise OptimizeError(f"the pruning fraction must lie between 0 and 1 (e.g. 0.5), not {options.prune}")
    if options.prune is not None and options.finetune < 1:
        raise OptimizeError(f"a pruned network needs at least 1 fine-tuning epoch (got {options.finetune})")
    if options.calibration_images < 1 or options.repeats < 1 or options.warmup < 0:
        raise OptimizeError("calibration images and latency repeats must be at least 1, warm-up runs at least 0")


def _load_run(run: Path, checkpoint: str | None) -> tuple[nn.Module, Checkpoint]:
    try:
        module, saved = load_trained(run, checkpoint or trained_checkpoint(run) or "last")
    except CheckpointError as error:
        raise OptimizeError(str(error)) from None
    return module.eval(), saved


def _run_data(run: Path, saved: Checkpoint, options: OptimizeOptions) -> DataSplit:
    """The run's data, split as it was trained (the validation images are the ones it never saw)."""
    spec = options.data or saved.config.data
    if not spec:
        raise OptimizeError(f"{run.name} does not record its dataset; name the data it was trained on (--data)")
    channels, height, width = saved.data.input_shape
    try:
        split = SplitCache().load(
            spec, (channels, height, width), saved.config.val_fraction, saved.config.seed, options.data_root
        )
    except DataError as error:
        raise OptimizeError(str(error)) from None
    if list(split.val.classes) != list(saved.data.classes):
        raise OptimizeError(
            f"{spec} has classes {', '.join(split.val.classes)}, the run was trained on {', '.join(saved.data.classes)}"
        )
    if not len(split.val) or not len(split.train):
        raise OptimizeError(
            f"{spec} leaves no training or no validation images with the run's validation share; "
            "name other data (--data)"
        )
    return split


def calibration_batches(
    split: DataSplit, mean: list[float], std: list[float], count: int, seed: int
) -> list[torch.Tensor]:
    """A seeded random sample of `count` training images (all, if fewer), normalized, in batches."""
    data = DeviceData(split.train, mean, std, torch.device("cpu"))
    generator = torch.Generator().manual_seed(seed)
    indices = torch.randperm(len(split.train), generator=generator)[:count]
    return [data.batch(chunk)[0] for chunk in torch.split(indices, CALIBRATION_BATCH)]


class _Job:
    """One optimize_run: the run, its data and the original's measurements, which every variant is set against."""

    def __init__(self, run: Path, options: OptimizeOptions, report: Progress, cancel: CancelFlag | None) -> None:
        self.run, self.options, self.report, self.cancel = run, options, report, cancel
        self.module, self.saved = _load_run(run, options.checkpoint)
        self.design = network_from_dict(self.saved.design, f"{run} (design)").graph
        report(f"Loading the data of {run.name}", 0.0)
        self.split = _run_data(run, self.saved, options)
        data = self.saved.data
        self.bench = Bench(
            self.split.val, data.mean, data.std, tuple(data.input_shape), options.repeats, options.warmup
        )
        self.out = Path(options.out) if options.out is not None else run.parent
        report("Evaluating the original", 0.0)
        self.reference = predictions(self.module, self.bench, cancel)
        accuracy, _ = accuracy_and_agreement(self.reference, self.bench, self.reference)
        size = _file_size(self.saved.path / WEIGHTS)
        flops = analyze(self.design).total_flops
        original = Variant("original", self.module, learnables(self.module), size, flops, str(run), accuracy, 1.0)
        self.variants = [original]
        self.result = OptimizeResult([])

    def measure(self, name: str, module: nn.Module, **row: Any) -> None:
        """Evaluate a variant against the original (it is timed with all the others at the end)."""
        self.report(f"Evaluating {name}", 0.0)
        accuracy, agreement = accuracy_and_agreement(
            predictions(module, self.bench, self.cancel), self.bench, self.reference
        )
        self.variants.append(Variant(name, module, val_acc=accuracy, agreement=agreement, **row))

    def add_compiled(self) -> None:
        """The original's weights through torch.compile (eager, with the reason, where compiling fails)."""
        self.report("Compiling with torch.compile", 0.0)
        compiled = compile_module(copy.deepcopy(self.module).eval(), torch.zeros(1, *self.bench.input_shape))
        base = self.variants[0]
        self.measure(
            "compiled",
            compiled.module,
            params=base.params,
            size_bytes=base.size_bytes,
            flops=base.flops,
            path=base.path,
            note=compiled.note,
        )
        self.result.notes.append(compiled.note)

    def add_int8(self, name: str, module: nn.Module, saved: Checkpoint, target: Path) -> None:
        """Quantize `module` (the network of checkpoint `saved`), save it as `target`.pt (and .onnx)."""
        data = saved.data
        batches = calibration_batches(
            self.split, data.mean, data.std, self.options.calibration_images, saved.config.seed
        )
        quantized = quantize_int8(
            module, batches, progress=lambda fraction: self.report(f"Calibrating {name}", fraction), cancel=self.cancel
        )
        path = save_quantized(
            quantized, target.with_name(target.name + ".pt"), design=saved.design, data=dataclasses.asdict(data)
        )
        self.result.files.append(path)
        if self.options.onnx:
            self.report(f"Exporting {name} to ONNX", 0.0)
            onnx_path = target.with_name(target.name + ".onnx")
            self.result.files.append(export_quantized_onnx(quantized, self.bench.input_shape, onnx_path))
        self.measure(
            name, quantized, params=learnables(module), size_bytes=_file_size(path), flops=None, path=str(path)
        )

    def add_pruned(self, fraction: float) -> tuple[Path, nn.Module, Checkpoint]:
        """Prune, fine-tune into a new run folder in `out`, and add the fine-tuned network's row."""
        percent = round(fraction * 100)
        self.report(f"Pruning {percent}% of the conv channels", 0.0)
        pruned = prune_channels(self.module, self.design, fraction, self.bench.input_shape)
        try:
            config = self.saved.config.replace(
                epochs=self.options.finetune, warmup_epochs=0.0, patience=None, compile=False
            )
            run = new_run_dir(self.out, pruned.design.name)
        except ConfigError as error:
            raise OptimizeError(str(error)) from None
        except OSError as error:
            raise OptimizeError(f"cannot create a run folder in {self.out}: {error}") from None
        try:
            self._fine_tune(pruned.design, pruned.state_dict, config, run)
        except (Cancelled, OptimizeError):
            shutil.rmtree(run, ignore_errors=True)  # nothing half-made stays in the runs folder
            raise
        module, saved = _load_run(run, None)
        self.result.files.append(run)
        self.measure(
            f"pruned {percent}%",
            module,
            params=learnables(module),
            size_bytes=_file_size(saved.path / WEIGHTS),
            flops=analyze(pruned.design).total_flops,
            path=str(run),
        )
        return run, module, saved

    def _fine_tune(
        self, design: NetworkGraph, weights: dict[str, torch.Tensor], config: TrainConfig, run: Path
    ) -> None:
        """Train the pruned design from its pruned weights into `run`, reporting each batch."""
        control = TrainControl()
        for event in _followed(
            train(design, self.split, config, run, control=control, initial_weights=weights), control, self.cancel
        ):
            if isinstance(event, BatchMetrics):
                done = (event.epoch - 1 + event.batch / event.batches) / config.epochs
                self.report(f"Fine-tuning epoch {event.epoch}/{config.epochs}", done)
            elif isinstance(event, Error):
                raise OptimizeError(f"fine-tuning the pruned network failed: {event.message}")


def _followed(events: Iterator[Event], control: TrainControl, cancel: CancelFlag | None) -> Iterator[Event]:
    """The run's events; a set `cancel` asks the run to stop after its batch, then raises Cancelled."""
    for event in events:
        if cancel is not None and cancel.is_set():
            control.stop()
        yield event
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
