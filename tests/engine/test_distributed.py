"""Data-parallel training with two CPU processes (gloo).

No test picks a port for another process to bind later (another test running in parallel could take it
first): the processes rendezvous through a file in the test's own folder, and torchrun in standalone mode
binds a free port itself.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import torch
import torch.distributed
import torch.multiprocessing as mp
from safetensors.torch import load_file

from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine.distributed import init_distributed, shutdown_distributed

from .conftest import small_net, stripe_split

ROOT = Path(__file__).resolve().parents[2]
CONFIG = TrainConfig(epochs=2, batch_size=16, optimizer="sgd", lr=0.05, momentum=0.9)


def _rank_main(rank: int, world: int, rendezvous: str, run_dir: str) -> None:
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    torch.set_num_threads(1)
    torch.distributed.init_process_group("gloo", init_method=f"file://{rendezvous}", rank=rank, world_size=world)
    dist = init_distributed("cpu")  # joins the group above (torchrun's env:// rendezvous is the test below)
    try:
        kinds = [event.kind for event in train(small_net(), stripe_split(), CONFIG, run_dir, dist=dist)]
    finally:
        shutdown_distributed()
    Path(run_dir, f"events-{rank}.json").write_text(json.dumps(kinds))


def test_two_processes_train_like_one_with_the_combined_batch(tmp_path):
    mp.spawn(_rank_main, args=(2, str(tmp_path / "rendezvous"), str(tmp_path / "ddp")), nprocs=2, join=True)
    main_events = json.loads((tmp_path / "ddp" / "events-0.json").read_text())
    assert main_events[0] == "started" and main_events[-1] == "finished" and main_events.count("epoch") == 2
    assert json.loads((tmp_path / "ddp" / "events-1.json").read_text()) == []  # only rank 0 reports
    assert json.loads((tmp_path / "ddp" / "metrics.json").read_text())["status"] == "completed"

    # Each rank takes every other sample of the epoch's permutation, so the two batches of 16 together are
    # exactly the single-process batch of 32; averaged gradients then give the same weights.
    list(train(small_net(), stripe_split(), CONFIG.replace(batch_size=32), tmp_path / "single"))
    parallel = load_file(tmp_path / "ddp" / "last" / "weights.safetensors")
    single = load_file(tmp_path / "single" / "last" / "weights.safetensors")
    assert all(torch.allclose(parallel[key], single[key], atol=1e-5) for key in single)


def test_torchrun_launches_the_train_command(tmp_path):
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node=2",
        "-m",
        "tests.cli.training_main",
        "train",
        "xo",
        "--data",
        "xo:count=200",
        "--epochs",
        "1",
        "--device",
        "cpu",
        "--out",
        str(tmp_path),
    ]
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("training X's and O's") == 1 and "× 2 processes" in result.stdout
    assert "Traceback" not in result.stderr
    assert (tmp_path / "best" / "weights.safetensors").is_file()
