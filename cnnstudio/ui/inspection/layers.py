"""The layers of the model being inspected, listed once per model (one forward pass) and shared by the
views. Called on the inspector's worker thread only (see runner.TaskRunner)."""

from __future__ import annotations

import weakref

import torch
from torch import nn

from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.viz.activations import LayerInfo, list_layers

_CACHE: weakref.WeakKeyDictionary[nn.Module, list[LayerInfo]] = weakref.WeakKeyDictionary()

CONV_KINDS = ("Conv2d",)
POOL_KINDS = ("MaxPool2d", "AvgPool2d", "AdaptiveMaxPool2d", "AdaptiveAvgPool2d")


def layers_of(classifier: Classifier) -> list[LayerInfo]:
    """Every inspectable layer of the classifier's module, in forward order, with its output shape."""
    module = classifier.module
    if module not in _CACHE:
        _CACHE[module] = list_layers(module, torch.zeros(1, *classifier.input_shape))
    return _CACHE[module]


def explainable(layer: LayerInfo) -> bool:
    """A convolution or pooling layer with 2-D output, whose arithmetic the Arithmetic view can show."""
    return layer.hookable and len(layer.shape) == 3 and layer.kind in CONV_KINDS + POOL_KINDS
