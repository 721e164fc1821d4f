"""Render the screenshots of the Webcam tab and the pretrained-network windows: the real window, offscreen,
classifying clips made from scikit-image's photographs (Chelsea the cat, a cup of coffee).

    python scripts/screenshots_webcam.py [--out docs/screenshots]

Everything it writes besides the PNGs (settings, recorded samples) goes to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cv2
import numpy as np
from PySide6.QtWidgets import QApplication, QWidget
from screenshot_support import pump, run_main, wait_until

SIZE = (1440, 900)
CLIP_FRAMES = 48
CLIP_SIZE = (640, 480)


def camera_clip(rgb: np.ndarray, path: Path) -> Path:
    """A photo as a hand-held camera would film it: a slow zoom and pan, 640×480 MJPG at 30 fps."""
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    height, width = bgr.shape[:2]
    aspect = CLIP_SIZE[0] / CLIP_SIZE[1]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, CLIP_SIZE)
    for index in range(CLIP_FRAMES):
        phase = np.sin(2 * np.pi * index / CLIP_FRAMES)
        crop_h = int(min(height, width / aspect) * (0.92 + 0.06 * phase))
        crop_w = int(crop_h * aspect)
        top = (height - crop_h) // 2
        left = int((width - crop_w) / 2 * (1 + 0.5 * phase))
        writer.write(cv2.resize(bgr[top : top + crop_h, left : left + crop_w], CLIP_SIZE, interpolation=cv2.INTER_AREA))
    writer.release()
    return path


@contextmanager
def private_folders() -> Iterator[Path]:
    """Settings, recovery files and recorded samples in a temporary folder for the duration."""
    names = ("CNNSTUDIO_CONFIG_DIR", "CNNSTUDIO_STATE_DIR", "CNNSTUDIO_DATA_DIR")
    saved = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory() as home:
        for name in names:
            os.environ[name] = str(Path(home) / name.split("_")[1].lower())
        try:
            yield Path(home)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def save(widget: QWidget, path: Path) -> Path:
    pump(150)
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def play(tab, clip: Path) -> None:
    """Choose a clip as the source (looping, in real time, like a camera) and start it."""
    tab.stop()
    tab.source_panel.add_file(str(clip))
    tab.source_panel.loop.setChecked(True)
    tab.source_panel.realtime.setChecked(True)
    tab.start()


def record(tab, row, frames: int) -> None:
    """Hold a class's record button until it has `frames` samples."""
    row.record_button.pressed.emit()
    wait_until(lambda: row.count >= frames)
    row.record_button.released.emit()


def render(out_dir: Path) -> list[Path]:
    """Render webcam-classify, webcam-gradcam, webcam-teach, pretrained-open and pretrained-compare."""
    from skimage import data

    from cnnstudio.ui.main_window import MainWindow
    from cnnstudio.ui.settings import Settings
    from cnnstudio.ui.style import apply_theme

    app = QApplication.instance() or QApplication([])
    apply_theme(app)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with private_folders() as home:
        cat = camera_clip(data.chelsea(), home / "chelsea.avi")
        coffee = camera_clip(data.coffee(), home / "coffee.avi")
        window = MainWindow(settings=Settings())
        window.resize(*SIZE)
        window.show()
        window.start()
        tab = window.tab("Webcam")
        loaded: list[object] = []
        tab.model_loaded.connect(loaded.append)
        window.show_tab("Webcam")
        wait_until(lambda: bool(loaded))

        play(tab, cat)
        wait_until(lambda: tab.feature_panel.view.image() is not None and bool(tab.pane.bars.predictions))
        pump(1500)
        written.append(save(window, out_dir / "webcam-classify.png"))

        tab.pane.grad_cam.setChecked(True)
        play(tab, coffee)
        wait_until(lambda: tab.pane.video.has_overlay() and tab.pane.bars.labels()[:1] == ["espresso"])
        pump(1500)
        written.append(save(window, out_dir / "webcam-gradcam.png"))
        tab.pane.grad_cam.setChecked(False)

        teach = tab.teach_panel
        tab.panels.setCurrentIndex(next(i for i in range(tab.panels.count()) if tab.panels.tabText(i) == "Teach"))
        teach.rename_class("Class 1", "cat")
        teach.rename_class("Class 2", "cup")
        for clip, row in zip((cat, coffee), teach.rows, strict=True):
            play(tab, clip)
            wait_until(lambda: tab.newest_frame() is not None)
            record(tab, row, 16)
        loaded.clear()
        teach.train()
        wait_until(lambda: bool(loaded))
        play(tab, cat)
        wait_until(lambda: tab.pane.bars.labels()[:1] == ["cat"])
        pump(1000)
        written.append(save(window, out_dir / "webcam-teach.png"))
        tab.stop()

        opened = window.open_pretrained()
        wait_until(lambda: opened.table.rowCount() > 0)
        opened.select("efficientnet_lite0")
        written.append(save(opened, out_dir / "pretrained-open.png"))
        opened.reject()

        compare = window.compare_pretrained()
        compare.resize(1440, 600)
        compare.repeats = 3
        wait_until(lambda: compare.table.rowCount() > 0)
        compare.include_missing.setChecked(True)
        ended: list[str] = []
        compare.timing_ended.connect(ended.append)
        compare.measure()
        wait_until(lambda: bool(ended), timeout=600)
        written.append(save(compare, out_dir / "pretrained-compare.png"))
        compare.close()
        window.shutdown()
        window.close()
    return written


def main(argv: list[str] | None = None) -> int:
    return run_main(render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
