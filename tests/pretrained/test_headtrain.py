"""Training only the head on features extracted once by the frozen backbone."""

import pytest
import torch

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.pretrained import (
    ModelLoadError,
    extract_features,
    split_at_head,
    train_head,
)
from cnnstudio.pretrained.headtrain import accuracy
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.importer import import_torchvision
from tests.pytorch.helpers import chain


def test_backbone_then_head_is_the_whole_network(lite0):
    parts = split_at_head(lite0.graph, lite0.module.state_dict(), "fc")
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(parts.head(parts.backbone(x)), lite0.module(x), atol=1e-5)
    assert [name for name, _ in parts.head.named_children()] == ["fc"]


def test_a_convolutional_head_keeps_the_layers_after_it():
    result = import_torchvision("squeezenet1_1", pretrained="none")  # ends Conv2d → ReLU → pool → flatten
    torch.manual_seed(0)
    whole = build_module(result.graph, logits=True)
    state = whole.state_dict()
    parts = split_at_head(result.graph, state, "classifier_1")
    assert len(parts.head) == 4 and type(parts.head[-1]).__name__ == "Flatten"
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(parts.head(parts.backbone(x)), whole.eval()(x), atol=1e-5)


def test_a_head_followed_by_layers_with_weights_is_refused():
    graph = chain((3, 8, 8), ("Flatten", {}), ("Linear", {"out_features": 5}), ("Linear", {"out_features": 2}))
    state = build_module(graph).state_dict()
    with pytest.raises(ModelLoadError, match="fc2 after fc1 have weights"):
        split_at_head(graph, state, "fc1")


def test_features_come_from_normalized_pixels():
    backbone = chain((3, 4, 4), ("Flatten", {}))
    module = build_module(backbone)
    prep = Preprocessing((3, 4, 4), (0.5,), (0.5,))
    images = torch.full((5, 3, 4, 4), 255, dtype=torch.uint8)
    reports = []
    features = extract_features(module, images, prep, batch_size=2, progress=lambda m, f: reports.append(f))
    assert features.shape == (5, 48) and torch.allclose(features, torch.ones(5, 48))
    assert reports == [0.4, 0.8, 1.0]


def test_the_head_learns_separable_features_reproducibly():
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(60) % 3
    features = torch.randn(60, 16, generator=generator) + 4 * torch.nn.functional.one_hot(labels, 16).float()

    def fresh_head():
        torch.manual_seed(0)
        return torch.nn.Linear(16, 3)

    head = fresh_head()
    losses = train_head(head, features, labels, epochs=60, lr=1e-2, seed=1)
    assert losses[-1] < losses[0] / 10 and accuracy(head, features, labels) == 1.0
    assert not head.training
    assert train_head(fresh_head(), features, labels, epochs=60, lr=1e-2, seed=1) == losses
    with pytest.raises(ValueError, match="as many labels"):
        train_head(head, features, labels[:5])
