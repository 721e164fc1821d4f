"""Start-up stays fast: each check runs in a fresh interpreter and lists every module it imported.

`cnnstudio --help` and `cnnstudio templates` import neither torch nor Qt; opening the main window imports
none of the heavy libraries that only some features need (they load when the feature is first used).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY_FOR_THE_WINDOW = ("captum", "matplotlib", "sklearn", "scipy", "cv2", "onnx", "onnxruntime")

WINDOW = """
import json, sys
from cnnstudio.ui.app import create_application
from cnnstudio.ui.main_window import MainWindow
app = create_application([sys.argv[0]])
window = MainWindow()
window.show()
app.processEvents()
window.shutdown()
print(json.dumps(sorted(sys.modules)))
"""


def environment() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")


def modules_imported_by(*args: str) -> set[str]:
    """The modules `python -X importtime ARGS` imported (its import-time report names every one)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


@pytest.mark.parametrize("command", [["--help"], ["templates"], ["optimize", "--help"]], ids=" ".join)
def test_the_command_line_starts_without_torch_or_qt(command):
    imported = modules_imported_by("-m", "cnnstudio", *command)
    assert "cnnstudio.cli.main" in imported  # the report does list the command's imports
    assert not top_level(imported) & {"torch", "torchvision", "PySide6", "shiboken6", "pyqtgraph"}


def test_the_check_sees_torch_when_it_is_imported():
    assert "torch" in top_level(modules_imported_by("-c", "import torch"))


@pytest.fixture(scope="module")
def window_modules() -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", WINDOW], cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    imported = top_level(set(json.loads(result.stdout.splitlines()[-1])))
    assert {"PySide6", "torch", "cnnstudio"} <= imported  # the window really was built
    return imported


@pytest.mark.parametrize("library", HEAVY_FOR_THE_WINDOW)
def test_the_main_window_opens_without_heavy_libraries(window_modules, library):
    assert library not in window_modules
