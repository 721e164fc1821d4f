import json
import sys
import threading

import pytest

from cnnstudio.experiments.study import (
    SweepError,
    SweepSettings,
    create_study,
    default_storage,
    require_optuna,
    resume_study,
)
from cnnstudio.experiments.trials import TrialEnded, TrialProgress, TrialStarted, best_rows, run_trials, trial_rows
from cnnstudio.progress import Cancelled
from tests.experiments.helpers import TINY_SPACE, tiny_settings

optuna = pytest.importorskip("optuna")


def test_each_trial_is_a_run_folder_and_bad_trials_are_pruned(tmp_path):
    space = {"params": {"lr": {"kind": "float", "low": 1e-6, "high": 0.1, "log": True}}, "fixed": {"epochs": 3}}
    settings = tiny_settings(tmp_path, 4, space=space)
    study = create_study(settings, "xo", default_storage(tmp_path))
    for lr in (0.05, 0.05, 0.05, 1e-6):  # the same good trial three times (none is below the median), then a bad one
        study.enqueue_trial({"lr": lr}, skip_if_exists=False)
    events = []
    assert run_trials(study, on_event=events.append) == 4
    rows = trial_rows(study)
    assert [row.state for row in rows] == ["complete", "complete", "complete", "pruned"]
    pruned = rows[3]
    metrics = json.loads((tmp_path / "trials" / "trial-0003" / "metrics.json").read_text())
    assert metrics["status"] == "stopped" and len(metrics["epochs"]) < 3
    for row in rows[:3]:
        assert (tmp_path / "trials" / f"trial-{row.number:04d}" / "best" / "weights.safetensors").is_file()
        assert row.val_acc == row.values[0] and row.val_acc >= 0.85
        assert row.param_count == 128 and row.run_dir.endswith(f"trial-{row.number:04d}")
    assert pruned.val_acc < 0.75
    assert best_rows(study)[0].val_acc == max(row.val_acc for row in rows[:3])
    assert [type(event) for event in events[:2]] == [TrialStarted, TrialProgress]
    assert [event.row.number for event in events if isinstance(event, TrialEnded)] == [0, 1, 2, 3]
    assert run_trials(study) == 0  # the study is full


def test_several_objectives_give_a_pareto_front(tmp_path):
    space = {"params": {"width": {"kind": "categorical", "choices": [1.0, 3.0]}}, "fixed": TINY_SPACE["fixed"]}
    settings = tiny_settings(tmp_path, 2, space=space, objectives=["accuracy", "params"])
    study = create_study(settings, "pareto", default_storage(tmp_path))
    study.enqueue_trial({"width": 1.0})
    study.enqueue_trial({"width": 3.0})
    run_trials(study)
    rows = trial_rows(study)
    assert [row.param_count for row in rows] == [128, 380]
    assert [row.values[1] for row in rows] == [128, 380]
    front = best_rows(study)
    assert front and all(row.state == "complete" for row in front)
    assert {row.number for row in front} <= {0, 1}


def test_a_cancelled_trial_is_redone_when_the_sweep_resumes(tmp_path):
    storage = default_storage(tmp_path)
    study = create_study(tiny_settings(tmp_path, 2), "xo", storage)
    cancel = threading.Event()

    def stop_in_the_first_epoch(event):
        if isinstance(event, TrialProgress) and event.event.kind == "batch":
            cancel.set()

    with pytest.raises(Cancelled):
        run_trials(study, on_event=stop_in_the_first_epoch, cancel=cancel)
    assert [row.state for row in trial_rows(study)] == ["interrupted"]
    with pytest.raises(SweepError, match="already exists"):
        create_study(tiny_settings(tmp_path, 2), "xo", storage)
    resumed = resume_study("xo", storage, trials=3)
    assert run_trials(resumed) == 3
    assert [row.state for row in trial_rows(resumed)] == ["interrupted", "complete", "complete", "complete"]


def test_a_progress_callback_that_raises_cancelled_stops_the_trial(tmp_path):
    study = create_study(tiny_settings(tmp_path, 1), "xo", default_storage(tmp_path))

    def cancel_at_once(event):
        raise Cancelled("cancelled")

    with pytest.raises(Cancelled):
        run_trials(study, on_event=cancel_at_once)
    assert [row.state for row in trial_rows(study)] == ["interrupted"]


def test_data_that_does_not_exist_is_a_clear_error(tmp_path):
    settings = tiny_settings(tmp_path, 1, data=str(tmp_path / "no-such-folder"))
    study = create_study(settings, "xo", default_storage(tmp_path))
    with pytest.raises(SweepError, match="no-such-folder"):
        run_trials(study)


def test_settings_are_checked():
    with pytest.raises(SweepError, match="first objective must be accuracy"):
        tiny_settings("out", 1, objectives=["params"])
    with pytest.raises(SweepError, match="distinct names among"):
        tiny_settings("out", 1, objectives=["accuracy", "speed"])
    with pytest.raises(SweepError, match="at least 1"):
        tiny_settings("out", 0)
    assert isinstance(tiny_settings("out", 1), SweepSettings)


def test_without_optuna_the_message_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)
    with pytest.raises(SweepError, match=r"pip install 'cnnstudio\[experiments\]'"):
        require_optuna()


def test_the_latency_and_flops_objectives_are_measured(tmp_path):
    settings = tiny_settings(tmp_path, 1, objectives=["accuracy", "flops", "latency"])
    study = create_study(settings, "costs", default_storage(tmp_path))
    run_trials(study)
    (row,) = trial_rows(study)
    accuracy, flops, latency = row.values
    assert 0 <= accuracy <= 1 and flops > 0 and 0 < latency < 1000
