"""Render the README screenshots of the Data tab: the real window, offscreen, with the offline datasets.

    python scripts/screenshots_data.py [--out docs/screenshots]

`render(out_dir)` is what scripts/render_screenshots.py calls; run alone, this script uses a
temporary settings folder (the user's settings and recovery files are not touched).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication
from screenshot_support import grab, run_main, wait_until

SIZE = (1440, 900)
AUGMENTATION = "flip:0.5,rotate:20,color:0.4"


def render(out_dir: Path) -> list[Path]:
    """Digits on LeNet-5 (grid, histogram, details), then shapes with the fit notice and a preview."""
    from cnnstudio.ui.app import create_application
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
    tab = window.tab("Data")
    window.show_tab("Data")
    wait_until(lambda: tab.result is not None and not tab.tasks.is_busy())
    wait_until(lambda: bool(tab.augment.tiles.rows))
    paths = [grab(window, out_dir / "data-digits.png")]

    item = tab.chooser.item("shapes")
    tab.chooser.list.setCurrentItem(item)
    tab.chooser.list.itemClicked.emit(item)
    wait_until(lambda: tab.result is not None and tab.result.request.source.key == "shapes" and not tab.tasks.is_busy())
    window.session.set_augment(AUGMENTATION)
    wait_until(lambda: not tab.augment.tasks.is_busy() and not tab.augment.timer.isActive())
    paths.append(grab(window, out_dir / "data-shapes-fit.png"))
    window.shutdown()
    window.close()
    return paths


def main(argv: list[str] | None = None) -> int:
    return run_main(render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
