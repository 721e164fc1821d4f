"""A wheel built from the project works outside the checkout: its templates are package data and the
commands a new user runs first succeed with the wheel's own code.

The wheel goes into a fresh virtual environment that sees the test environment's packages (its
dependencies, and pip), so the test runs offline; the commands run from an empty folder outside the
checkout with no PYTHONPATH, so nothing can come from the source tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "cnnstudio")

pytestmark = pytest.mark.slow


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the venv's bin folder, an environment for running it) with the freshly built wheel installed."""
    base = tmp_path_factory.mktemp("packaging")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_NO_INDEX"] = "1"  # offline: everything the wheel needs is already installed
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    source = base / "source"  # a copy, so that the build's own folders never land in the checkout
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    dist = base / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, source], base, env
    )
    (wheel,) = dist.glob("cnnstudio-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], base, env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    run([bin_dir / "python", "-m", "pip", "install", "--no-deps", "--force-reinstall", "-q", wheel], base, env)
    return bin_dir, env


def test_the_wheel_runs_the_first_commands_from_anywhere(installed, tmp_path):
    bin_dir, env = installed
    venv = bin_dir.parent.resolve()
    where = run([bin_dir / "python", "-c", "import cnnstudio; print(cnnstudio.__file__)"], tmp_path, env).strip()
    assert Path(where).resolve().is_relative_to(venv), f"cnnstudio came from {where}, not the wheel in {venv}"
    cnnstudio = bin_dir / "cnnstudio"

    listing = run([cnnstudio, "templates"], tmp_path, env)
    assert "lenet5" in listing and "61.7 k" in listing
    assert "wrote x.cnn.json" in run([cnnstudio, "new", "lenet5", "-o", "x.cnn.json"], tmp_path, env)
    assert "Total learnables: 61,706" in run([cnnstudio, "analyze", "x.cnn.json"], tmp_path, env)
    trained = run(
        [cnnstudio, "train", "x.cnn.json", "--data", "digits", "--epochs", "1", "--out", "run"], tmp_path, env
    )
    assert "epoch 1/1" in trained
    assert (tmp_path / "run" / "best" / "weights.safetensors").is_file()
