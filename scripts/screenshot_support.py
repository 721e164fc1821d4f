"""What the screenshot scripts share: running the event loop, waiting for the window to settle, saving a
grab, and a command line that renders into a private settings folder."""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parent.parent


def pump(milliseconds: int) -> None:
    """Run the event loop for a while (lets background work finish and widgets repaint)."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(predicate: Callable[[], bool], timeout: float = 120.0, what: str = "the window") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not settle")
        pump(20)


def grab(widget: QWidget, path: Path, settle_ms: int = 300) -> Path:
    pump(settle_ms)
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def run_main(render: Callable[[Path], list[Path]], description: str, argv: list[str] | None = None) -> int:
    """`--out DIR` (default docs/screenshots); renders with private settings, runs and captures folders."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as home:
        for name in ("CONFIG", "STATE", "DATA"):
            os.environ[f"CNNSTUDIO_{name}_DIR"] = str(Path(home) / name.lower())
        for path in render(args.out):
            print(path)
    return 0
