"""What an Experiments view shows of a study, computed without Qt: the trial rows, the optimisation history,
the parameter importances (Optuna's), the Pareto points of a multi-objective study, and a trial's trained
network as a design with weights (to open in the Designer)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cnnstudio.experiments.study import DATABASE, SweepError, default_storage, load_study, open_storage, require_optuna
from cnnstudio.experiments.trials import TrialRow, best_rows, trial_rows

if TYPE_CHECKING:
    import optuna
    import torch

    from cnnstudio.graph import NetworkGraph


@dataclass
class ExperimentView:
    """A study as the view shows it. objectives: the study's objective names ("accuracy" first)."""

    name: str
    objectives: list[str]
    rows: list[TrialRow]
    best: list[TrialRow]
    importances: dict[str, float]


@dataclass
class TrialModel:
    """A trial's trained network: its design and the weights (with classes and preprocessing metadata)."""

    graph: NetworkGraph
    weights: dict[str, torch.Tensor]
    metadata: dict[str, str]


def experiment_view(study: optuna.Study) -> ExperimentView:
    """Everything the view shows of `study` (read once, off the GUI thread)."""
    from cnnstudio.experiments.study import study_settings

    return ExperimentView(
        study.study_name, study_settings(study).objectives, trial_rows(study), best_rows(study), importances(study)
    )


def open_experiment(folder: str | Path) -> optuna.Study:
    """The study of an experiment folder (its `study.db`); SweepError when it has none or several."""
    database = Path(folder) / DATABASE
    if not database.is_file():
        raise SweepError(f"{folder}: no {DATABASE} here; choose the --out folder of a sweep")
    storage = default_storage(folder)
    names = [summary.study_name for summary in require_optuna().get_all_study_summaries(open_storage(storage))]
    if len(names) != 1:
        raise SweepError(f"{database} holds {len(names)} studies ({', '.join(names)}); open one with the CLI")
    return load_study(names[0], storage)


def importances(study: optuna.Study) -> dict[str, float]:
    """Optuna's importance of each parameter for the accuracy (fANOVA, seeded: the same study gives the same
    bars; it ranks by variance, so the direction of the objective does not matter), largest first; {} until
    two trials completed with a parameter that varies (Optuna cannot rank before)."""
    optuna = require_optuna()
    complete = [trial for trial in study.get_trials(deepcopy=False) if trial.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 2 or not any(
        len({str(t.params.get(name)) for t in complete}) > 1 for name in complete[0].params
    ):
        return {}
    try:
        found = optuna.importance.get_param_importances(
            study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0), target=lambda trial: trial.values[0]
        )
    except (ValueError, RuntimeError):  # a space Optuna cannot rank (e.g. one parameter never varied)
        return {}
    return {name: float(value) for name, value in sorted(found.items(), key=lambda item: -item[1])}


def history(rows: list[TrialRow]) -> tuple[list[int], list[float], list[float]]:
    """The optimisation history: the number and accuracy of each trial that has one, and the best so far."""
    numbers, values, best = [], [], []
    for row in sorted(rows, key=lambda row: row.number):
        if row.state == "complete" and row.val_acc is not None:
            numbers.append(row.number)
            values.append(row.val_acc)
            best.append(max(row.val_acc, best[-1]) if best else row.val_acc)
    return numbers, values, best


def pareto_points(rows: list[TrialRow], objectives: list[str], cost: str) -> list[tuple[int, float, float]]:
    """(trial, cost, accuracy) of every completed trial, for the scatter of accuracy against `cost` (one of
    the study's other objectives, or "params")."""
    points = []
    for row in rows:
        if row.state != "complete" or row.values is None:
            continue
        value = row.values[objectives.index(cost)] if cost in objectives else row.param_count
        if value is not None:
            points.append((row.number, float(value), row.values[0]))
    return points


def matches(row: TrialRow, text: str) -> bool:
    """Whether the filter text (words, all of which must appear) matches the row's state, number or values."""
    haystack = " ".join(
        [str(row.number), row.state, row.error, *(f"{name}={value}" for name, value in row.params.items())]
    ).lower()
    return all(word in haystack for word in text.lower().split())


def trial_model(run_dir: str | Path) -> TrialModel:
    """The network trial `run_dir` trained (its best checkpoint, else the last); ModelLoadError if unreadable."""
    from cnnstudio.pretrained.designs import weights_metadata
    from cnnstudio.pretrained.from_runs import load_run_classifier

    classifier = load_run_classifier(run_dir)
    assert classifier.graph is not None
    weights = {name: tensor.detach().clone() for name, tensor in classifier.module.state_dict().items()}
    return TrialModel(classifier.graph, weights, weights_metadata(classifier.classes, classifier.preprocessing))


def values_text(values: dict[str, Any]) -> str:
    """A trial's parameters in one short line (name=value, floats to three digits)."""
    return ", ".join(
        f"{name}={value:.3g}" if isinstance(value, float) else f"{name}={value}" for name, value in values.items()
    )
