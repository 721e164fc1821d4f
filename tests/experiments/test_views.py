import pytest

from cnnstudio.experiments.study import SweepError, create_study, default_storage
from cnnstudio.experiments.trials import TrialRow, run_trials
from cnnstudio.experiments.views import (
    experiment_view,
    history,
    importances,
    matches,
    open_experiment,
    pareto_points,
    trial_model,
    values_text,
)
from cnnstudio.pretrained.errors import ModelLoadError
from tests.experiments.helpers import tiny_settings

optuna = pytest.importorskip("optuna")


def row(number, state="complete", acc=None, values=None, params=None, param_count=100):
    return TrialRow(number, state, params or {"lr": 0.01}, acc, param_count, values, 1.0, None)


def test_history_is_each_completed_trials_accuracy_and_the_best_so_far():
    rows = [row(2, acc=0.7), row(0, acc=0.8), row(1, "pruned", acc=0.2), row(3, acc=0.9), row(4, "running", acc=0.99)]
    assert history(rows) == ([0, 2, 3], [0.8, 0.7, 0.9], [0.8, 0.8, 0.9])


def test_pareto_points_use_the_studys_objective_or_the_parameter_count():
    rows = [row(0, acc=0.9, values=[0.9, 5000.0]), row(1, "pruned", acc=0.5), row(2, acc=0.8, values=[0.8, 200.0])]
    assert pareto_points(rows, ["accuracy", "flops"], "flops") == [(0, 5000.0, 0.9), (2, 200.0, 0.8)]
    assert pareto_points(rows, ["accuracy", "flops"], "params") == [(0, 100.0, 0.9), (2, 100.0, 0.8)]


def test_the_filter_matches_every_word_in_state_number_and_parameters():
    trial = row(7, "pruned", params={"optimizer": "adam", "lr": 0.003})
    assert matches(trial, "") and matches(trial, "PRUNED adam") and matches(trial, "7") and matches(trial, "lr=0.003")
    assert not matches(trial, "complete") and not matches(trial, "adam sgd")
    assert values_text({"lr": 0.0031234, "optimizer": "adam"}) == "lr=0.00312, optimizer=adam"


def test_a_finished_sweep_gives_its_view_importances_and_trained_trials(tmp_path):
    space = {"params": {"lr": {"kind": "float", "low": 1e-4, "high": 0.1, "log": True}}, "fixed": {"epochs": 1}}
    study = create_study(tiny_settings(tmp_path, 3, space=space), "xo", default_storage(tmp_path))
    assert importances(study) == {}  # nothing to rank before two trials completed
    run_trials(study)
    view = experiment_view(open_experiment(tmp_path))
    assert view.name == "xo" and view.objectives == ["accuracy"] and len(view.rows) == 3
    assert list(view.importances) == ["lr"] and view.importances["lr"] == pytest.approx(1.0)
    assert view.best[0].val_acc == max(r.val_acc for r in view.rows)
    model = trial_model(view.rows[0].run_dir)
    assert model.graph.name == "X's and O's"
    assert set(model.weights) and '"X"' in model.metadata["cnnstudio.classes"]
    with pytest.raises(ModelLoadError):
        trial_model(tmp_path / "trials" / "trial-9999")


def test_a_folder_without_one_study_cannot_be_opened(tmp_path):
    with pytest.raises(SweepError, match="no study.db here"):
        open_experiment(tmp_path)
    for name in ("a", "b"):
        create_study(tiny_settings(tmp_path, 1), name, default_storage(tmp_path))
    with pytest.raises(SweepError, match="holds 2 studies"):
        open_experiment(tmp_path)
