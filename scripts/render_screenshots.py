"""Render the README screenshots of the Designer: the real window, offscreen, with shipped templates.

    python scripts/render_screenshots.py [--out docs/screenshots]

Uses a temporary settings folder (the user's settings and recovery files are not touched).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QTimer

SIZE = (1600, 1000)


@dataclass(frozen=True)
class Shot:
    file: str
    template: str
    select: str  # the layer shown in the inspector
    panel: str  # the bottom panel: Problems, Analysis or Code
    center: str | None = None  # the layer to centre the view on (None: the view a load gives)
    mistake: tuple[str, str, object] | None = None  # (layer, parameter, value) set as a user would


SHOTS = (
    Shot("designer-lenet5.png", "lenet5", "conv2", "Analysis"),
    # a deliberate mistake shows how errors look: the downsample path no longer halves the size
    Shot("designer-resnet18.png", "resnet18", "layer2_0_downsample_0", "Problems", center="layer2_0_bn1",
         mistake=("layer2_0_downsample_0", "stride", 1)),
    Shot("designer-googlenet.png", "googlenet", "inception3a_branch2_1_conv", "Code",
         center="inception3a_branch2_0_relu_4"),
)


def pump(milliseconds: int) -> None:
    """Run the event loop for a while (lets background work finish and widgets repaint)."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def wait_until(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not settle")
        pump(20)


def render(shot: Shot, window, out: Path) -> Path:
    from cnnstudio.graph.templates import load_template

    designer = window.designer
    window.load_graph(load_template(shot.template), None)
    if shot.mistake:
        designer.controller.set_param(*shot.mistake)
    wait_until(window.document.analysis.is_current)
    pump(50)
    designer.panels.setCurrentIndex([designer.panels.tabText(i).split(" ")[0]
                                     for i in range(designer.panels.count())].index(shot.panel))
    designer.scene.select_nodes([shot.select])
    if shot.center:
        designer.view.centerOn(designer.scene.nodes[shot.center])
    if shot.panel == "Code":
        wait_until(lambda: designer.code.source() and designer.code._job is None)
        editor = designer.code.editor
        class_line = next(i for i, line in enumerate(designer.code.source().splitlines()) if line.startswith("class"))
        editor.verticalScrollBar().setValue(class_line)  # show the module, not the imports
    pump(200)
    path = out / shot.file
    if not window.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        os.environ["CNNSTUDIO_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["CNNSTUDIO_STATE_DIR"] = str(Path(home) / "state")
        from cnnstudio.ui.app import create_application
        from cnnstudio.ui.main_window import MainWindow

        create_application([])
        window = MainWindow()
        window.resize(*SIZE)
        window.show()
        window.start()
        wait_until(window.document.analysis.is_current)
        for shot in SHOTS:
            print(render(shot, window, args.out))
        window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
