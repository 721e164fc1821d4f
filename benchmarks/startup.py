"""How fast does CNN Studio start? Two figures, each against the least the same work can cost.

1. Process start → first painted main window (offscreen), against a process that only imports torch and
   PySide6.QtWidgets (the two libraries the window cannot do without). The child runs the real
   `cnnstudio.ui.app.main` and reports the first paint event of the main window.
2. `cnnstudio --help` against `python -c pass` (the interpreter's own start-up).

Each figure is the median of several fresh processes, timed from the parent's spawn to the child's
report (the window) or exit (the rest); the two sides alternate so that machine noise hits both alike.
Settings, recovery files and runs go to a temporary folder, never the user's.

    python benchmarks/startup.py [REPEATS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEATS = 7
ROOT = Path(__file__).resolve().parent.parent  # this checkout's cnnstudio, whatever the current folder

# Quits the application at the main window's first paint; everything else is cnnstudio's own start-up.
WINDOW = """
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and isinstance(watched, QMainWindow) and not self.seen:
            self.seen = True
            print("painted", flush=True)
            QTimer.singleShot(0, QApplication.instance().quit)
        return False

app = QApplication(["cnnstudio"])
first_paint = FirstPaint()
first_paint.seen = False
app.installEventFilter(first_paint)
from cnnstudio.ui.app import main
main([])
"""
WINDOW_BASELINE = "import torch, PySide6.QtWidgets"


def seconds_to_exit(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def seconds_to_paint(env: dict[str, str]) -> float:
    # Qt's offscreen platform remarks on stderr; it is kept in a file and shown only if the window fails
    with tempfile.TemporaryFile("w+") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", WINDOW], env=env, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        line = child.stdout.readline() if child.stdout else ""
        elapsed = time.perf_counter() - start
        child.wait(timeout=60)
        if line.strip() != "painted" or child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(
                f"the main window did not paint (exit code {child.returncode}):\n{errors.read()[-3000:]}"
            )
    return elapsed


def paired_medians(ours, baseline, repeats: int) -> tuple[float, float]:
    ours(), baseline()  # warm the file-system cache
    ours_samples, baseline_samples = [], []
    for _ in range(repeats):
        ours_samples.append(ours())
        baseline_samples.append(baseline())
    return statistics.median(ours_samples), statistics.median(baseline_samples)


def main(repeats: int = REPEATS) -> None:
    with tempfile.TemporaryDirectory(prefix="cnnstudio-startup-") as folder:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
        for name in ("CONFIG", "STATE", "DATA"):
            env[f"CNNSTUDIO_{name}_DIR"] = os.path.join(folder, name.lower())
        python = sys.executable
        help_s, pass_s = paired_medians(
            lambda: seconds_to_exit([python, "-m", "cnnstudio", "--help"], env),
            lambda: seconds_to_exit([python, "-c", "pass"], env),
            repeats,
        )
        window_s, imports_s = paired_medians(
            lambda: seconds_to_paint(env),
            lambda: seconds_to_exit([python, "-c", WINDOW_BASELINE], env),
            repeats,
        )
    print(f"--help: {help_s:.2f} s (baseline: {pass_s:.2f} s) ratio: {help_s / pass_s:.1f}")
    print(f"startup: {window_s:.2f} s (baseline: {imports_s:.2f} s) ratio: {window_s / imports_s:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else REPEATS)
