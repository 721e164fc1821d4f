"""Running a sweep's trials: each asks the study for values, trains a normal run folder with the engine,
reports the validation accuracy of every epoch (the pruner may stop it) and tells the study the result.

`run_trials` is the one loop that `cnnstudio sweep`, `cnnstudio sweep-worker` and a window's background
task run; it reports what happens through `on_event` and stops within one batch when `cancel` is set (or
`on_event` raises Cancelled), marking the trial it stopped as interrupted so that a resumed sweep redoes it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.design_fit import fit_classes
from cnnstudio.engine.events import EpochSummary, Error, Event, Finished
from cnnstudio.engine.launch import load_training_data
from cnnstudio.engine.loop import train
from cnnstudio.experiments.space import SpaceError, parse_space, trial_setup
from cnnstudio.experiments.study import SweepError, SweepSettings, require_optuna, study_settings
from cnnstudio.graph import NetworkFileError, NetworkGraph, network_from_dict
from cnnstudio.progress import CancelFlag, Cancelled, Progress

if TYPE_CHECKING:
    import optuna

    from cnnstudio.data import DataSplit

TRIALS_FOLDER = "trials"
RUN_DIR_ATTR, PARAMS_ATTR, ERROR_ATTR, INTERRUPTED_ATTR = "run_dir", "param_count", "error", "interrupted"
WORKER_ATTR = "worker"  # host:pid of the process that ran the trial


@dataclass
class TrialRow:
    """One trial as a results table shows it. val_acc: the best checkpoint's validation accuracy of a
    finished trial, the last reported one of a pruned or running trial."""

    number: int
    state: str  # "complete", "pruned", "failed", "interrupted", "running" or "waiting"
    params: dict[str, Any]
    val_acc: float | None
    param_count: int | None
    values: list[float] | None
    seconds: float | None
    run_dir: str | None
    error: str = ""
    worker: str = ""


@dataclass
class TrialStarted:
    number: int
    params: dict[str, Any]
    run_dir: str


@dataclass
class TrialProgress:
    """An event of the trial's training run (engine.events)."""

    number: int
    event: Event


@dataclass
class TrialEnded:
    row: TrialRow


SweepEvent = TrialStarted | TrialProgress | TrialEnded


@dataclass
class _Sweep:
    """What every trial of this process shares: the settings, the space, the base design and config, the data."""

    settings: SweepSettings
    graph: NetworkGraph
    config: TrainConfig
    data: DataSplit
    space: Any
    notes: list[str] = field(default_factory=list)


