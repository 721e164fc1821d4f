"""The `train` and `evaluate` commands (registered on the `cnnstudio` CLI by `add_commands`).

Exit codes (cnnstudio.cli.exit_codes): 0 success; 1 the design has errors or training failed (diverged,
out of memory); 2 a file, dataset or option cannot be used; 130 stopped with Ctrl-C (resumable).

Registering the commands imports no torch (`cnnstudio --help` stays fast): the engine and the data are
imported by the command functions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnstudio.cli.exit_codes import CommandError, ExitCode
from cnnstudio.cli.options import add_data, add_data_root, add_device, add_json, add_lengths, add_seed
from cnnstudio.engine.config import INITS, OPTIMIZERS, PRECISIONS, SCHEDULES, TTA_MODES

if TYPE_CHECKING:
    import torch

    from cnnstudio.data import DataSplit, SkippedFile
    from cnnstudio.engine.config import TrainConfig
    from cnnstudio.engine.control import TrainControl
    from cnnstudio.engine.distributed import DistContext
    from cnnstudio.engine.events import Error, Event
    from cnnstudio.graph import NetworkGraph

_EXIT_FOR_ERROR = {
    "design": ExitCode.FAILED,
    "non_finite": ExitCode.FAILED,
    "out_of_memory": ExitCode.FAILED,
    "internal": ExitCode.FAILED,
    "disk_full": ExitCode.FAILED,
    "config": ExitCode.UNUSABLE,
    "data": ExitCode.UNUSABLE,
    "checkpoint": ExitCode.UNUSABLE,
}
LABELS_HELP = "a CSV label file (path,label per row, paths relative to the --data folder) that names the classes"
SHOWN_SKIPPED = 20  # skipped files and bad label-file rows listed one per line; the rest are counted


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `train` and `evaluate`; each sets func(args) -> exit code."""
    parser = subparsers.add_parser(
        "train",
        help="train a design on a dataset",
        description=(
            "Train a network design (a .cnn.json file or a template name such as lenet5) and write checkpoints "
            "(best/, last/) and metrics.json into --out. Ctrl-C stops after the current batch; continue with "
            "--resume DIR. Run under `torchrun --nproc_per_node=N -m cnnstudio train …` for data-parallel training."
        ),
    )
    parser.add_argument("file", nargs="?", help="design file or template name (not needed with --resume)")
    add_data(parser)
    parser.add_argument("--labels", metavar="FILE.csv", help=LABELS_HELP)
    parser.add_argument("--out", help="run folder for checkpoints and metrics.json (with --resume: that folder)")
    parser.add_argument("--resume", metavar="DIR", help="continue the run in DIR from its last checkpoint")
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace a run already in --out (its metrics and checkpoints are deleted); with --resume: "
        "continue even though metrics.json has lost epochs",
    )
    add_lengths(parser)
    parser.add_argument("--optimizer", choices=OPTIMIZERS)
    parser.add_argument("--momentum", type=float, help="SGD momentum")
    parser.add_argument("--nesterov", action="store_const", const=True, help="Nesterov momentum (SGD)")
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    parser.add_argument("--warmup", type=float, dest="warmup_epochs", metavar="EPOCHS", help="warm-up epochs")
    parser.add_argument("--step-epochs", type=int, help="step schedule: epochs between decays")
    parser.add_argument("--step-gamma", type=float, help="step schedule: decay factor")
    parser.add_argument("--head-lr", type=float, help="learning rate of the head (layers after the last frozen one)")
    parser.add_argument("--label-smoothing", type=float)
    parser.add_argument(
        "--pos-weight",
        action="store_const",
        const=True,
        help="multi-label: weight each label's positives by its negatives-to-positives ratio in the training images",
    )
    parser.add_argument("--grad-clip", type=float, help="clip the gradient norm to this value")
    parser.add_argument("--patience", type=int, help="stop when the validation loss has not improved for N epochs")
    parser.add_argument("--augment", help="e.g. flip,crop:4,rotate:15,scale:0.8-1.2,color:0.4,erase:0.25")
    parser.add_argument("--init", choices=INITS, help="weight initialization")
    add_device(parser)
    parser.add_argument("--precision", choices=PRECISIONS, help="mixed precision (auto: bf16/fp16 on CUDA)")
    add_seed(parser)
    parser.add_argument("--deterministic", action="store_const", const=True, help="reproducible (slower on GPUs)")
    parser.add_argument(
        "--compile",
        action="store_const",
        const=True,
        help="train through torch.compile (falls back to eager PyTorch, with a note, where it cannot compile)",
    )
    parser.add_argument(
        "--val-every", type=int, metavar="N", help="validate also every N batches (default 0: at each epoch's end)"
    )
    parser.add_argument("--val-fraction", type=float, help="share of the data held out for validation (default 0.2)")
    parser.add_argument(
        "--weights",
        default="auto",
        help="starting weights: auto (the .safetensors beside the design, if any), none, or a weights file",
    )
    add_data_root(parser)
    add_json(parser)
    parser.set_defaults(func=cmd_train)

    parser = subparsers.add_parser(
        "evaluate",
        help="evaluate a trained run",
        description="Accuracy, per-class precision/recall and the confusion matrix of a run's network on the "
        "validation images of its dataset (or of --data).",
    )
    parser.add_argument("run", metavar="DIR", help="the --out folder of a training run")
    add_data(parser, what="dataset (default: the one it was trained on)")
    parser.add_argument("--labels", metavar="FILE.csv", help=LABELS_HELP)
    parser.add_argument("--checkpoint", choices=("best", "last"), default="best")
    parser.add_argument("--tta", choices=TTA_MODES, default="none", help="test-time augmentation")
    add_device(parser, default="auto")
    parser.add_argument("--batch-size", type=int, default=256)
    add_data_root(parser)
    parser.add_argument("--mistakes", type=int, default=10, help="how many misclassified images to list")
    parser.add_argument(
        "--threshold",
        type=thresholds_argument,
        help="multi-label: the probability at which a label counts as present, one for all labels or one per "
        "label separated by commas (default 0.5)",
    )
    add_json(parser, "the report as JSON")
    parser.set_defaults(func=cmd_evaluate)


