"""Penultimate features of many images, their 2-D projections, and nearest neighbours."""

import threading

import numpy as np
import pytest
import torch

from cnnstudio.data import ImageDataset
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.progress import Cancelled
from cnnstudio.viz.dataset_embedding import embed_dataset, sample_rows
from cnnstudio.viz.embedding import classifier_layer, extract_features, nearest_neighbours, project
from cnnstudio.viz.runtime import InspectError


def test_penultimate_features_of_a_dataset(lenet):
    assert classifier_layer(lenet, torch.zeros(1, 1, 28, 28)) == "fc3"
    batches = [(torch.randn(4, 1, 28, 28), torch.zeros(4)) for _ in range(3)]
    progress = []
    features = extract_features(lenet, batches, progress=progress.append, total=3)
    assert features.shape == (12, 84) and progress == pytest.approx([1 / 3, 2 / 3, 1.0])
    with torch.no_grad():
        expected = lenet.relu4(
            lenet.fc2(
                lenet.relu3(
                    lenet.fc1(
                        lenet.flatten(
                            lenet.pool2(lenet.relu2(lenet.conv2(lenet.pool1(lenet.relu1(lenet.conv1(batches[0][0]))))))
                        )
                    )
                )
            )
        )
    np.testing.assert_allclose(features[:4], expected.numpy(), rtol=1e-5, atol=1e-6)
    pooled = extract_features(lenet, [batch[0] for batch in batches], layer="conv2")
    assert pooled.shape == (12, 16)  # maps are averaged to one value per channel


def test_pretrained_features(efficientnet):
    assert classifier_layer(efficientnet, torch.zeros(1, 3, 32, 32)) == "_fc"
    assert extract_features(efficientnet, [torch.randn(2, 3, 64, 64)]).shape == (2, 1280)


def test_cancelling_feature_extraction(lenet):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        extract_features(lenet, [torch.zeros(1, 1, 28, 28)], cancel=cancel)


def test_projections_keep_groups_apart():
    rng = np.random.default_rng(0)
    groups = np.concatenate([rng.normal(0, 0.1, (20, 30)), rng.normal(3, 0.1, (20, 30))])
    for method in ("pca", "tsne"):
        points = project(groups, method, seed=0)
        assert points.shape == (40, 2)
        centre_a, centre_b = points[:20].mean(axis=0), points[20:].mean(axis=0)
        spread = max(points[:20].std(axis=0).max(), points[20:].std(axis=0).max())
        assert np.linalg.norm(centre_a - centre_b) > 3 * spread
    with pytest.raises(InspectError):
        project(groups[:2])


def test_nearest_neighbours():
    features = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 0.1], [-1.0, 0.0]])
    cosine = nearest_neighbours(features, np.array([1.0, 0.0]), k=2)
    assert cosine.indices.tolist() == [0, 2] and cosine.distances[0] == pytest.approx(0.0)
    euclidean = nearest_neighbours(features, np.array([0.0, 0.9]), k=1, metric="euclidean")
    assert euclidean.indices.tolist() == [1]
    with pytest.raises(InspectError):
        nearest_neighbours(features, np.zeros(3))


def test_embed_dataset_samples_places_the_input_and_reuses_known_features(lenet):
    spec = Preprocessing((1, 28, 28), (0.5,), (0.5,))
    generator = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (40, 1, 28, 28), dtype=torch.uint8, generator=generator)
    dataset = ImageDataset(images, torch.arange(40) % 4, ["a", "b", "c", "d"])
    x = spec.normalize(images[5:6])
    fractions = []
    embedding = embed_dataset(lenet, dataset, spec, x, limit=30, neighbours=3, progress=fractions.append)
    np.testing.assert_array_equal(embedding.rows, sample_rows(40, 30))
    assert embedding.points.shape == (30, 2) and embedding.placed_exactly and fractions[-1] == 1.0
    np.testing.assert_array_equal(embedding.labels, embedding.rows % 4)
    position = list(embedding.rows).index(5)
    assert embedding.neighbours.indices[0] == position  # the input is image 5 itself
    np.testing.assert_allclose(embedding.query, embedding.points[position], atol=1e-4)
    known = (embedding.rows, embedding.features)
    again = embed_dataset(lenet, dataset, spec, x, method="tsne", known=known, known_points=embedding.points)
    assert not again.placed_exactly and again.points is embedding.points
    np.testing.assert_array_equal(again.query, embedding.points[again.neighbours.indices[0]])


def test_sample_rows_keep_all_or_a_seeded_sorted_sample():
    np.testing.assert_array_equal(sample_rows(5, 10), np.arange(5))
    rows = sample_rows(100, 10, seed=2)
    assert len(rows) == 10 and np.all(np.diff(rows) > 0)
    np.testing.assert_array_equal(rows, sample_rows(100, 10, seed=2))
