"""Nothing in the pretrained tests downloads: torchvision weights are looked up in a temporary, empty
torch cache (photos and EfficientNet-Lite0 come from tests/conftest.py)."""

import pytest


@pytest.fixture(autouse=True)
def empty_torch_cache(torch_cache):
    return torch_cache
