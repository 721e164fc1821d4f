"""`cnnstudio sweep` and `cnnstudio sweep-worker` on the X/O data."""

import json
import os
import subprocess
import sys

import pytest

from cnnstudio.cli.main import main
from tests.experiments.helpers import TINY_SPACE, tiny_settings

optuna = pytest.importorskip("optuna")


def _space_file(tmp_path):
    path = tmp_path / "space.json"
    path.write_text(json.dumps(TINY_SPACE))
    return path


def test_sweep_prints_a_results_table_and_resume_continues_the_study(tmp_path, capsys):
    out = tmp_path / "sweep"
    command = ["sweep", "xo", "--data", "xo:count=200", "--trials", "2", "--out", str(out)]
    assert main([*command, "--space", str(_space_file(tmp_path))]) == 0
    printed = capsys.readouterr()
    lines = printed.out.splitlines()
    assert lines[0].split() == ["trial", "state", "lr", "val", "acc", "params"]
    assert lines[2].split()[:2] == ["0", "complete"] and lines[3].split()[:2] == ["1", "complete"]
    assert lines[2].split()[-1] == "128"
    assert "2 trials (0 pruned)" in printed.out and "best trial:" in printed.out
    assert "trial 0: lr=" in printed.err
    assert (out / "study.db").is_file() and (out / "trials" / "trial-0001" / "best").is_dir()

    assert main(command[:1] + ["--resume", "--trials", "3", "--out", str(out), "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["number"] == 2  # one line per trial, then the results
    document = json.loads(lines[-1])
    assert [trial["number"] for trial in document["trials"]] == [0, 1, 2]
    assert document["best"] and document["objectives"] == ["accuracy"]


def test_sweep_refuses_what_it_cannot_use(tmp_path, capsys):
    out = str(tmp_path / "sweep")
    bad_space = tmp_path / "bad.json"
    bad_space.write_text(json.dumps({"params": {"lr": {"kind": "float", "low": 1, "high": 0.1}}}))
    assert main(["sweep", "xo", "--data", "xo", "--out", out, "--space", str(bad_space)]) == 2
    assert "params.lr: low (1) must be below high (0.1)" in capsys.readouterr().err
    assert main(["sweep", "xo", "--out", out]) == 2
    assert "sweep needs --data" in capsys.readouterr().err
    assert main(["sweep", "--resume", "--out", out]) == 2
    assert "there is no study named 'sweep'" in capsys.readouterr().err
    assert main(["sweep", "xo", "--data", "xo", "--out", out, "--storage", str(tmp_path / "x.txt")]) == 2
    assert "expected a database URL" in capsys.readouterr().err


def test_two_workers_sharing_one_storage_run_distinct_trials_at_the_same_time(tmp_path):
    from cnnstudio.experiments.study import create_study
    from cnnstudio.experiments.trials import trial_rows

    storage = f"sqlite:///{tmp_path / 'shared.db'}"
    create_study(tiny_settings(tmp_path / "sweep", 4), "shared", storage)
    worker = [sys.executable, "-m", "cnnstudio", "sweep-worker", "--study", "shared", "--storage", storage]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    processes = [subprocess.Popen(worker, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err.decode()
    study = optuna.load_study(study_name="shared", storage=storage)
    rows = trial_rows(study)
    assert len(rows) >= 4 and all(row.state in ("complete", "pruned") for row in rows)
    assert len({row.run_dir for row in rows}) == len(rows)
    assert len({row.worker for row in rows}) == 2
    spans = {}
    for trial in study.trials:
        worker_id = trial.user_attrs["worker"]
        start, end = spans.get(worker_id, (trial.datetime_start, trial.datetime_complete))
        spans[worker_id] = (min(start, trial.datetime_start), max(end, trial.datetime_complete))
    (start_a, end_a), (start_b, end_b) = spans.values()
    assert start_a < end_b and start_b < end_a  # the two workers ran at the same time


def test_lr_find_prints_a_suggestion_and_plots_the_curve(tmp_path, capsys):
    plot = tmp_path / "lr.png"
    assert main(["lr-find", "xo", "--data", "xo:count=400", "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert "suggested learning rate: " in out and "train with: cnnstudio train xo --data xo:count=400 --lr " in out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["lr-find", "xo", "--data", "xo:count=400", "--steps", "40", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["lrs"]) <= 40 and len(document["smoothed"]) == len(document["lrs"])


def test_lr_find_refuses_a_bad_range(capsys):
    assert main(["lr-find", "xo", "--data", "xo:count=200", "--start", "1", "--end", "0.1"]) == 2
    assert "0 < start < end" in capsys.readouterr().err
