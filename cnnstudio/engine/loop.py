"""The training run: `train` and `resume` are generators of events (see events.py).

    for event in train(graph, load_data("digits", (1, 28, 28)), TrainConfig(epochs=5), "runs/a"):
        print(to_json(event))

A run never raises for things a user can cause (bad options, a design with errors, data that does
not fit, divergence, out of memory): it yields an Error event with the cause and what to try, and
ends. The consumer drives the run: it advances one batch per resumption at most, and a
TrainControl asks it to stop or pause before its next batch.
"""

from __future__ import annotations

import contextlib
import random
import time
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from cnnstudio.data import DataError, DataSplit
from cnnstudio.data.augment import parse_augment
from cnnstudio.engine.batches import DeviceData, batch_augmenter
from cnnstudio.engine.checkpoint import (
    Checkpoint,
    CheckpointError,
    DataInfo,
    Progress,
    load_checkpoint,
    restore_rng,
    save_checkpoint,
)
from cnnstudio.engine.compiling import compile_module
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.device import (
    backend_settings,
    device_name,
    is_out_of_memory,
    release_memory,
    resolve_device,
    resolve_precision,
)
from cnnstudio.engine.distributed import DistContext
from cnnstudio.engine.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochSummary,
    Error,
    Event,
    Finished,
    Paused,
    Started,
    Validation,
)
from cnnstudio.engine.guard import StepGuard
from cnnstudio.engine.memory import memory_shortfall
from cnnstudio.engine.metrics import MetricsLog, RunningMetrics
from cnnstudio.engine.model import PreparedModel, count_parameters, prepare_model, set_train_mode
from cnnstudio.engine.multilabel import LabelLoss, RunningLabelScores, macro_auroc, positive_weights
from cnnstudio.engine.optim import (
    build_optimizer,
    build_scheduler,
    reported_lr,
    restore_scheduler,
    scheduler_state,
)
from cnnstudio.engine.tensorboard_log import recorded
from cnnstudio.fileio import NoSpaceError
from cnnstudio.graph import NetworkFileError, NetworkGraph, network_from_dict
from cnnstudio.graph.templates import classifier_node, input_shape
from cnnstudio.pytorch import BuildError
from cnnstudio.pytorch.weights import WeightsFileError, load_into

BATCH_EVENT_INTERVAL = 0.1  # seconds: batch metrics at most 10 times a second
METRICS_FILE = "metrics.json"


