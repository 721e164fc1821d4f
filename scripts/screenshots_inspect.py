"""Render the README screenshots of the Inspect tab: the real window, offscreen, with the pretrained
EfficientNet-Lite0 looking at scikit-image's photograph of a cat.

    python scripts/screenshots_inspect.py [--out docs/screenshots]

`render(out_dir)` is what scripts/render_screenshots.py calls; run alone, this script uses a
temporary settings folder (the user's settings and recovery files are not touched).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshot_support import grab, run_main, wait_until

SIZE = (1440, 900)
FEATURE_LAYER = "stem_relu"  # the first layer's maps: edges and colours of the photo
ARITHMETIC_POSITION = (38, 52)  # an output of the first convolution on the cat's face


def render(out_dir: Path) -> list[Path]:
    """Feature maps, filters, the arithmetic and Grad-CAM of EfficientNet-Lite0 on a cat; the grid editor."""
    from PIL import Image
    from skimage import data

    from cnnstudio.ui.app import create_application
    from cnnstudio.ui.inspection.arithmetic.arithmetic_view import ArithmeticView
    from cnnstudio.ui.inspection.arithmetic.grid_editor import GridEditorView
    from cnnstudio.ui.inspection.attribution.attribution_view import AttributionView
    from cnnstudio.ui.inspection.maps.featuremaps_view import FeatureMapsView
    from cnnstudio.ui.inspection.maps.filters_view import FiltersView
    from cnnstudio.ui.inspection.model_source import EFFICIENTNET
    from cnnstudio.ui.main_window import MainWindow
    from cnnstudio.ui.style import apply_theme

    app = QApplication.instance() or create_application([])
    apply_theme(app)
    out_dir.mkdir(parents=True, exist_ok=True)
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    window.start()
    wait_until(window.document.analysis.is_current)
    tab = window.tab("Inspect")
    window.show_tab("Inspect")
    wait_until(tab.is_idle)

    tab.model_source.combo.setCurrentIndex(EFFICIENTNET)
    with tempfile.TemporaryDirectory() as folder:
        photo = Path(folder) / "chelsea.png"
        Image.fromarray(data.chelsea()).save(photo)
        tab.inputs.open_file(str(photo))
        wait_until(lambda: tab.subject is not None and tab.subject.image.shape == (300, 451, 3) and tab.is_idle())

    def page(view_class: type) -> object:
        view = tab.view(view_class)
        tab.show_view(view)
        wait_until(tab.is_idle)
        return view

    maps = page(FeatureMapsView)
    maps.select_layer(FEATURE_LAYER)
    wait_until(lambda: tab.is_idle() and maps.maps is not None and maps.maps.layer == FEATURE_LAYER)
    activation = maps.maps.activation  # enlarge the channel with the most contrast, as a user would click it
    busiest = int(np.argmax(activation.reshape(activation.shape[0], -1).std(axis=1)))
    top, left = maps.maps.view.tiles.origin(list(maps.maps.view.channels).index(busiest))
    QTest.mouseClick(maps.canvas, Qt.LeftButton, Qt.NoModifier, maps.canvas.widget_point(top + 10, left + 10))
    paths = [grab(window, out_dir / "inspect-featuremaps.png")]

    page(FiltersView)
    paths.append(grab(window, out_dir / "inspect-filters.png"))

    arithmetic = page(ArithmeticView)
    arithmetic.explain_position(*ARITHMETIC_POSITION)
    wait_until(tab.is_idle)
    paths.append(grab(window, out_dir / "inspect-arithmetic.png"))

    page(AttributionView)
    paths.append(grab(window, out_dir / "inspect-gradcam.png"))

    editor = page(GridEditorView)
    editor.preset_combo.setCurrentIndex(0)
    editor.explain(1, 1, 1)
    paths.append(grab(window, out_dir / "inspect-convolution-by-hand.png"))

    window.shutdown()
    window.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    return run_main(render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