_CONFIG_OPTIONS = (
    "epochs",
    "batch_size",
    "lr",
    "optimizer",
    "momentum",
    "nesterov",
    "weight_decay",
    "schedule",
    "warmup_epochs",
    "step_epochs",
    "step_gamma",
    "head_lr",
    "label_smoothing",
    "pos_weight",
    "grad_clip",
    "patience",
    "augment",
    "init",
    "device",
    "precision",
    "seed",
    "deterministic",
    "val_fraction",
    "val_every",
    "compile",
)


def thresholds_argument(text: str) -> float | list[float]:
    """--threshold 0.4 or --threshold 0.5,0.3,…: one value for all labels or one per label, each in (0, 1)."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--threshold takes numbers between 0 and 1, not {text!r}") from None
    if not all(0 < value < 1 for value in values):
        raise argparse.ArgumentTypeError(f"--threshold values must lie between 0 and 1, not {text!r}")
    return values[0] if len(values) == 1 else values


def unusable_errors() -> tuple[type[Exception], ...]:
    """The errors that mean a file, dataset or option cannot be used (exit code 2)."""
    from cnnstudio.data import DataError
    from cnnstudio.engine.checkpoint import CheckpointError
    from cnnstudio.engine.config import ConfigError

    return (CommandError, ConfigError, DataError, CheckpointError)


def cmd_train(args: argparse.Namespace) -> int:
    from cnnstudio.engine.distributed import init_distributed, launched_distributed, shutdown_distributed

    dist = None
    try:
        if launched_distributed():
            dist = init_distributed(args.device or "auto")
        return _train(args, dist)
    except unusable_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE
    except OSError as error:  # a file of the run could not be written, e.g. the disk is full
        print(f"error: training stopped: {_os_error_text(error)}", file=sys.stderr)
        print(f"hint: {_after_write_failure(Path(args.resume or args.out))}", file=sys.stderr)
        return ExitCode.FAILED
    finally:
        if dist is not None:
            shutdown_distributed()


def _os_error_text(error: OSError) -> str:
    return f"{error.filename}: {error.strerror}" if error.filename and error.strerror else str(error)


def _after_write_failure(run_dir: Path) -> str:
    """What to do once a file of the run could not be written: continue from the checkpoint it kept."""
    from cnnstudio.engine.checkpoint import has_checkpoint

    if has_checkpoint(run_dir, "last"):
        return f"the run keeps its last checkpoint; make room, then continue with: cnnstudio train --resume {run_dir}"
    return "no checkpoint was written; make room, then start the run again"


def _train(args: argparse.Namespace, dist: DistContext | None) -> int:
    from cnnstudio.engine.checkpoint import load_checkpoint
    from cnnstudio.engine.config import TrainConfig
    from cnnstudio.engine.control import TrainControl
    from cnnstudio.engine.design_fit import fit_classes
    from cnnstudio.engine.loop import RESUME_CHANGES, resume, train
    from cnnstudio.engine.run_folders import restore_history

    main = dist is None or dist.is_main
    options = {name: getattr(args, name) for name in _CONFIG_OPTIONS if getattr(args, name) is not None}
    if args.resume:
        run_dir = Path(args.out or args.resume)
        if args.out and Path(args.out) != Path(args.resume):
            raise CommandError("--resume continues a run in its own folder; leave out --out")
        refused = sorted(set(options) - RESUME_CHANGES)
        if refused:
            allowed = ", ".join(f"--{name.replace('_', '-')}" for name in sorted(RESUME_CHANGES))
            raise CommandError(
                f"a resumed run keeps its settings; only {allowed} may change, "
                f"not --{', --'.join(name.replace('_', '-') for name in refused)}"
            )
        saved = load_checkpoint(run_dir, "last")
        lost = restore_history(run_dir)
        if lost and not args.force:
            raise CommandError(
                f"cannot resume {run_dir}: {lost}, so the resumed run would lose the history of those epochs; "
                "restore metrics.json (e.g. from a backup), or pass --force to resume anyway (metrics.json then "
                "lists only the epochs it still holds and the new ones)"
            )
        config = saved.config.replace(**options)
        graph = _network_from_checkpoint(saved.design)
        if (invalid := _invalid_design(graph)) is not None:
            return follow_run(iter([invalid]), args.json, graph.name, config.data, run_dir, main)
        data = _load(data_spec(args) or config.data, graph, config, args, main, dist)
        events = resume(run_dir, data, changes=options, control=(control := TrainControl()), dist=dist)
        name = graph.name
    else:
        if not args.file or not args.data or not args.out:
            raise CommandError(
                "train needs a design FILE (or template name), --data and --out (or --resume DIR to continue a run)"
            )
        graph, design_path = open_design_or_template(args.file)
        if (invalid := _invalid_design(graph)) is not None:
            return follow_run(iter([invalid]), args.json, graph.name, args.data, Path(args.out), main)
        run_dir = _check_run_folder(args.out, args.force)
        spec = data_spec(args)
        config = TrainConfig(**options, data=spec)
        data = _load(spec, graph, config, args, main, dist)
        notes = fit_classes(graph, len(data.classes), multilabel=data.multilabel)  # the design on disk is untouched
        weights = _starting_weights(args.weights, design_path)
        if main and not args.json:
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
        _prepare_run_folder(run_dir, args.force, main, dist)
        events = train(
            graph, data, config, run_dir, control=(control := TrainControl()), initial_weights=weights, dist=dist
        )
        name = graph.name
    with stop_on_interrupt(control, quiet=args.json or not main):
        return follow_run(events, args.json, name, config.data or args.data, run_dir, main)


def follow_run(events: Iterator[Event], as_json: bool, name: str, data: str, run_dir: Path, main: bool) -> int:
    """Print the run's events; returns the exit code."""
    from cnnstudio.engine.console import ProgressBar, epoch_text, finished_text, score_name, started_text
    from cnnstudio.engine.events import BatchMetrics, EpochSummary, Error, Finished, Started, to_json

    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() and not as_json else None
    epochs, score = 0, "acc"
    code = ExitCode.FAILED if main else ExitCode.OK  # other processes of a data-parallel run report only errors
    for event in events:
        if as_json:
            print(to_json(event), flush=True)
        elif isinstance(event, Started):
            epochs, score = event.epochs, score_name(event.task)
            print(started_text(event, name, data), flush=True)
            for note in event.notes:
                print(f"note: {note}", file=sys.stderr)
        elif isinstance(event, BatchMetrics) and bar is not None:
            bar.update(event, epochs, score)
        elif isinstance(event, EpochSummary):
            if bar is not None:
                bar.clear()
            print(epoch_text(event, score), flush=True)
        elif isinstance(event, Finished):
            if bar is not None:
                bar.clear()
            print(finished_text(event, score))
            if event.reason == "stopped":
                print(f"continue with: cnnstudio train --resume {run_dir}")
            else:
                print(
                    f"trained weights: {run_dir / 'best' / 'weights.safetensors'}; "
                    f"evaluate with: cnnstudio evaluate {run_dir}"
                )
        elif isinstance(event, Error):
            if bar is not None:
                bar.clear()
            hint = _after_write_failure(run_dir) if event.error == "disk_full" else event.hint
            print(f"error: {event.message}" + (f"\nhint: {hint}" if hint else ""), file=sys.stderr)
        if isinstance(event, Finished):
            code = ExitCode.INTERRUPTED if event.reason == "stopped" else ExitCode.OK
        elif isinstance(event, Error):
            code = _EXIT_FOR_ERROR.get(event.error, ExitCode.FAILED)
    return code


