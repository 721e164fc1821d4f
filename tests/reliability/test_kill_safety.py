"""Crash safety: SIGKILL at random moments while saving a design, autosaving and checkpointing, 100 times
in all. Every time, the file on disk is the last completed version (or the one being written, complete),
never a half-written one; the autosave restores the last edit; no temporary file survives the next write.
Also: a training run whose worker is killed resumes from its last checkpoint."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from cnnstudio.engine.checkpoint import load_checkpoint, save_checkpoint
from cnnstudio.graph.io import load_network, network_from_dict, save_network
from cnnstudio.pytorch import build_module

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")]

TARGET = Path(__file__).with_name("kill_target.py")
KILLS = {"design": 40, "autosave": 30, "checkpoint": 30}


@pytest.fixture
def writer_server(tmp_path):
    """Start kill_target.py for a kind of file; yields a function that runs one write-and-kill round."""
    servers: list[subprocess.Popen] = []

    def start(kind: str) -> Callable[[random.Random], int]:
        env = {**os.environ, "OMP_NUM_THREADS": "1", "QT_QPA_PLATFORM": "offscreen"}
        server = subprocess.Popen(
            [sys.executable, str(TARGET), kind, str(tmp_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        servers.append(server)
        assert server.stdout.readline().startswith("READY"), server.stderr.read()
        rounds = iter(range(10**6))

        def kill_while_writing(rng: random.Random) -> int:
            """Let a writer write for a random moment, SIGKILL it; the last write it reported complete."""
            number = next(rounds)
            server.stdin.write("go\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            log = tmp_path / f"writes-{number}.txt"
            deadline = time.monotonic() + 30
            while not (log.is_file() and log.read_text().strip()) and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.1))
            os.kill(pid, signal.SIGKILL)
            server.stdin.write(f"reap {pid}\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "reaped"
            return int(log.read_text().split()[-1])

        return kill_while_writing

    yield start
    for server in servers:
        server.kill()
        server.wait(timeout=30)
        for stream in (server.stdin, server.stdout, server.stderr):
            stream.close()


def _design_version(folder: Path) -> int:
    return load_network(folder / "net.cnn.json").graph.node("fc3").param("out_features")


def _autosave_version(folder: Path) -> int:
    from cnnstudio.ui.autosave import orphaned_recoveries

    recoveries = orphaned_recoveries(folder / "recovery")
    assert recoveries, "the killed session left no recovery file"
    version = recoveries[0].graph.node("fc3").param("out_features")
    for recovery in recoveries:
        recovery.discard()
    return version


def _checkpoint_version(folder: Path) -> int:
    return load_checkpoint(folder / "run", "last").progress.step


READ = {"design": _design_version, "autosave": _autosave_version, "checkpoint": _checkpoint_version}


def _next_write(kind: str, folder: Path) -> None:
    """What the app does next with the same files: save again, start (recovery check), checkpoint again."""
    if kind == "design":
        save_network(load_network(folder / "net.cnn.json").graph, folder / "net.cnn.json")
    elif kind == "autosave":
        from cnnstudio.ui.autosave import orphaned_recoveries

        orphaned_recoveries(folder / "recovery")
    else:
        saved = load_checkpoint(folder / "run", "last")
        model = build_module(network_from_dict(saved.design, "design").graph)
        model.load_state_dict(saved.weights)
        save_checkpoint(
            folder / "run",
            "last",
            model=model,
            config=saved.config,
            design=saved.design,
            data=saved.data,
            progress=saved.progress,
        )


@pytest.mark.parametrize("kind", list(KILLS))
def test_sigkill_never_leaves_a_half_written_file(kind, tmp_path, writer_server, qapp):
    kill_while_writing = writer_server(kind)
    rng = random.Random(kind)
    for attempt in range(KILLS[kind]):
        last_complete = kill_while_writing(rng)
        version = READ[kind](tmp_path)  # raises if the file is damaged
        assert version in (last_complete, last_complete + 1), f"kill {attempt}: found version {version}"
    _next_write(kind, tmp_path)
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or ".new-" in p.name]
    assert not leftovers, f"temporary files of killed writers survive: {leftovers}"


def test_a_killed_training_worker_is_reported_and_the_run_resumes_from_its_last_checkpoint(tmp_path):
    from cnnstudio.engine import TrainConfig
    from cnnstudio.engine.events import CheckpointWritten, Error, Finished, Started
    from cnnstudio.engine.launch import TrainRequest, run_request
    from cnnstudio.engine.worker import TrainingProcess
    from cnnstudio.graph.templates import load_template

    config = TrainConfig(epochs=200, batch_size=16, lr=0.01, data="xo:count=400")
    request = TrainRequest(str(tmp_path), design=load_template("xo").to_dict(), data="xo:count=400", config=config)
    process = TrainingProcess(request)
    try:
        written: list[CheckpointWritten] = []
        deadline = time.monotonic() + 120
        while not any(event.tag == "last" and event.epoch >= 2 for event in written):
            assert time.monotonic() < deadline, "no checkpoint was written"
            written += [event for event in process.events(timeout=0.2) if isinstance(event, CheckpointWritten)]
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        reported: list = []
        while not reported and time.monotonic() < deadline:
            reported = [event for event in process.events(timeout=0.2) if isinstance(event, Error)]
        assert reported and "ended unexpectedly" in reported[0].message
    finally:
        process.close()
    saved_epoch = load_checkpoint(tmp_path, "last").progress.epoch
    assert saved_epoch >= 2

    resumed = list(run_request(TrainRequest(str(tmp_path), resume=True, changes={"epochs": saved_epoch + 1})))
    started = next(event for event in resumed if isinstance(event, Started))
    finished = resumed[-1]
    assert started.start_epoch == saved_epoch
    assert isinstance(finished, Finished) and finished.reason == "completed"
    assert finished.epochs_completed == saved_epoch + 1