class _Failure(Exception):
    """Ends a run with an Error event (raised inside the run, turned into the event at its edge)."""

    def __init__(self, error: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.event = Error(error, message, hint)


def train(
    design: NetworkGraph,
    data: DataSplit,
    config: TrainConfig,
    run_dir: str | Path,
    *,
    control: TrainControl | None = None,
    initial_weights: Mapping[str, torch.Tensor] | None = None,
    dist: DistContext | None = None,
) -> Iterator[Event]:
    """Train `design` on `data`, writing checkpoints, metrics.json, metrics.csv and TensorBoard event files
    into `run_dir`.

    initial_weights: a state dict keyed by node id to start from (fine-tuning); tensors whose shape
    does not fit are left at their initialization and listed in Started.notes.
    dist: this process's place in a data-parallel run (see distributed.init_distributed).
    """
    events = _Run(design, data, config, Path(run_dir), control, dist).events(initial_weights=initial_weights)
    return recorded(events, run_dir)


RESUME_CHANGES = frozenset({"epochs", "lr", "grad_clip", "patience", "device", "precision", "val_every", "compile"})


def resume(
    run_dir: str | Path,
    data: DataSplit,
    *,
    changes: Mapping[str, Any] | None = None,
    control: TrainControl | None = None,
    dist: DistContext | None = None,
) -> Iterator[Event]:
    """Continue the run in `run_dir` from its `last` checkpoint, with the design and config saved there.

    With the same data and no changes, the run continues exactly where it stopped (mid-epoch
    included). changes: new values for RESUME_CHANGES, e.g. {"epochs": 30} to train longer, or
    {"lr": 1e-4} after the run diverged.
    """
    try:
        checkpoint = load_checkpoint(run_dir, "last")
        refused = sorted(set(changes or {}) - RESUME_CHANGES)
        if refused:
            raise ConfigError(
                f"a resumed run keeps its settings; {', '.join(refused)} cannot change "
                f"(these can: {', '.join(sorted(RESUME_CHANGES))})"
            )
        config = checkpoint.config.replace(**(changes or {}))
        design = network_from_dict(checkpoint.design, f"{run_dir} (design)").graph
    except ConfigError as error:
        yield Error("config", str(error))
        return
    except (CheckpointError, NetworkFileError) as error:
        yield Error("checkpoint", f"cannot resume: {error}", "resume from the --out folder of an earlier run")
        return
    yield from recorded(_Run(design, data, config, Path(run_dir), control, dist).events(checkpoint=checkpoint), run_dir)


class _Run:
    """One training session (a fresh run, or the continuation of one)."""

    def __init__(
        self,
        graph: NetworkGraph,
        data: DataSplit,
        config: TrainConfig,
        run_dir: Path,
        control: TrainControl | None,
        dist: DistContext | None,
    ) -> None:
        self.graph, self.data, self.config, self.run_dir = graph, data, config, run_dir
        self.control = control or TrainControl()
        self.dist = dist
        self.is_main = dist is None or dist.is_main
        self.metrics: MetricsLog | None = None
        self.progress = Progress()
        self.session_start, self.elapsed_before = time.monotonic(), 0.0
        self.stop_agreed = False  # data-parallel: every process saw a stop request at the same step
        self.last_batch_message = -float("inf")

    # ----- the run's edge: setup, errors, the epoch loop
    def events(
        self, *, initial_weights: Mapping[str, torch.Tensor] | None = None, checkpoint: Checkpoint | None = None
    ) -> Iterator[Event]:
        device = torch.device("cpu")
        try:
            device = self.dist.device if self.dist else resolve_device(self.config.device)
            with backend_settings(device, self.config.deterministic):
                for event in self._run(device, initial_weights, checkpoint):
                    if self.is_main or isinstance(event, Error):
                        yield event
        except _Failure as failure:
            self._record_failure()
            yield failure.event
        except Exception as error:  # noqa: BLE001 - the run's edge: every failure becomes an Error event
            self._record_failure()
            yield self._unexpected(error, device)

    def _record_failure(self) -> None:
        """Mark metrics.json failed, if it can be written: when the disk is full it cannot, and the error that
        ended the run is the one to report."""
        with contextlib.suppress(OSError):
            self._write_metrics("failed")

    def _unexpected(self, error: Exception, device: torch.device) -> Error:
        if isinstance(error, ConfigError | DataError):
            return Error("config", str(error))
        if isinstance(error, BuildError):
            return Error(
                "design",
                f"the design has errors: {error}",
                "fix the layers marked in the designer (or see `cnnstudio analyze FILE`)",
            )
        if isinstance(error, NoSpaceError):
            where = f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error)
            return Error(
                "disk_full",
                f"training stopped: {where}",
                "make room on that disk, then resume the run from its last checkpoint",
            )
        if is_out_of_memory(error):
            release_memory(device)
            size = self.config.batch_size
            return Error(
                "out_of_memory",
                f"out of memory on {device_name(device)} with batch size {size}: {str(error).splitlines()[0]}",
                f"lower the batch size (try {max(1, size // 4)}), use a smaller input size or network, "
                "or close other programs using the device",
            )
        return Error(
            "internal",
            f"training failed: {type(error).__name__}: {error}",
            "this is a bug in CNN Studio; please report it with the details",
            traceback.format_exc(),
        )

    def _run(
        self, device: torch.device, initial_weights: Mapping[str, torch.Tensor] | None, checkpoint: Checkpoint | None
    ) -> Iterator[Event]:
        yield from self._setup(device, initial_weights, checkpoint)
        config, progress = self.config, self.progress
        reason = "completed"
        for epoch in range(progress.epoch, config.epochs):
            outcome = yield from self._train_epoch(epoch)
            if outcome == "stopped":
                reason = outcome
                break
            yield from self._end_epoch(epoch)
            if self._early_stop():
                reason = "early_stopped"
                break
        self._write_metrics(reason)
        yield Finished(
            reason,
            progress.epoch,
            progress.step,
            progress.best_epoch,
            progress.best_loss,
            progress.best_val_acc,
            self._elapsed(),
            str(self.run_dir),
        )

    def _setup(
        self, device: torch.device, initial_weights: Mapping[str, torch.Tensor] | None, checkpoint: Checkpoint | None
    ) -> Iterator[Event]:
        config, data = self.config, self.data
        self.device = device
        self.precision = resolve_precision(config.precision, device)
        self.augment_options = parse_augment(config.augment)
        self._check_data(checkpoint)
        _seed_everything(config.seed)
        prepared = prepare_model(self.graph, config.init, None if checkpoint else initial_weights)
        if checkpoint:
            try:
                load_into(prepared.module, checkpoint.weights, "the checkpoint's weights")
            except WeightsFileError as error:
                raise _Failure("checkpoint", f"cannot resume: {error}") from None
        self.prepared: PreparedModel = prepared
        shortfall = memory_shortfall(self.graph, min(config.batch_size, len(data.train)), device)
        if shortfall is not None:
            raise _Failure("out_of_memory", *shortfall)
        channels_last = device.type == "cuda"
        self.module = prepared.module.to(device)
        if channels_last:
            self.module.to(memory_format=torch.channels_last)
        rank, world = (self.dist.rank, self.dist.world_size) if self.dist else (0, 1)
        self.train_data = DeviceData(
            data.train, data.mean, data.std, device, channels_last=channels_last, rank=rank, world_size=world
        )
        self.val_data = (
            DeviceData(data.val, data.mean, data.std, device, channels_last=channels_last, rank=rank, world_size=world)
            if len(data.val)
            else None
        )
        self._check_output()
        self.model: nn.Module = self.module
        if self.dist and self.dist.world_size > 1:
            device_ids = [device.index] if device.type == "cuda" else None
            self.model = DistributedDataParallel(self.module, device_ids=device_ids)
        notes = list(prepared.notes)
        if config.compile:
            probe, _ = self.train_data.batch(self.train_data.sequential()[:2])
            compiled = compile_module(self.model, probe)
            self.model = compiled.module
            notes.append(compiled.note)
        try:
            self.optimizer = build_optimizer(self.module, config, prepared.head, device)
        except ValueError as error:
            raise _Failure("design", str(error), "unfreeze at least one layer with weights") from None
        self.trainable = [p for p in self.module.parameters() if p.requires_grad]
        self.batch_size = min(config.batch_size, self.train_data.shard_size)
        self.steps = self.train_data.steps(config.batch_size)
        self.scheduler = build_scheduler(self.optimizer, config, self.steps)
        # loss scaling exists for fp16 on CUDA only; elsewhere a disabled scaler passes calls through
        self.scaler = torch.amp.GradScaler("cuda" if device.type == "cuda" else "cpu", enabled=self.precision.scaled)
        self.pos_weight = (
            positive_weights(data.train.labels).to(device) if data.multilabel and config.pos_weight else None
        )
        self.criterion = self._loss_function("mean")
        self.guard = StepGuard(device, self.dist if self.dist and self.dist.world_size > 1 else None)
        if checkpoint:
            self._restore(checkpoint)
        self.session_start, self.elapsed_before = time.monotonic(), self.progress.elapsed
        self.session_steps, self.session_train_seconds, self.val_seconds = 0, 0.0, 0.0
        total, trainable = count_parameters(self.module)
        self.metrics = MetricsLog(
            self.run_dir / METRICS_FILE,
            {
                "name": self.graph.name,
                "classes": list(data.classes),
                "task": self.graph.task,
                "device": device_name(device),
                "precision": self.precision.name,
                "config": config.to_dict(),
            },
            keep_epochs=self.progress.epoch,
        )
        if self.is_main:
            self.run_dir.mkdir(parents=True, exist_ok=True)
        yield Started(
            str(self.run_dir),
            device_name(device),
            self.precision.name,
            config.epochs,
            self.progress.epoch,
            self.steps,
            self.batch_size,
            len(data.train),
            len(data.val),
            list(data.classes),
            total,
            trainable,
            world,
            notes,
            self.graph.task,
        )

    def _loss_function(self, reduction: str) -> nn.Module:
        """Binary cross-entropy per label for a multi-label design, else cross-entropy."""
        if self.graph.multilabel:
            return LabelLoss(self.pos_weight, reduction)
        return nn.CrossEntropyLoss(reduction=reduction, label_smoothing=self.config.label_smoothing)

    def _check_data(self, checkpoint: Checkpoint | None) -> None:
        data = self.data
        wanted = input_shape(self.graph)
        if wanted is not None and wanted != data.image_shape:
            raise _Failure(
                "data",
                f"the images are {_shape(data.image_shape)} but the network takes {_shape(wanted)}",
                f"load the data for this network's input size, e.g. load_data(spec, {wanted})",
            )
        if len(data.train) == 0:
            raise _Failure("data", "there are no training images", "choose a dataset or folder with images")
        if self.graph.multilabel != data.multilabel:
            kinds = ("multi-label", "single-label") if self.graph.multilabel else ("single-label", "multi-label")
            raise _Failure(
                "data",
                f"the design is {kinds[0]} but the data is {kinds[1]}",
                f"set the design's task to {kinds[1]} (the Training tab and `cnnstudio train` do this themselves)",
            )
        if checkpoint is not None:
            saved = checkpoint.data
            if list(saved.classes) != list(data.classes):
                raise _Failure(
                    "data",
                    f"cannot resume: the run was trained on classes {', '.join(saved.classes)} "
                    f"but this data has {', '.join(data.classes)}",
                    "resume with the same data",
                )
            if checkpoint.progress.epoch > self.config.epochs:
                raise _Failure(
                    "config",
                    f"cannot resume for {self.config.epochs} epochs: the run already "
                    f"completed {checkpoint.progress.epoch}",
                )

    def _check_output(self) -> None:
        """One forward pass on two images: the network must output one score per class."""
        probe, _ = self.train_data.batch(self.train_data.sequential()[:2])
        self.module.eval()
        with torch.no_grad():
            output = self.module(probe)
        classes = self.data.classes
        if output.dim() != 2:
            raise _Failure(
                "design",
                f"the network outputs {_shape(tuple(output.shape[1:]))} per image, but a "
                "classifier must output one score per class",
                "end the network with Flatten and a Linear layer (or global pooling)",
            )
        if output.shape[1] != len(classes):
            head = classifier_node(self.graph) or "the last layer"
            names = ", ".join(classes[:10]) + (", …" if len(classes) > 10 else "")
            raise _Failure(
                "data",
                f"the network outputs {output.shape[1]} class scores but the data has {len(classes)} classes ({names})",
                f"set the output size of {head} to {len(classes)}",
            )

    def _restore(self, checkpoint: Checkpoint) -> None:
        progress = checkpoint.progress
        if progress.batch >= self.steps:
            raise _Failure(
                "data",
                f"cannot resume: the run stopped after batch {progress.batch} of an epoch, "
                f"but this data and batch size give {self.steps} batches per epoch",
                "resume with the same data",
            )
        try:
            if checkpoint.optimizer is not None:
                self.optimizer.load_state_dict(checkpoint.optimizer)
            self.scheduler = restore_scheduler(
                self.scheduler, self.config, self.steps, checkpoint.scheduler, progress.step
            )
            if checkpoint.scaler is not None and self.scaler.is_enabled():
                self.scaler.load_state_dict(checkpoint.scaler)
        except (ValueError, KeyError, TypeError, RuntimeError) as error:
            raise _Failure(
                "checkpoint", f"cannot resume: the optimizer or schedule state does not fit ({error})"
            ) from None
        if checkpoint.rng is not None:
            restore_rng(checkpoint.rng)
        self.progress = progress

    # ----- one epoch
    def _train_epoch(self, epoch: int) -> Iterator[Event]:
        """Train one epoch (from `progress.batch` when resuming inside it). Returns "stopped" or None."""
        config, progress = self.config, self.progress
        order = self.train_data.order(config.seed, epoch)
        self.running: RunningMetrics | RunningLabelScores = (
            RunningLabelScores(self.device, progress.loss_sum, progress.seen)
            if self.graph.multilabel
            else RunningMetrics(self.device, progress.loss_sum, progress.correct, progress.seen)
        )
        seconds_before, first_batch = progress.train_seconds, progress.batch
        set_train_mode(self.module, self.prepared.frozen)
        autocast = self._autocast()
        clock = time.monotonic()
        window = (clock, progress.loss_sum, progress.correct, progress.seen)  # at the last batch message
        lr = reported_lr(self.optimizer)
        for batch in range(first_batch, self.steps):
            if self.dist is None and self.control.paused:
                paused_at = time.monotonic()
                yield Paused(True, epoch + 1, progress.step)
                self.control.wait_while_paused()
                clock += time.monotonic() - paused_at
                yield Paused(False, epoch + 1, progress.step)
            if self.stop_agreed or (self.dist is None and self.control.stop_requested):
                code, _ = self.guard.flush()  # never save weights a pending bad step has spoiled
                if code:
                    raise self._diverged(code, epoch, batch - 1, lr)
                progress.batch = batch
                progress.loss_sum, progress.correct, progress.seen = self.running.totals()
                now = time.monotonic()
                progress.train_seconds = seconds_before + now - clock
                if window[3] < progress.seen:  # the batches since the last message reach the plots too
                    message, _ = self._batch_message(epoch, batch, lr, window, now, now - clock, batch - first_batch)
                    yield message
                self._account(progress.train_seconds - seconds_before, batch - first_batch)
                yield from self._save("last")
                return "stopped"
            indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            images, labels = self.train_data.batch(
                indices, batch_augmenter(self.augment_options, config.seed, epoch, batch)
            )
            lr = reported_lr(self.optimizer)
            with autocast:
                logits = self.model(images)
                loss = self.criterion(logits, labels)
            self.optimizer.zero_grad(set_to_none=True)
            self.scaler.scale(loss).backward()
            code, stop = self.guard.observe(
                self._nonfinite_code(loss), self.dist is not None and self.control.stop_requested
            )
            if code:
                raise self._diverged(code, epoch, batch - self.guard.lag, lr)
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.scheduler.step()
            self.running.update(loss, logits, labels)
            progress.step += 1
            self.stop_agreed = stop
            now = time.monotonic()
            # the epoch's last batch always reports, so the curves reach the end of every epoch
            if now - self.last_batch_message >= BATCH_EVENT_INTERVAL or batch + 1 == self.steps:
                self.last_batch_message = now
                message, window = self._batch_message(
                    epoch, batch + 1, lr, window, now, now - clock, batch + 1 - first_batch
                )
                yield message
            if self._validation_due(batch):
                validation_start = time.monotonic()
                validation = self._intermediate_validation(epoch, batch)
                clock += time.monotonic() - validation_start  # not training time
                yield validation
        code, _ = self.guard.flush()
        if code:
            raise self._diverged(code, epoch, self.steps - 1, lr)
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
        progress.train_seconds = seconds_before + time.monotonic() - clock
        self._account(progress.train_seconds - seconds_before, self.steps - first_batch)
        self.last_lr = lr
        return None

    def _validation_due(self, batch: int) -> bool:
        """Whether `config.val_every` asks for a validation after this batch (the epoch's last validates anyway)."""
        every = self.config.val_every
        return bool(every) and self.val_data is not None and self.progress.step % every == 0 and batch + 1 < self.steps

    def _intermediate_validation(self, epoch: int, batch: int) -> Validation:
        val_loss, val_acc = self._validate()
        set_train_mode(self.module, self.prepared.frozen)
        assert val_loss is not None and val_acc is not None
        return Validation(epoch + 1, batch + 1, self.steps, self.progress.step, val_loss, val_acc)

    def _nonfinite_code(self, loss: torch.Tensor) -> torch.Tensor:
        """2 when the loss is not finite, 1 when only the gradients are not, else 0 (on the device).

        With fp16 loss scaling, infinite gradients are expected now and then (the scaler skips those
        steps and lowers the scale), so only the loss is checked there.
        """
        loss_bad = (~torch.isfinite(loss.detach())).to(torch.uint8) * 2
        if self.scaler.is_enabled():
            if self.config.grad_clip is not None:
                self.scaler.unscale_(self.optimizer)
                nn.utils.clip_grad_norm_(self.trainable, self.config.grad_clip)
            return loss_bad
        norm = nn.utils.clip_grad_norm_(self.trainable, self.config.grad_clip or float("inf"))
        return torch.maximum(loss_bad, (~torch.isfinite(norm)).to(torch.uint8))

    def _diverged(self, code: int, epoch: int, batch: int, lr: float) -> _Failure:
        what = (
            "the loss became NaN or infinite"
            if code >= 2
            else "the gradients became NaN or infinite (the loss was still finite)"
        )
        saved = self.run_dir / "last"
        kept = (
            f"the last good checkpoint is kept in {saved}"
            if (saved / "state.json").is_file()
            else "no checkpoint had been written yet"
        )
        clip = "" if self.config.grad_clip else ", or clip gradients (grad clip 1.0)"
        warmup = "" if self.config.warmup_epochs else ", or warm the learning rate up over an epoch"
        return _Failure(
            "non_finite",
            f"training diverged at epoch {epoch + 1}, batch {batch + 1}: {what}; {kept}",
            f"lower the learning rate (now {lr:.3g}; try {lr / 10:.3g}){clip}{warmup}",
        )

    def _batch_message(
        self,
        epoch: int,
        batch: int,
        lr: float,
        window: tuple[float, float, int, int],
        now: float,
        epoch_seconds: float,
        batches_done: int,
    ) -> tuple[BatchMetrics, tuple[float, float, int, int]]:
        """Loss, accuracy and speed since the previous message; `epoch_seconds`/`batches_done` are
        this session's training time and batches in the epoch so far (for the ETA)."""
        loss_sum, correct, seen = self.running.totals()
        then, loss_before, correct_before, seen_before = window
        count = max(1, seen - seen_before)
        seconds_per_step = (self.session_train_seconds + epoch_seconds) / (self.session_steps + batches_done)
        steps_left = self.steps - batch + (self.config.epochs - epoch - 1) * self.steps
        eta = steps_left * seconds_per_step + (self.config.epochs - epoch) * self.val_seconds
        message = BatchMetrics(
            epoch + 1,
            batch,
            self.steps,
            self.progress.step,
            (loss_sum - loss_before) / count,
            self.running.accuracy_since(correct_before, seen_before),
            lr,
            count / max(now - then, 1e-9),
            self._elapsed(),
            eta,
        )
        return message, (now, loss_sum, correct, seen)

    def _account(self, seconds: float, steps: int) -> None:
        self.session_train_seconds += seconds
        self.session_steps += steps

    # ----- end of an epoch: validation, summary, checkpoints
    def _end_epoch(self, epoch: int) -> Iterator[Event]:
        config, progress = self.config, self.progress
        totals = torch.tensor(self.running.totals(), dtype=torch.float64, device=self.device)
        if self.dist:
            self.dist.all_reduce(totals)
        loss_sum, correct, seen = totals.tolist()
        train_loss, train_acc = loss_sum / seen, self.running.epoch_accuracy(correct, seen)
        validation_start = time.monotonic()
        val_loss, val_acc = self._validate()
        self.val_seconds = time.monotonic() - validation_start
        epoch_seconds = progress.train_seconds + self.val_seconds
        progress.epoch, progress.batch = epoch + 1, 0
        progress.loss_sum, progress.correct, progress.seen, progress.train_seconds = 0.0, 0, 0, 0.0
        score = val_loss if val_loss is not None else train_loss
        improved = progress.best_loss is None or score < progress.best_loss
        if improved:
            progress.best_epoch, progress.best_loss, progress.best_val_acc = epoch + 1, score, val_acc
            progress.epochs_without_improvement = 0
        else:
            progress.epochs_without_improvement += 1
        images_per_s = (
            self.steps
            * self.batch_size
            * (self.dist.world_size if self.dist else 1)
            / max(epoch_seconds - self.val_seconds, 1e-9)
        )
        seconds_per_step = self.session_train_seconds / max(1, self.session_steps)
        eta = (config.epochs - epoch - 1) * (self.steps * seconds_per_step + self.val_seconds)
        summary = EpochSummary(
            epoch + 1,
            config.epochs,
            train_loss,
            train_acc,
            val_loss,
            val_acc,
            self.last_lr,
            images_per_s,
            epoch_seconds,
            self._elapsed(),
            eta,
            improved,
        )
        assert self.metrics is not None
        self.metrics.add(summary)
        yield summary
        yield from self._save("last")
        if improved:
            yield from self._save("best")
        self._write_metrics("running")

    def _validate(self) -> tuple[float | None, float | None]:
        if self.val_data is None:
            return None, None
        self.module.eval()
        criterion = self._loss_function("sum")
        totals = torch.zeros(3, dtype=torch.float64, device=self.device)
        indices = self.val_data.sequential()
        kept: list[tuple[torch.Tensor, torch.Tensor]] = []  # multi-label: (probabilities, targets)
        with torch.inference_mode(), self._autocast():
            for chunk in indices.split(self.config.batch_size * 2):
                images, labels = self.val_data.batch(chunk)
                logits = self.module(images).float()
                totals[0] += criterion(logits, labels)
                if self.graph.multilabel:
                    kept.append((torch.sigmoid(logits), labels))
                else:
                    totals[1] += (logits.argmax(dim=1) == labels).sum()
                totals[2] += labels.shape[0]
        if self.dist:
            self.dist.all_reduce(totals)
        loss_sum, correct, seen = totals.tolist()
        if kept:  # the macro AUROC stands in for accuracy (this process's images in a data-parallel run)
            probabilities, targets = (torch.cat(parts).cpu().numpy() for parts in zip(*kept, strict=True))
            return loss_sum / seen, macro_auroc(probabilities, targets)
        return loss_sum / seen, correct / seen

    def _early_stop(self) -> bool:
        patience = self.config.patience
        return (
            patience is not None and self.val_data is not None and self.progress.epochs_without_improvement >= patience
        )

    def _save(self, tag: str) -> Iterator[Event]:
        if not self.is_main:
            return
        self.progress.elapsed = self._elapsed()
        data = self.data
        path = save_checkpoint(
            self.run_dir,
            tag,
            model=self.module,
            config=self.config,
            design=self.graph.to_dict(),
            data=DataInfo(list(data.classes), list(data.mean), list(data.std), list(data.image_shape)),
            progress=self.progress,
            optimizer=self.optimizer,
            scheduler=scheduler_state(self.scheduler, self.config, self.steps),
            scaler=self.scaler,
            history=list(self.metrics.epochs) if self.metrics is not None else None,
        )
        yield CheckpointWritten(tag, str(path), self.progress.epoch, self.progress.step)

    # ----- helpers
    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.precision.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=self.precision.dtype)

    def _elapsed(self) -> float:
        return self.elapsed_before + time.monotonic() - self.session_start

    def _write_metrics(self, status: str) -> None:
        if self.metrics is not None and self.is_main:
            self.metrics.write(status, self.progress.best_epoch)


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _shape(shape: tuple[int, ...]) -> str:
    return "×".join(str(value) for value in shape)
