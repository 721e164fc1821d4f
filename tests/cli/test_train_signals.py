"""`cnnstudio train` stopped by Ctrl-C (once: after the batch; twice: at once) or killed (SIGKILL) in the middle
of an epoch, then resumed: the resumed run's metrics.json lists every epoch once, the earlier ones unchanged."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnnstudio.engine.checkpoint import load_checkpoint

from .training_main import main

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="POSIX signals")]

ROOT = Path(__file__).resolve().parents[2]
EPOCHS = 3


def start_training(run_dir: Path) -> subprocess.Popen:
    command = ["train", "xo", "--data", "xo:count=2000", "--epochs", str(EPOCHS), "--batch-size", "8"]
    return subprocess.Popen(
        [sys.executable, "-m", "cnnstudio", *command, "--out", str(run_dir), "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def read_until_inside_epoch(process: subprocess.Popen, epoch: int) -> None:
    """Read the run's events until it reports a batch well inside `epoch` (each epoch has 200 batches)."""
    deadline = time.monotonic() + 300
    for line in process.stdout:
        event = json.loads(line)
        assert event["event"] != "error", event
        if event["event"] == "batch" and event["epoch"] == epoch and 10 <= event["batch"] <= 150:
            return
        assert time.monotonic() < deadline, "the run did not reach the epoch in time"
    raise AssertionError(f"the run ended before epoch {epoch}: {process.stderr.read()}")


def epochs_listed(run_dir: Path) -> list[dict]:
    return json.loads((run_dir / "metrics.json").read_text())["epochs"]


@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-c-twice", "sigkill"])
def test_a_run_stopped_or_killed_mid_epoch_resumes_with_its_whole_history(tmp_path, capsys, how):
    run_dir = tmp_path / "run"
    process = start_training(run_dir)
    try:
        read_until_inside_epoch(process, 2)
        if how == "sigkill":
            process.kill()
        else:
            process.send_signal(signal.SIGINT)
            if how == "ctrl-c-twice":
                process.send_signal(signal.SIGINT)
        output, errors = process.communicate(timeout=120)
    finally:
        process.kill()
        process.wait()
    finished = [json.loads(line) for line in output.splitlines() if '"finished"' in line]
    if how == "sigkill":
        assert process.returncode == -signal.SIGKILL
    else:
        assert process.returncode == 130, errors
        assert "Traceback" not in errors
    if how == "ctrl-c":
        # stopped after the current batch, inside epoch 2, with a checkpoint of that moment
        assert finished and finished[-1]["reason"] == "stopped"
        progress = load_checkpoint(run_dir, "last").progress
        assert progress.epoch == 1 and progress.batch > 0
    before = epochs_listed(run_dir)
    assert [entry["epoch"] for entry in before] == [1]

    code = main(["train", "--resume", str(run_dir)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert f"epoch {EPOCHS}/{EPOCHS}" in out
    history = epochs_listed(run_dir)
    assert [entry["epoch"] for entry in history] == list(range(1, EPOCHS + 1))
    assert history[0] == before[0]
    assert json.loads((run_dir / "metrics.json").read_text())["status"] == "completed"
    assert not [path.name for path in run_dir.rglob("*") if path.name.startswith(".")]
