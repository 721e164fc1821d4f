"""Render every README screenshot: the Designer with shipped templates here, then each tab's own script
(screenshots_data, _training, _inspect, _inspect_views, _webcam). The real window, offscreen.

    python scripts/render_screenshots.py [--out docs/screenshots]

Uses temporary settings, runs and captures folders (the user's own are not touched).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screenshot_support import pump, run_main, wait_until

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
    Shot(
        "designer-resnet18.png",
        "resnet18",
        "layer2_0_downsample_0",
        "Problems",
        center="layer2_0_bn1",
        mistake=("layer2_0_downsample_0", "stride", 1),
    ),
    Shot(
        "designer-googlenet.png",
        "googlenet",
        "inception3a_branch2_1_conv",
        "Code",
        center="inception3a_branch2_0_relu_4",
    ),
)


def render(shot: Shot, window, out: Path) -> Path:
    from cnnstudio.graph.templates import load_template

    designer = window.designer
    window.load_graph(load_template(shot.template), None)
    if shot.mistake:
        designer.controller.set_param(*shot.mistake)
    wait_until(window.document.analysis.is_current)
    pump(50)
    designer.panels.setCurrentIndex(
        [designer.panels.tabText(i).split(" ")[0] for i in range(designer.panels.count())].index(shot.panel)
    )
    designer.scene.select_nodes([shot.select])
    if shot.center:
        designer.view.centerOn(designer.scene.nodes[shot.center])
    if shot.panel == "Code":
        wait_until(lambda: designer.code.source() and not designer.code._tasks.is_busy())
        editor = designer.code.editor
        class_line = next(i for i, line in enumerate(designer.code.source().splitlines()) if line.startswith("class"))
        editor.verticalScrollBar().setValue(class_line)  # show the module, not the imports
    pump(200)
    path = out / shot.file
    if not window.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def render_designer(out: Path) -> list[Path]:
    from cnnstudio.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    window.start()
    wait_until(window.document.analysis.is_current)
    paths = [render(shot, window, out) for shot in SHOTS]
    window.shutdown()
    window.close()
    return paths


def render_all(out: Path) -> list[Path]:
    import screenshots_data
    import screenshots_deploy
    import screenshots_inspect
    import screenshots_inspect_views
    import screenshots_training
    import screenshots_webcam

    from cnnstudio.ui.app import create_application

    create_application([])
    out.mkdir(parents=True, exist_ok=True)
    paths = render_designer(out)
    for module in (
        screenshots_data,
        screenshots_training,
        screenshots_inspect,
        screenshots_inspect_views,
        screenshots_webcam,
        screenshots_deploy,
    ):
        paths += module.render(out)
    return paths


def main(argv: list[str] | None = None) -> int:
    return run_main(render_all, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
