"""The Embedding view: one point per validation image coloured by class, the current input placed by the
same projection, its nearest neighbours listed, thumbnails on hover, features kept between projections."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, QPointF
from PySide6.QtTest import QTest
from sklearn.decomposition import PCA

from cnnstudio.data import ImageDataset, load_data
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.designs import classifier_from_design
from cnnstudio.pretrained.resolve import load_classifier
from cnnstudio.ui.inspection.data.embedding_view import EmbeddingView, class_colour
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.viz import dataset_embedding
from cnnstudio.viz.images import predict


@pytest.fixture(scope="module")
def digits() -> ImageDataset:
    """The validation images of the bundled digits, fitted to LeNet's 28×28 input as the Data tab does."""
    return load_data("digits", input_shape=(1, 28, 28)).val


@pytest.fixture
def lenet(digits) -> Classifier:
    torch.manual_seed(0)
    return classifier_from_design(load_template("lenet5"), classes=digits.classes)


def subject_for(classifier: Classifier, image: np.ndarray, dataset: ImageDataset | None) -> InspectSubject:
    x = classifier.preprocessing.tensor(image)
    target = predict(classifier.module, x, classifier.classes, top=1)[0].index
    return InspectSubject(classifier, classifier.name, image, x, target, dataset)


@pytest.fixture
def view(qtbot):
    runner = TaskRunner("cnnstudio-inspect")
    view = EmbeddingView(runner)
    view.resize(1100, 760)
    qtbot.addWidget(view)
    view.show()
    yield view
    view.shutdown()
    runner.shutdown()


def wait_embedding(qtbot, view, method: str = "pca") -> None:
    qtbot.waitUntil(
        lambda: view.embedding is not None and view.embedding.method == method and not view.runner.is_busy(),
        timeout=30000,
    )
    assert not view.status.is_error, view.status.message


def test_one_point_per_image_coloured_by_class_and_the_neighbours(qtbot, view, lenet, digits):
    image = digits.images[7, 0].numpy()
    view.set_subject(subject_for(lenet, image, digits))
    wait_embedding(qtbot, view)
    spots = view.points.points()
    assert len(spots) == len(digits) == 359
    for spot in spots[:40]:
        label = int(digits.labels[int(view.embedding.rows[spot.data()])])
        assert spot.brush().color().name() == class_colour(label, 10).name()
    assert view.legend_entries == digits.classes
    # the input is one of the validation images: its nearest neighbour is itself, at distance 0
    neighbours = view.embedding.neighbours
    assert len(view.neighbour_thumbnails) == 8
    assert view.embedding.rows[neighbours.indices[0]] == 7 and neighbours.distances[0] == pytest.approx(0, abs=1e-6)
    assert list(neighbours.distances) == sorted(neighbours.distances)
    captions = [thumbnail.pane.caption_text for thumbnail in view.neighbour_thumbnails]
    assert captions[0].startswith(digits.classes[int(digits.labels[7])] + " · ")
    # PCA places the input exactly: with the same projection as the validation images
    pca = PCA(n_components=2, random_state=0).fit(view.embedding.features)
    expected = pca.transform(view.embedding.features[neighbours.indices[:1]])[0]
    np.testing.assert_allclose(view.embedding.query, expected, atol=1e-4)
    np.testing.assert_allclose(view.star.points()[0].pos().x(), expected[0], atol=1e-4)
    assert "placed by the same projection" in view.summary.text()
    assert view.neighbour_count.value() == 8
    view.neighbour_count.setValue(3)
    qtbot.waitUntil(lambda: len(view.neighbour_thumbnails) == 3 and not view.runner.is_busy(), timeout=10000)


def test_t_sne_reuses_the_features(qtbot, view, lenet, digits, monkeypatch):
    view.limit.setValue(120)
    view.set_subject(subject_for(lenet, digits.images[0, 0].numpy(), digits))
    wait_embedding(qtbot, view)
    assert len(view.embedding.rows) == 120
    calls = []
    extract = dataset_embedding.extract_features
    monkeypatch.setattr(
        dataset_embedding,
        "extract_features",
        lambda model, batches, **kwargs: calls.append(1) or extract(model, batches, **kwargs),
    )
    view.method_box.setCurrentIndex(view.method_box.findData("tsne"))
    wait_embedding(qtbot, view, "tsne")
    assert calls == [1]  # only the current input's features; the validation images' were kept
    nearest = view.embedding.neighbours.indices[0]
    np.testing.assert_allclose(view.embedding.query, view.embedding.points[nearest])
    assert "t-SNE cannot place a new point" in view.summary.text()
    view.method_box.setCurrentIndex(view.method_box.findData("pca"))
    wait_embedding(qtbot, view, "pca")
    assert view.status.message.startswith("Done") and len(calls) == 2  # the PCA points were kept as well


def test_hovering_a_point_shows_its_image(qtbot, view, lenet, digits):
    view.set_subject(subject_for(lenet, digits.images[3, 0].numpy(), digits))
    wait_embedding(qtbot, view)
    spot = view.points.points()[17]
    scene = view.plot.plotItem.vb.mapViewToScene(QPointF(spot.pos()))
    QTest.mouseMove(view.plot.viewport(), view.plot.mapFromScene(scene) + QPoint(0, 0))
    qtbot.waitUntil(lambda: view.hovered_row is not None, timeout=5000)
    row = view.hovered_row
    assert view.hover_pane.pixels is not None and f"validation image {row}" in view.hover_pane.caption_text
    assert digits.classes[int(digits.labels[row])] in view.hover_pane.caption_text


def test_without_data_the_view_says_where_to_choose_it(qtbot, view, lenet, digits):
    view.set_subject(subject_for(lenet, digits.images[0, 0].numpy(), None))
    assert view.message.isVisible() and "Data tab" in view.message.text()
    assert not view.content.isVisible() and not view.runner.is_busy()


def test_the_pretrained_network_groups_photos(qtbot, view):
    from skimage import data

    efficientnet = load_classifier("efficientnet_lite0")
    photos = [data.chelsea(), data.coffee(), data.astronaut()]
    crops = [
        Preprocessing((3, 96, 96), (0.0,), (1.0,)).tensor(photo[top : top + 200, left : left + 200])[0]
        for photo in photos
        for top, left in ((0, 0), (50, 50), (90, 20), (20, 90))
    ]
    images = (torch.stack(crops) * 255).round().to(torch.uint8)
    dataset = ImageDataset(images, torch.arange(3).repeat_interleave(4), ["cat", "coffee", "astronaut"], "photos")
    view.set_subject(subject_for(efficientnet, data.chelsea(), dataset))
    wait_embedding(qtbot, view)
    assert view.embedding.features.shape == (12, 1280)  # the 96×96 crops were resized to 224×224
    nearest = [int(dataset.labels[int(view.embedding.rows[i])]) for i in view.embedding.neighbours.indices[:3]]
    assert nearest == [0, 0, 0]  # the whole cat photo is nearest to the crops of the cat
