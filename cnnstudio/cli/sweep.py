"""The `sweep`, `sweep-worker` and `lr-find` commands (registered on the `cnnstudio` CLI by `add_commands`).

Exit codes (cnnstudio.cli.exit_codes): 0 done; 2 a file, dataset, option or storage cannot be used (or Optuna
is missing); 130 stopped with Ctrl-C (the sweep continues with --resume, the interrupted trial is redone).
Registering the commands imports neither torch nor Optuna.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnstudio.cli.exit_codes import CommandError, ExitCode
from cnnstudio.cli.options import add_data, add_data_root, add_device, add_json, add_seed, positive_int
from cnnstudio.engine.config import OPTIMIZERS
from cnnstudio.experiments.study import OBJECTIVES

if TYPE_CHECKING:
    import optuna

    from cnnstudio.engine.lr_finder import LRFinderResult
    from cnnstudio.experiments.trials import SweepEvent, TrialRow

DEFAULT_STUDY, DEFAULT_TRIALS = "sweep", 20


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `sweep`, `sweep-worker` and `lr-find`; each sets func(args) -> exit code."""
    parser = subparsers.add_parser(
        "sweep",
        help="search hyperparameters and design knobs with Optuna",
        description=(
            "Run a hyperparameter and architecture sweep (Optuna: TPE sampler, median pruning on the validation "
            "accuracy of each epoch). Each trial is a run folder in OUT/trials; the study is kept in OUT/study.db "
            "(or --storage), so --resume continues it and `cnnstudio sweep-worker` processes on any machine "
            "that reaches the storage run more of its trials. Needs: pip install 'cnnstudio[experiments]'."
        ),
    )
    parser.add_argument("file", nargs="?", help="design file or template name (not needed with --resume)")
    add_data(parser)
    parser.add_argument("--trials", type=int, help=f"how many trials the study should hold (default {DEFAULT_TRIALS})")
    parser.add_argument("--out", required=True, help="experiment folder: trial runs and the default study database")
    parser.add_argument(
        "--space",
        help="search-space JSON file (default: lr, batch size, optimizer, weight decay, "
        "schedule, augmentation, width, dropout)",
    )
    parser.add_argument("--storage", help="Optuna storage URL (default sqlite:///OUT/study.db) or a .journal file")
    parser.add_argument("--study", default=DEFAULT_STUDY, help=f"study name (default {DEFAULT_STUDY})")
    parser.add_argument("--resume", action="store_true", help="continue the study (up to --trials trials)")
    parser.add_argument(
        "--objective",
        nargs="+",
        choices=tuple(OBJECTIVES),
        default=["accuracy"],
        help="accuracy, optionally against params, flops and/or latency (a Pareto front)",
    )
    parser.add_argument(
        "--epochs", type=positive_int, help="epochs of each trial (default 10, unless the space sets them)"
    )
    add_seed(parser, default=0, what="seed of the sampler and of every trial's training")
    add_data_root(parser)
    add_json(parser, "the results as one JSON document")
    parser.set_defaults(func=cmd_sweep)

    parser = subparsers.add_parser(
        "sweep-worker",
        help="run trials of an existing sweep (from any number of processes or machines)",
        description="Run trials of a study that `cnnstudio sweep` created, until it holds its number of trials. "
        "Every worker that reaches the storage (a PostgreSQL or MySQL URL across machines; the SQLite file or "
        "a .journal file on one machine or a shared file system) takes distinct trials.",
    )
    parser.add_argument("--study", required=True, help="the study name")
    parser.add_argument("--storage", required=True, help="the Optuna storage URL (or .journal file) of the study")
    parser.add_argument("--max-trials", type=int, help="stop after this many trials in this worker")
    add_json(parser, "one JSON object per finished trial")
    parser.set_defaults(func=cmd_sweep_worker)

    parser = subparsers.add_parser(
        "lr-find",
        help="suggest a learning rate (the range test)",
        description="Train for some hundred batches while the learning rate grows exponentially, and suggest "
        "the rate where the smoothed loss falls fastest. Nothing is saved except the optional plot.",
    )
    parser.add_argument("file", help="design file or template name")
    add_data(parser, required=True)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="the optimizer the run will use (default adam)")
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--weight-decay", type=float)
    parser.add_argument("--augment", help="augmentation, as for train")
    parser.add_argument("--steps", type=int, help="batches of the test (default 100)")
    parser.add_argument("--start", type=float, help="first learning rate (default 1e-7)")
    parser.add_argument("--end", type=float, help="last learning rate (default 10)")
    add_device(parser)
    add_seed(parser)
    add_data_root(parser)
    parser.add_argument("--plot", metavar="PNG", help="write the loss against the learning rate to this image")
    add_json(parser, "the curve and the suggestion as JSON")
    parser.set_defaults(func=cmd_lr_find)


