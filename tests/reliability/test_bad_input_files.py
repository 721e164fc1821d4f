"""Bad input files found by the red team (issue 16), each run as a user would: the command line in a fresh
process, under the limits of the attack, ending with one clear line and exit code 2, never a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from cnnstudio.graph.io import save_network
from cnnstudio.graph.templates import load_template
from tests.pytorch.test_weights import sparse_safetensors

ROOT = Path(__file__).resolve().parents[2]


def run_limited(argv: list[str], cwd: Path, address_space: int | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if address_space is not None:
            resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "cnnstudio", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="the address-space limit is Linux's")
def test_an_8_gib_sparse_weights_file_under_a_memory_limit_is_refused(tmp_path):
    design = tmp_path / "xo.cnn.json"
    save_network(load_template("xo"), design)
    sparse_safetensors(tmp_path / "big.safetensors", "features.weight", [2**31])
    argv = ["train", str(design), "--data", "xo:count=100", "--epochs", "1", "--weights", "big.safetensors"]
    done = run_limited([*argv, "--out", str(tmp_path / "run")], tmp_path, address_space=6 * 2**30)
    assert done.returncode == 2, done.stderr
    assert "big.safetensors: not enough memory to read its 8.0 GiB of weights" in done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
