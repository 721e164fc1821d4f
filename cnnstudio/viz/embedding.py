"""What the network groups together: penultimate-layer features of many images, projected to 2-D
(PCA, t-SNE) to plot with their labels, and the nearest neighbours of an input in that feature space."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel
from cnnstudio.viz.activations import capture, layer_input
from cnnstudio.viz.runtime import InspectError, as_batch, evaluating, forward, hooks_removed

PROJECTIONS = ("pca", "tsne")


def classifier_layer(model: nn.Module, x: torch.Tensor) -> str:
    """The module that turns features into class scores: the last module with parameters and no
    children to run in a forward pass (a Linear, or the 1×1 convolution of an all-convolutional net)."""
    order: list[str] = []
    names = {module: name for name, module in model.named_modules() if name}
    with hooks_removed(
        module.register_forward_hook(lambda m, i, o: order.append(names[m]))
        for module in names
        if next(module.children(), None) is None and next(module.parameters(recurse=False), None) is not None
    ):
        forward(model, x)
    if not order:
        raise InspectError("the model has no layer with weights")
    return order[-1]


def extract_features(
    model: nn.Module,
    batches: Iterable[torch.Tensor | tuple | list],
    *,
    layer: str | None = None,
    progress: FractionProgress | None = None,
    total: int | None = None,
    cancel: CancelFlag | None = None,
) -> np.ndarray:
    """Feature vectors (N, D) for every image of `batches` (tensors (B, C, H, W), or (images, labels)
    pairs as a DataLoader yields them).

    layer=None takes the input of the classifier layer (the penultimate features); a named layer takes
    its output, global-average-pooled when it is a stack of maps. `progress(fraction)` needs `total`
    (the number of batches); a set `cancel` raises Cancelled between batches.
    """
    features: list[np.ndarray] = []
    classifier = layer
    with evaluating(model), torch.no_grad():
        for index, batch in enumerate(batches):
            check_cancel(cancel)
            images = as_batch(batch[0] if isinstance(batch, tuple | list) else batch, model)
            if layer is not None:
                value = capture(model, images, [layer])[layer]
            else:
                classifier = classifier or classifier_layer(model, images[:1])
                value = layer_input(model, images, classifier)
            features.append((value.mean(dim=(2, 3)) if value.dim() == 4 else value).flatten(1).float().cpu().numpy())
            if progress is not None and total:
                progress(min((index + 1) / total, 1.0))
    if not features:
        raise InspectError("no images to embed")
    return np.concatenate(features)


def project(features: np.ndarray, method: str = "pca", *, seed: int = 0) -> np.ndarray:
    """(N, D) features → (N, 2) points. t-SNE first reduces to 50 dimensions with PCA (the usual
    practice: faster and less noisy) and uses a perplexity suited to N."""
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if method not in PROJECTIONS:
        raise InspectError(f"method must be one of {', '.join(PROJECTIONS)}, not {method!r}")
    features = np.asarray(features, dtype=np.float64)
    count = features.shape[0]
    if count < 3:
        raise InspectError("projecting needs at least 3 images")
    if method == "pca" or features.shape[1] <= 2:
        points = PCA(n_components=min(2, features.shape[1]), random_state=seed).fit_transform(features)
        return np.pad(points, ((0, 0), (0, 2 - points.shape[1])))
    if features.shape[1] > 50 and count > 50:
        features = PCA(n_components=50, random_state=seed).fit_transform(features)
    perplexity = float(min(30.0, max(1.0, (count - 1) / 3)))
    return TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(features)


@dataclass(frozen=True)
class Neighbours:
    indices: np.ndarray  # (k,) rows of the feature matrix, nearest first
    distances: np.ndarray  # (k,)


def nearest_neighbours(features: np.ndarray, query: np.ndarray, k: int = 5, *, metric: str = "cosine") -> Neighbours:
    """The k rows of `features` closest to the vector `query` (cosine or euclidean distance)."""
    features = np.asarray(features, dtype=np.float64)
    query = np.asarray(query, dtype=np.float64).reshape(-1)
    if features.ndim != 2 or features.shape[1] != query.size:
        raise InspectError(f"the query has {query.size} features, the set has {features.shape[-1]}")
    if metric == "cosine":
        norms = np.linalg.norm(features, axis=1) * np.linalg.norm(query)
        distances = 1.0 - (features @ query) / np.where(norms > 0, norms, 1.0)
    elif metric == "euclidean":
        distances = np.linalg.norm(features - query, axis=1)
    else:
        raise InspectError(f"metric must be 'cosine' or 'euclidean', not {metric!r}")
    order = np.argsort(distances, kind="stable")[:k]
    return Neighbours(order, distances[order])
