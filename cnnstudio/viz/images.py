"""The inspector's predictions for an input, and the class a user names.

The input itself comes from the image pipeline (cnnstudio.data.pipeline: `Preprocessing.tensor`, shown
back with `display_image`); probabilities and top-k are cnnstudio.pretrained.predictions'.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from cnnstudio.data import ImageDataset
from cnnstudio.pretrained.predictions import Prediction, probabilities, top_predictions
from cnnstudio.viz.runtime import InspectError, forward


def predict(
    model: nn.Module, x: torch.Tensor, classes: Sequence[str] | None = None, *, top: int = 5, multilabel: bool = False
) -> list[Prediction]:
    """The `top` most probable classes for one input, most probable first (the model is run in eval
    mode and given back its own modes; its output may be scores or a final Softmax's probabilities;
    multilabel: a multi-label model's, each label's own sigmoid probability)."""
    return top_predictions(probabilities(forward(model, x), multilabel=multilabel)[0], classes, top)


def class_index(name_or_index: str | int, classes: Sequence[str] | None, count: int) -> int:
    """'3' or 'tabby' (case-insensitive) → a class index in range, with a clear error otherwise."""
    text = str(name_or_index).strip()
    if text.lstrip("-").isdigit():
        index = int(text)
    else:
        lowered = [str(name).lower() for name in classes or ()]
        if text.lower() not in lowered:
            hint = (
                f"classes include {', '.join(map(str, list(classes)[:8]))}"
                if classes
                else "this model has no class names, use an index"
            )
            raise InspectError(f"no class named {text!r}; {hint}")
        index = lowered.index(text.lower())
    if not 0 <= index < count:
        raise InspectError(f"class {index} is out of range: the model has {count} outputs")
    return index


def dataset_image(dataset: ImageDataset, index: int) -> np.ndarray:
    """Image `index` of a dataset as uint8 (H, W) grey or (H, W, 3) RGB pixels (a copy)."""
    image = dataset.images[index]
    return image[0].numpy().copy() if image.shape[0] == 1 else image[:3].permute(1, 2, 0).numpy().copy()
