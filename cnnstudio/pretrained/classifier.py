"""Classifier: a network ready to name what is in an image, whatever it was loaded from.

Its `module` always returns class scores (logits): designs that end in Softmax are built without it
(`build_module(graph, logits=True)`), so `predict` applies softmax exactly once. Its `preprocessing` is the
image pipeline that makes any picture or camera frame into the module's input (cnnstudio.data.pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import torch
from torch import nn

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.engine.device import device_of
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pretrained.predictions import Prediction, class_label, probabilities, top_predictions


@dataclass
class Classifier:
    """A ready classifier.

    module: the network in eval mode; returns logits [N, classes].
    classes: the label of each output.
    preprocessing: input shape, fitting, resampling and normalization (cnnstudio.data.pipeline).
    name: shown to the user ("EfficientNet-Lite0", "resnet18", a design's name).
    graph: the design when there is one (the Inspect tab lists its layers; transfer learning edits it);
        None for a module that cannot be represented as a design.
    source: the spec it was loaded from. notes: plain-language remarks about how it was loaded.
    trained_on: the data spec a trained run learnt from ("" when unknown); the drawing pad prepares a
        drawing the way that data was drawn (Quick Draw's doodles, say).
    """

    module: nn.Module
    classes: list[str]
    preprocessing: Preprocessing
    name: str
    graph: NetworkGraph | None = None
    source: str = ""
    notes: list[str] = field(default_factory=list)
    trained_on: str = ""

    def __post_init__(self) -> None:
        self.module.eval()

    @property
    def multilabel(self) -> bool:
        """Whether the outputs are independent labels (sigmoid per label) rather than classes (softmax)."""
        return self.graph is not None and self.graph.multilabel

    @property
    def input_shape(self) -> tuple[int, int, int]:
        return self.preprocessing.input_shape

    @property
    def mean(self) -> tuple[float, ...]:
        return self.preprocessing.mean

    @property
    def std(self) -> tuple[float, ...]:
        return self.preprocessing.std

    @property
    def resize(self) -> int:
        return self.preprocessing.resize

    @property
    def crop(self) -> tuple[int, int]:
        return self.preprocessing.crop

    @property
    def device(self) -> torch.device:
        return device_of(self.module)

    def to(self, device: torch.device | str) -> Classifier:
        """The same classifier with its module on `device` (the module is moved, not copied)."""
        return replace(self, module=self.module.to(device))

    def predict(self, batch: torch.Tensor | np.ndarray) -> torch.Tensor:
        """Class probabilities [N, classes] (float32, on the CPU) for a batch [N, C, H, W] or one image [C, H, W];
        a multi-label classifier's are each label's own probability.

        uint8 input is taken as pixels (0–255) at the input size and normalized here; floating-point
        input as already normalized (e.g. from `preprocessing.tensor` or `preprocessing.frame_tensor`).
        """
        x = torch.as_tensor(batch)
        if x.dim() == 3:
            x = x.unsqueeze(0)
        if x.dim() != 4 or tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"{self.name} takes images of shape {self.input_shape}, got {tuple(x.shape)}")
        device = self.device
        x = self.preprocessing.normalize(x, device) if x.dtype == torch.uint8 else x.to(device, torch.float32)
        with torch.inference_mode():
            logits = self.module(x)
        return probabilities(logits, logits=True, multilabel=self.multilabel).cpu()

    def top(self, probs: torch.Tensor, k: int = 5) -> list[Prediction]:
        """The k most probable classes of one probability vector, most probable first."""
        return top_predictions(probs, self.classes, k)

    def label(self, index: int) -> str:
        return class_label(index, self.classes)
