"""Render the Training tab's README screenshots: the real window, offscreen, training for real.

    python scripts/screenshots_training.py [--out docs/screenshots]

training-live.png     LeNet-5 training on the digits in its worker process: progress and live plots
                      (with the hover readout), an earlier run in the runs list
training-results.png  after the run: confusion matrix, per-class metrics, misclassified images, and
                      the runs list with both runs
training-multilabel.png  LeNet-5 trained on the multi-label shapes: the per-label page of its Results

Settings and runs go to a temporary folder (the user's are not touched).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (1440, 900)
FOLDERS = ("CNNSTUDIO_CONFIG_DIR", "CNNSTUDIO_STATE_DIR", "CNNSTUDIO_DATA_DIR")


def pump(milliseconds: int) -> None:
    """Run the event loop for a while (lets the worker's events arrive and widgets repaint)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(predicate: Callable[[], bool], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not reach the state to capture")
        pump(50)


def earlier_run(runs: Path) -> None:
    """A first run to compare with (SGD instead of Adam), trained here as the worker would."""
    from cnnstudio.engine import TrainConfig, train
    from cnnstudio.engine.launch import load_training_data
    from cnnstudio.graph.templates import load_template

    graph = load_template("lenet5")
    config = TrainConfig(epochs=12, batch_size=32, optimizer="sgd", lr=0.05, data="digits")
    data = load_training_data("digits", graph, config)
    for event in train(graph, data, config, runs / "2026-11-23_09-41-07_LeNet-5"):
        if event.kind == "error":
            raise RuntimeError(event.message)


def grab(window, path: Path) -> Path:
    if not window.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def render(out_dir: Path) -> list[Path]:
    """Train in the real window and capture it live and after; returns the PNG paths."""
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtTest import QTest

    from cnnstudio.data import load_data
    from cnnstudio.ui.app import create_application
    from cnnstudio.ui.main_window import MainWindow
    from cnnstudio.ui.session import DataChoice
    from cnnstudio.ui.settings import runs_dir

    out_dir.mkdir(parents=True, exist_ok=True)
    saved = {name: os.environ.get(name) for name in FOLDERS}
    with tempfile.TemporaryDirectory() as home:
        for name in FOLDERS:
            os.environ[name] = str(Path(home) / name.split("_")[1].lower())
        try:
            earlier_run(runs_dir())
            create_application([])
            window = MainWindow()
            window.resize(*SIZE)
            window.show()
            window.start()
            wait_until(window.document.analysis.is_current)
            window.session.set_data(DataChoice("digits", None, "Digits (8×8)"))
            window.show_tab("Training")
            tab = window.tab("Training")
            tab.form.epochs.setValue(30)
            tab.form.batch_size.setValue(32)
            tab.form.augment.setText("rotate:10")
            tab.controls.train_button.click()
            wait_until(lambda: tab.plots.epoch_count >= 9)
            canvas, view = tab.plots.canvas, tab.plots.loss_plot.vb
            point = view.mapViewToScene(QPointF(tab.plots.series.x.values[-1] * 0.55, 1.2))  # hover over the curves
            QTest.mouseMove(canvas.viewport(), canvas.mapFromScene(point))
            wait_until(lambda: tab.plots.readout_visible)
            pump(150)
            paths = [grab(window, out_dir / "training-live.png")]
            QTest.mouseMove(canvas.viewport(), QPoint(1, 1))
            wait_until(lambda: tab.runner.state == "idle")
            wait_until(lambda: tab.results.currentIndex() == 1)
            tab.views.setCurrentWidget(tab.results)
            table = tab.runs.table
            table.selectRow(0)
            pump(300)
            paths.append(grab(window, out_dir / "training-results.png"))
            shapes = load_data("multishapes:count=2000", (1, 28, 28))  # as the Data tab loads it for LeNet-5
            window.session.set_data(DataChoice("multishapes:count=2000", shapes, "Shapes (multi-label)"))
            tab.form.epochs.setValue(12)
            tab.form.batch_size.setValue(64)
            tab.form.augment.setText("")
            tab.controls.train_button.click()
            wait_until(lambda: tab.runner.state != "idle")
            wait_until(lambda: tab.runner.state == "idle")
            wait_until(lambda: tab.results.currentWidget() is tab.results.labels)
            tab.views.setCurrentWidget(tab.results)
            table.selectRow(0)
            pump(300)
            paths.append(grab(window, out_dir / "training-multilabel.png"))
            window.shutdown()
            return paths
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    for path in render(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