def cmd_sweep(args: argparse.Namespace) -> int:
    from cnnstudio.experiments.study import (
        SweepError,
        SweepSettings,
        create_study,
        default_storage,
        resume_study,
        study_settings,
    )
    from cnnstudio.experiments.trials import best_rows, trial_rows

    out = Path(args.out).resolve()
    storage = args.storage or default_storage(out)
    hint = f"cnnstudio sweep --resume --out {args.out} --study {args.study}"
    try:
        if args.resume:
            study = resume_study(args.study, storage, args.trials)
        else:
            config = {"seed": args.seed, **({"epochs": args.epochs} if args.epochs is not None else {})}
            objectives = ["accuracy", *(name for name in args.objective if name != "accuracy")]
            trials = args.trials if args.trials is not None else DEFAULT_TRIALS
            settings = SweepSettings(
                _design(args),
                _data_spec(args),
                _space(args.space),
                str(out),
                trials,
                config,
                objectives,
                args.data_root,
                args.seed,
            )
            study = create_study(settings, args.study, storage)
        _run(study, args.json, resume_hint=hint + (f" --storage {args.storage}" if args.storage else ""))
        objectives = study_settings(study).objectives
    except SweepError as error:
        raise CommandError(str(error)) from None
    _print_results(trial_rows(study), best_rows(study), objectives, args.json, storage)
    return ExitCode.OK


def cmd_sweep_worker(args: argparse.Namespace) -> int:
    from cnnstudio.experiments.study import SweepError, load_study

    try:
        study = load_study(args.study, args.storage)
        ran = _run(study, args.json, limit=args.max_trials, resume_hint="run the worker again")
    except SweepError as error:
        raise CommandError(str(error)) from None
    if not args.json:
        print(f"this worker ran {ran} trial(s) of {args.study}")
    return ExitCode.OK


def _run(study: optuna.Study, as_json: bool, *, resume_hint: str, limit: int | None = None) -> int:
    from cnnstudio.experiments.trials import TrialEnded, TrialStarted, run_trials
    from cnnstudio.experiments.views import values_text

    def report(event: SweepEvent) -> None:
        if isinstance(event, TrialStarted) and not as_json:
            print(f"trial {event.number}: {values_text(event.params)}", file=sys.stderr, flush=True)
        elif isinstance(event, TrialEnded):
            if as_json:
                print(json.dumps(_row_dict(event.row)), flush=True)
            else:
                print(f"trial {event.row.number}: {_outcome_text(event.row)}", file=sys.stderr, flush=True)

    try:
        return run_trials(study, on_event=report, limit=limit)
    except KeyboardInterrupt:
        print(f"interrupted; continue with: {resume_hint}", file=sys.stderr)
        raise


def _design(args: argparse.Namespace) -> dict[str, Any]:
    from cnnstudio.cli.training import open_design_or_template

    if not args.file:
        raise CommandError("sweep needs a design FILE (or template name) and --data (or --resume to continue)")
    graph, _ = open_design_or_template(args.file)
    return graph.to_dict()


def _data_spec(args: argparse.Namespace) -> str:
    if not args.data:
        raise CommandError("sweep needs --data (a dataset name or a folder)")
    # a folder is recorded by its absolute path, so that workers elsewhere in the file system find it
    return str(Path(args.data).resolve()) if Path(args.data).is_dir() else args.data


def _space(path: str | None) -> dict[str, Any]:
    from cnnstudio.experiments.space import SpaceError, default_space, load_space

    try:
        return (load_space(path) if path else default_space()).to_dict()
    except SpaceError as error:
        raise CommandError(str(error)) from None


def _outcome_text(row: TrialRow) -> str:
    accuracy = "–" if row.val_acc is None else f"{100 * row.val_acc:.2f}%"
    seconds = "" if row.seconds is None else f", {row.seconds:.0f} s"
    error = f": {row.error}" if row.error else ""
    return f"{row.state}, val acc {accuracy}{seconds}{error}"


def _row_dict(row: TrialRow) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(row)