def _check_run_folder(out: str, force: bool) -> Path:
    """The --out folder of a new run, refused when it (or a folder above it) is a file, or when it holds a run
    already: training would replace that run's metrics and checkpoints, so that takes --force."""
    from cnnstudio.engine.run_folders import holds_run

    path = Path(out)
    existing = next(folder for folder in (path, *path.parents) if folder.exists())
    if not existing.is_dir():
        where = "" if existing == path else f" ({existing} is a file)"
        raise CommandError(f"--out {out} is a file, not a folder{where}; give the folder the run should be written to")
    if holds_run(path) and not force:
        raise CommandError(
            f"--out {out} already holds a training run, whose metrics.json and checkpoints would be replaced; "
            f"continue it with `cnnstudio train --resume {out}`, choose another --out folder, or pass --force "
            "to replace it"
        )
    return path


def _prepare_run_folder(path: Path, force: bool, main: bool, dist: DistContext | None) -> None:
    """Create the checked --out folder; with --force, first delete the run in it (other files stay)."""
    from cnnstudio.engine.run_folders import remove_run

    if dist is not None:
        dist.barrier()  # every process has checked the folder before the main one changes it
    if not main:
        return
    try:
        if force:
            remove_run(path)
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"--out {path}: cannot prepare the folder ({error.strerror or error})") from None


