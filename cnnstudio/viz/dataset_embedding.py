"""The inspector's embedding of a validation set: the penultimate features of (a random sample of) its
images, projected to 2-D, with the current input placed among them and its nearest neighbours.

Features are the slow part; `embed_dataset` takes those (and a projection) computed before so a view can
keep them while only the projection, the distance or the input changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.data import ImageDataset, fit_images
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel
from cnnstudio.viz.embedding import Neighbours, extract_features, nearest_neighbours, project

BATCH = 64
EXTRACTION_SHARE = 0.8  # of the progress, while features are extracted (the projection takes the rest)


def sample_rows(count: int, limit: int, seed: int = 0) -> np.ndarray:
    """All rows when there are at most `limit`, else `limit` of them chosen at random (seeded), in order."""
    if count <= limit:
        return np.arange(count)
    generator = torch.Generator().manual_seed(seed)
    return np.sort(torch.randperm(count, generator=generator)[:limit].numpy())


def model_batches(images: torch.Tensor, spec: Preprocessing) -> Iterator[torch.Tensor]:
    """uint8 [N, C, H, W] images → the model's normalized input, BATCH at a time (resized when needed)."""
    if tuple(images.shape[1:]) != spec.input_shape:
        images, _notes = fit_images(images, spec.input_shape)
    for start in range(0, len(images), BATCH):
        yield spec.normalize(images[start : start + BATCH])


def pca_position(features: np.ndarray, points: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Where the PCA projection that gave `points` puts a new feature vector.

    PCA is a linear map of the centred features, so the least-squares solution of centred @ M = points
    (the minimum-norm one, which lies in the features' span like PCA's components) is that map.
    """
    mean = features.mean(axis=0)
    mapping, *_ = np.linalg.lstsq(features - mean, points - points.mean(axis=0), rcond=None)
    return (query - mean) @ mapping + points.mean(axis=0)


@dataclass(frozen=True)
class Embedding:
    rows: np.ndarray  # dataset rows, one per point
    labels: np.ndarray  # their classes
    features: np.ndarray
    method: str
    points: np.ndarray  # (N, 2)
    query: np.ndarray  # (2,) where the current input is shown
    neighbours: Neighbours  # indices into rows
    placed_exactly: bool  # False: t-SNE cannot place a new point; the query sits on its nearest neighbour


def embed_dataset(
    model: nn.Module,
    dataset: ImageDataset,
    spec: Preprocessing,
    x: torch.Tensor,
    *,
    method: str = "pca",
    limit: int = 500,
    neighbours: int = 8,
    metric: str = "cosine",
    known: tuple[np.ndarray, np.ndarray] | None = None,
    known_points: np.ndarray | None = None,
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> Embedding:
    """Embed at most `limit` images of `dataset` (chosen at random) with `method` and place input x among
    them. known: (rows, features) from an earlier call with the same model, dataset and limit;
    known_points: the `method` projection of those features."""
    report = progress or (lambda fraction: None)
    if known is None:
        rows = sample_rows(len(dataset), limit)
        features = extract_features(
            model,
            model_batches(dataset.images[torch.from_numpy(rows)], spec),
            total=-(-len(rows) // BATCH),
            cancel=cancel,
            progress=lambda fraction: report(EXTRACTION_SHARE * fraction),
        )
    else:
        rows, features = known
    check_cancel(cancel)
    points = known_points if known_points is not None else project(features, method)
    query = extract_features(model, [x])[0]
    nearest = nearest_neighbours(features, query, neighbours, metric=metric)
    exact = method == "pca"
    where = pca_position(features, points, query) if exact else points[nearest.indices[0]]
    report(1.0)
    labels = dataset.labels[torch.from_numpy(rows)].numpy()
    return Embedding(rows, labels, features, method, points, where, nearest, exact)


# Tableau's ten categorical colours (the Embedding view's); more classes get evenly spaced hues.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def class_colour(index: int, count: int) -> tuple[int, int, int]:
    """The colour of class `index` of `count`, as (r, g, b)."""
    import colorsys

    if count <= len(PALETTE):
        code = PALETTE[index]
        return int(code[1:3], 16), int(code[3:5], 16), int(code[5:7], 16)
    red, green, blue = colorsys.hsv_to_rgb(index / count, 0.8, 0.85)
    return round(red * 255), round(green * 255), round(blue * 255)


def embedding_picture(embedding: Embedding, classes: list[str], *, size: int = 640) -> np.ndarray:
    """The embedding as a scatter plot (uint8 RGB): a dot per image in its class's colour, the input as a
    black ring, a legend of the classes on the right."""
    from PIL import Image, ImageDraw

    legend = 12 + 8 * max((len(name) for name in classes), default=0)
    picture = Image.new("RGB", (size + legend, size), "white")
    draw = ImageDraw.Draw(picture)
    everything = np.vstack([embedding.points, embedding.query[None]])
    low, high = everything.min(axis=0), everything.max(axis=0)
    margin = 16

    def place(point: np.ndarray) -> tuple[float, float]:
        x, y = (point - low) / np.where(high > low, high - low, 1.0)
        return margin + x * (size - 2 * margin), size - margin - y * (size - 2 * margin)

    for point, label in zip(embedding.points, embedding.labels, strict=True):
        x, y = place(point)
        draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=class_colour(int(label), len(classes)))
    x, y = place(embedding.query)
    draw.ellipse((x - 7, y - 7, x + 7, y + 7), outline="black", width=3)
    for index, name in enumerate(classes[: (size - margin) // 14]):
        top = margin + 14 * index
        draw.rectangle((size, top + 2, size + 8, top + 10), fill=class_colour(index, len(classes)))
        draw.text((size + 12, top), name, fill="black")
    return np.asarray(picture)