def _print_results(
    rows: list[TrialRow], best: list[TrialRow], objectives: list[str], as_json: bool, storage: str
) -> None:
    from cnnstudio.experiments.views import values_text

    if as_json:
        document = {
            "storage": storage,
            "objectives": objectives,
            "trials": [_row_dict(row) for row in rows],
            "best": [_row_dict(row) for row in best],
        }
        print(json.dumps(document))
        return
    names = sorted({name for row in rows for name in row.params})
    extra = objectives[1:]
    header = ["trial", "state", *names, "val acc", "params", *extra]
    table = [header]
    for row in rows:
        cells = [str(row.number), row.state]
        cells += [_cell(row.params.get(name)) for name in names]
        cells.append("–" if row.val_acc is None else f"{100 * row.val_acc:.2f}%")
        cells.append("–" if row.param_count is None else f"{row.param_count:,}")
        cells += [
            _cell(row.values[index + 1]) if row.values and len(row.values) > index + 1 else "–"
            for index in range(len(extra))
        ]
        table.append(cells)
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    for index, line in enumerate(table):
        print(
            "  ".join(
                cell.rjust(width) if column >= 2 else cell.ljust(width)
                for column, (cell, width) in enumerate(zip(line, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("─" * width for width in widths))
    pruned = sum(row.state == "pruned" for row in rows)
    print(f"{len(rows)} trials ({pruned} pruned) in {storage}")
    title = "best trial" if len(objectives) == 1 else f"Pareto front ({', '.join(objectives)})"
    for row in best:
        print(
            f"{title}: {row.number}: val acc {100 * (row.val_acc or 0):.2f}%, {values_text(row.params)}; "
            f"run {row.run_dir}"
        )


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def cmd_lr_find(args: argparse.Namespace) -> int:
    from cnnstudio.cli.training import open_design_or_template, unusable_errors
    from cnnstudio.engine.config import TrainConfig
    from cnnstudio.engine.design_fit import fit_classes
    from cnnstudio.engine.launch import load_training_data
    from cnnstudio.engine.lr_finder import find_lr
    from cnnstudio.pytorch import BuildError

    options = {
        name: getattr(args, name)
        for name in ("optimizer", "batch_size", "weight_decay", "augment", "device", "seed")
        if getattr(args, name) is not None
    }
    graph, _ = open_design_or_template(args.file)
    try:
        config = TrainConfig(**options, data=args.data)
        data = load_training_data(args.data, graph, config, root=args.data_root)
        fit_classes(graph, len(data.classes), multilabel=data.multilabel)
        ranges = {name: getattr(args, name) for name in ("start", "end", "steps") if getattr(args, name) is not None}
        result = find_lr(graph, data, config, **ranges)
    except unusable_errors() as error:
        raise CommandError(str(error)) from None
    except BuildError as error:
        print(f"error: the design has errors: {error}", file=sys.stderr)
        return ExitCode.FAILED
    except ValueError as error:
        raise CommandError(str(error)) from None
    if args.plot:
        _plot(result, args.plot)
    if args.json:
        print(json.dumps(result.to_dict()))
        return ExitCode.OK
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.lrs:
        ended = "the loss diverged" if result.diverged else "the last rate was reached"
        print(f"range test: {len(result.lrs)} batches from {result.lrs[0]:.3g} to {result.lrs[-1]:.3g} ({ended})")
    if result.suggestion is None:
        print("no suggestion")
        return ExitCode.FAILED
    print(f"suggested learning rate: {result.suggestion:.3g} ({config.optimizer}, batch size {config.batch_size})")
    print(f"train with: cnnstudio train {args.file} --data {args.data} --lr {result.suggestion:.3g}")
    if args.plot:
        print(f"wrote {args.plot}")
    return ExitCode.OK


def _plot(result: LRFinderResult, path: str) -> None:
    """The loss (raw and smoothed) against the learning rate on a log axis, the suggestion marked."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from cnnstudio.fileio import atomic_path

    figure = Figure(figsize=(6, 4), dpi=100)
    axes = figure.subplots()
    axes.plot(result.lrs, result.losses, color="0.75", linewidth=1, label="loss")
    axes.plot(result.lrs, result.smoothed, color="tab:blue", linewidth=2, label="smoothed loss")
    if result.suggestion is not None:
        axes.axvline(result.suggestion, color="tab:red", linestyle="--", label=f"suggestion {result.suggestion:.3g}")
    axes.set_xscale("log")
    axes.set_xlabel("learning rate")
    axes.set_ylabel("training loss")
    top = max(result.smoothed[: max(1, len(result.smoothed) // 2)]) if result.smoothed else 1.0
    axes.set_ylim(0, 1.5 * top)
    axes.legend()
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png")
