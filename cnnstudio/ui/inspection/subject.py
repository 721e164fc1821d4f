"""What every view of the Inspect tab looks at: one model and one input image.

The tab owns the current `InspectSubject` and hands it to each view (`InspectView.set_subject`)
whenever the model, the image or the chosen class changes. Views never load models or images
themselves, so they all show the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cnnstudio.data import ImageDataset
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.pretrained.classifier import Classifier

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class InspectSubject:
    """The model and input the Inspect tab shows.

    classifier: the model (its `module` returns logits; `graph` is its design when it has one).
        Views run it on the inspector's worker thread only (see runner.TaskRunner), never on the
        GUI thread, and never train it.
    model_title: how the tab names the model ("LeNet-5 · trained, epoch 4").
    image: the input as the user sees it: uint8 pixels (H, W) or (H, W, 3), any size.
    x: the model's input for `image`: float32 [1, C, H, W], fitted and normalized (classifier.preprocessing.tensor).
    target: the class the class-specific views explain (the predicted one unless the user chose another).
    dataset: the validation images of the current data, when they fit this model (embedding, browsing).
    """

    classifier: Classifier
    model_title: str
    image: np.ndarray
    x: torch.Tensor
    target: int
    dataset: ImageDataset | None = None

    @property
    def spec(self) -> Preprocessing:
        return self.classifier.preprocessing

    @property
    def classes(self) -> list[str]:
        return self.classifier.classes
