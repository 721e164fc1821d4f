"""Render the Deploy tab's README screenshot: the real window, offscreen, optimizing a real run.

    python scripts/screenshots_deploy.py [--out docs/screenshots]

deploy.png   LeNet-5 trained 5 epochs on the digits, quantized to int8 and pruned by half with 3 epochs of
             fine-tuning (and the pruned run quantized): the table and the accuracy/latency scatter

Settings and runs go to a temporary folder (the user's are not touched).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screenshot_support import grab, run_main, wait_until

SIZE = (1440, 900)


def train_lenet(run_dir: Path) -> None:
    from cnnstudio.data import load_data
    from cnnstudio.engine import TrainConfig, train
    from cnnstudio.graph.templates import input_shape, load_template

    design = load_template("lenet5")
    config = TrainConfig(epochs=5, data="digits", device="cpu")
    data = load_data("digits", input_shape(design), val_fraction=config.val_fraction, seed=config.seed)
    for _ in train(design, data, config, run_dir):
        pass


def render(out: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from cnnstudio.ui.main_window import MainWindow
    from cnnstudio.ui.settings import runs_dir
    from cnnstudio.ui.style import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    out.mkdir(parents=True, exist_ok=True)
    train_lenet(runs_dir() / "2026-12-04_10-00-00_LeNet-5")
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    window.start()
    deploy = window.tab("Deploy")
    window.show_tab("Deploy")
    deploy.refresh_runs()
    deploy.prune.setChecked(True)
    deploy.start_button.click()
    wait_until(deploy.is_idle, timeout=300, what="the Deploy job")
    deploy.table.selectRow(2)
    path = grab(window, out / "deploy.png")
    window.shutdown()
    window.close()
    return [path]


def main(argv: list[str] | None = None) -> int:
    return run_main(render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