def open_design_or_template(name: str) -> tuple[NetworkGraph, Path | None]:
    """A design file, or a template name when no such file exists."""
    from cnnstudio.graph import NetworkFileError, load_network
    from cnnstudio.graph.templates import load_template

    path = Path(name)
    if not path.exists() and not name.endswith(".json"):
        try:
            return load_template(name), None
        except KeyError as error:
            raise CommandError(f"{name}: no such design file, and {error.args[0]}") from None
    try:
        loaded = load_network(path)
    except NetworkFileError as error:
        raise CommandError(str(error)) from None
    return loaded.graph, path


def _network_from_checkpoint(design: dict[str, Any]) -> NetworkGraph:
    from cnnstudio.graph import NetworkFileError, network_from_dict

    try:
        return network_from_dict(design, "the run's saved design").graph
    except NetworkFileError as error:
        raise CommandError(str(error)) from None


def _invalid_design(graph: NetworkGraph) -> Error | None:
    """The design's structural errors (a size out of range, a missing Input, a cycle …) as the run's Error, found
    before the data is built at the design's input size: an input of 100000×100000 would not fit in memory."""
    from cnnstudio.engine.events import Error
    from cnnstudio.graph.validate import errors_only, validate

    errors = errors_only(validate(graph))
    if not errors:
        return None
    return Error(
        "design",
        f"the design has errors: {'; '.join(map(str, errors))}",
        "fix the layers marked in the designer (or see `cnnstudio analyze FILE`)",
    )