def run_trials(
    study: optuna.Study,
    *,
    on_event: Callable[[SweepEvent], None] | None = None,
    cancel: CancelFlag | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> int:
    """Run trials until the study holds its settings' number of trials (interrupted ones do not count),
    or `limit` trials ran here. Returns the number of trials this call ran.

    Several processes may run this on the same study at once; each trial runs in exactly one of them (the
    study may end with a trial or two more than asked when workers start trials at the same moment).
    Raises SweepError when the design or data cannot train at all, Cancelled when cancelled.
    """
    sweep = _prepare(study_settings(study), progress)
    ran = 0
    while _counted(study) < sweep.settings.trials and (limit is None or ran < limit):
        if cancel is not None and cancel.is_set():
            raise Cancelled("cancelled")
        row = _run_trial(study, sweep, on_event, cancel)
        ran += 1
        if row.state == "interrupted":
            raise Cancelled("cancelled")
    return ran


def _prepare(settings: SweepSettings, progress: Progress | None) -> _Sweep:
    try:
        space = parse_space(settings.space, "the sweep's search space")
        graph = network_from_dict(settings.design, "the sweep's design").graph
        config = TrainConfig.from_dict({**settings.config, "data": settings.data})
    except (SpaceError, NetworkFileError, ConfigError) as error:
        raise SweepError(str(error)) from None
    if config.val_fraction <= 0:
        raise SweepError("a sweep compares validation accuracies: the validation share must be above 0")
    from cnnstudio.data import DataError

    try:
        data = load_training_data(settings.data, graph, config, root=settings.data_root, progress=progress)
    except DataError as error:
        raise SweepError(str(error)) from None
    notes = fit_classes(graph, len(data.classes), multilabel=data.multilabel)
    return _Sweep(settings, graph, config, data, space, notes)


def _counted(study: optuna.Study) -> int:
    """Trials that started and were not interrupted (enqueued ones have not started)."""
    waiting = require_optuna().trial.TrialState.WAITING
    return sum(
        1
        for trial in study.get_trials(deepcopy=False)
        if trial.state != waiting and not trial.user_attrs.get(INTERRUPTED_ATTR)
    )


def _run_trial(
    study: optuna.Study, sweep: _Sweep, on_event: Callable[[SweepEvent], None] | None, cancel: CancelFlag | None
) -> TrialRow:
    optuna = require_optuna()
    trial = study.ask()
    values = sweep.space.suggest(trial)
    run_dir = Path(sweep.settings.out) / TRIALS_FOLDER / f"trial-{trial.number:04d}"
    trial.set_user_attr(RUN_DIR_ATTR, str(run_dir))
    trial.set_user_attr(WORKER_ATTR, f"{socket.gethostname()}:{os.getpid()}")
    control = TrainControl()
    cancelled = False

    def notify(event: SweepEvent) -> None:
        nonlocal cancelled
        if on_event is None:
            return
        try:
            on_event(event)
        except Cancelled:
            cancelled = True
            control.stop()

    try:
        graph, config = trial_setup(sweep.graph, sweep.config, sweep.space.fixed, values)
        costs = _costs(graph, sweep.settings.objectives[1:])
    except (ConfigError, ValueError) as error:
        return _fail(study, trial, f"these values cannot train: {error}", notify)
    trial.set_user_attr(PARAMS_ATTR, costs["params"])
    notify(TrialStarted(trial.number, values, str(run_dir)))
    single = len(sweep.settings.objectives) == 1
    finished: Finished | None = None
    failure: Error | None = None
    pruned = False
    try:
        for event in train(graph, sweep.data, config, run_dir, control=control):
            notify(TrialProgress(trial.number, event))
            if cancel is not None and cancel.is_set() and not cancelled:
                cancelled = True
                control.stop()
            if isinstance(event, EpochSummary) and single and event.val_acc is not None and not cancelled:
                trial.report(event.val_acc, event.epoch)
                if event.epoch < event.epochs and trial.should_prune():
                    pruned = True
                    control.stop()
            elif isinstance(event, Finished):
                finished = event
            elif isinstance(event, Error):
                failure = event
    except BaseException:  # Ctrl-C or a crash in the middle of a run: the trial is redone on resume
        cancelled = True
        raise
    finally:
        if cancelled:
            trial.set_user_attr(INTERRUPTED_ATTR, True)
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
    if cancelled:
        row = trial_row(_frozen(study, trial.number))
    elif failure is not None:
        row = _fail(study, trial, failure.message, notify)
        if failure.error in ("design", "data"):
            raise SweepError(
                f"trial {trial.number}: {failure.message}" + (f" ({failure.hint})" if failure.hint else "")
            )
        return row
    elif pruned and finished is not None and finished.reason == "stopped":
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        row = trial_row(_frozen(study, trial.number))
    else:
        assert finished is not None and finished.best_val_acc is not None
        study.tell(trial, [finished.best_val_acc, *(costs[name] for name in sweep.settings.objectives[1:])])
        row = trial_row(_frozen(study, trial.number))
    notify(TrialEnded(row))
    return row


def _fail(study: optuna.Study, trial: optuna.Trial, message: str, notify: Callable[[SweepEvent], None]) -> TrialRow:
    optuna = require_optuna()
    trial.set_user_attr(ERROR_ATTR, message)
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    row = trial_row(_frozen(study, trial.number))
    notify(TrialEnded(row))
    return row


def _frozen(study: optuna.Study, number: int) -> optuna.trial.FrozenTrial:
    return next(trial for trial in study.get_trials(deepcopy=False) if trial.number == number)


def _costs(graph: NetworkGraph, objectives: list[str]) -> dict[str, float]:
    """The trial's learnable parameters and its other objectives (FLOPs, latency), measured before training.

    Raises ValueError when the values make a design that does not build (e.g. too few channels)."""
    from cnnstudio.pytorch import analyze

    analysis = analyze(graph)
    errors = [str(problem) for problem in analysis.problems if problem.severity == "error"]
    if errors:
        raise ValueError("; ".join(errors))
    costs: dict[str, float] = {"params": analysis.total_params, "flops": analysis.total_flops}
    if "latency" in objectives:
        import torch

        from cnnstudio.engine.latency import measure_latency
        from cnnstudio.graph.templates import input_shape
        from cnnstudio.pytorch import build_module

        shape = input_shape(graph)
        assert shape is not None
        costs["latency"] = measure_latency(build_module(graph, logits=True), shape, torch.device("cpu")).median_ms
    return costs


def trial_row(trial: optuna.trial.FrozenTrial) -> TrialRow:
    """The results-table row of a trial."""
    attrs = trial.user_attrs
    state = trial.state.name.lower()
    if state == "fail":
        state = "interrupted" if attrs.get(INTERRUPTED_ATTR) else "failed"
    values = list(trial.values) if trial.values is not None else None
    reported = trial.intermediate_values
    val_acc = values[0] if values else (reported[max(reported)] if reported else None)
    seconds = (
        (trial.datetime_complete - trial.datetime_start).total_seconds()
        if trial.datetime_complete is not None and trial.datetime_start is not None
        else None
    )
    return TrialRow(
        trial.number,
        state,
        dict(trial.params),
        val_acc,
        attrs.get(PARAMS_ATTR),
        values,
        seconds,
        attrs.get(RUN_DIR_ATTR),
        attrs.get(ERROR_ATTR, ""),
        attrs.get(WORKER_ATTR, ""),
    )


def trial_rows(study: optuna.Study) -> list[TrialRow]:
    """Every trial of the study, in order."""
    return [trial_row(trial) for trial in study.get_trials(deepcopy=False)]


def best_rows(study: optuna.Study) -> list[TrialRow]:
    """The best trial (one objective) or the Pareto front (several), best accuracy first; [] before any
    trial completed."""
    complete = [trial for trial in study.get_trials(deepcopy=False) if trial.values is not None]
    if not complete:
        return []
    best = study.best_trials if len(study.directions) > 1 else [study.best_trial]
    return sorted((trial_row(trial) for trial in best), key=lambda row: -(row.val_acc or 0.0))