def _load(
    spec: str, graph: NetworkGraph, config: TrainConfig, args: argparse.Namespace, main: bool, dist: DistContext | None
) -> DataSplit:
    """Load the data; in a data-parallel run rank 0 first (it may download), then the others from cache."""
    from cnnstudio.engine.launch import load_training_data

    if not spec:
        raise CommandError("the run does not record its dataset; pass --data")
    if dist is not None and not main:
        dist.barrier()
    try:
        data = load_training_data(
            spec, graph, config, root=args.data_root, progress=_data_progress if main and not args.json else None
        )
    finally:
        if dist is not None and main:
            dist.barrier()
    if main and not args.json:
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
        for note in data.adaptations:
            print(f"data: {note}", file=sys.stderr)
        print_skipped(data.skipped)
    return data


def data_spec(args: argparse.Namespace) -> str:
    """The spec of --data (and --labels): a folder by its absolute path, so `evaluate` finds it from anywhere."""
    from cnnstudio.data.path_spec import labels_spec

    if args.labels:
        if not args.data:
            raise CommandError("--labels names the classes of the images in a folder; give that folder as --data")
        return labels_spec(args.data, args.labels)
    if args.data and Path(args.data).is_dir():
        return str(Path(args.data).resolve())
    return str(args.data or "")


def print_skipped(skipped: list[SkippedFile]) -> None:
    """The files (and label-file rows, by line) that could not be used, one per line on stderr."""
    if not skipped:
        return
    print(f"data: skipped {len(skipped)} unusable file(s) or row(s):", file=sys.stderr)
    for item in skipped[:SHOWN_SKIPPED]:
        print(f"data:   {item.path}: {item.reason}", file=sys.stderr)
    if len(skipped) > SHOWN_SKIPPED:
        print(f"data:   … and {len(skipped) - SHOWN_SKIPPED} more", file=sys.stderr)


def _data_progress(message: str, fraction: float) -> None:
    from cnnstudio.engine.console import percent

    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{message} {percent(fraction)}")
        sys.stderr.flush()


def _starting_weights(choice: str, design_path: Path | None) -> dict[str, torch.Tensor] | None:
    from cnnstudio.pytorch.weights import (
        WeightsFileError,
        load_state_dict_file,
        weights_path_for,
    )

    if choice == "none":
        return None
    path = Path(choice) if choice != "auto" else (weights_path_for(design_path) if design_path else None)
    if path is None or (choice == "auto" and not path.is_file()):
        return None
    try:
        return load_state_dict_file(path)
    except WeightsFileError as error:
        raise CommandError(str(error)) from None


@contextlib.contextmanager
def stop_on_interrupt(control: TrainControl, quiet: bool) -> Iterator[None]:
    """First Ctrl-C: stop after the current batch (writing `last`); second: abort at once."""

    def handler(signum: int, frame: Any) -> None:
        if control.stop_requested:
            raise KeyboardInterrupt
        control.stop()
        if not quiet:
            print("\nstopping after this batch (Ctrl-C again to abort)…", file=sys.stderr)

    try:
        previous = signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread: leave Ctrl-C alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from cnnstudio.engine.console import report_text
    from cnnstudio.engine.evaluate import evaluate_run

    try:
        result = evaluate_run(
            args.run,
            data_spec(args) or None,
            checkpoint=args.checkpoint,
            tta=args.tta,
            device=args.device,
            batch_size=args.batch_size,
            root=args.data_root,
            thresholds=args.threshold,
        )
    except unusable_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE
    if args.json:
        document = {"run": str(args.run), "checkpoint": result.checkpoint, "epoch": result.epoch, "data": result.data}
        print(json.dumps({**document, **result.report.to_dict()}))
    else:
        title = (
            f"{result.network} ({result.checkpoint} checkpoint, epoch {result.epoch}) on the "
            f"{result.report.count:,} validation images of {result.data}"
        )
        print(report_text(result.report, title, args.mistakes))
    return ExitCode.OK
