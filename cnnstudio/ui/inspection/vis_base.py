"""What the attribution, synthesis, adversarial and embedding views have in common: the layers of the
subject's model, listed once per model and offered in combo boxes. (Computing only while shown is
lazy_view.LazyView.)"""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import QComboBox
from torch import nn

from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.viz.activations import LayerInfo, list_layers

_LAYERS: weakref.WeakKeyDictionary[nn.Module, list[LayerInfo]] = weakref.WeakKeyDictionary()


def model_layers(subject: InspectSubject) -> list[LayerInfo]:
    """The layers of the subject's model (one forward pass the first time a model is seen).

    Call on the runner's thread only: it runs the model, and the runner runs one job at a time, so
    the cache needs no lock.
    """
    module = subject.classifier.module
    layers = _LAYERS.get(module)
    if layers is None:
        layers = list_layers(module, subject.x)
        _LAYERS[module] = layers
    return layers


def spatial_layers(layers: list[LayerInfo]) -> list[LayerInfo]:
    """Layers with 2-D maps whose module a hook can watch (what Grad-CAM and DeepDream can use)."""
    return [layer for layer in layers if layer.is_spatial and layer.hookable]


def describe_layer(layer: LayerInfo) -> str:
    """A layer as a combo box lists it: "conv2 · Conv2d · 16×10×10"."""
    return f"{layer.name} · {layer.kind} · {'×'.join(map(str, layer.shape))}"


def fill_layers(box: QComboBox, layers: list[LayerInfo], default: str | None) -> None:
    """List `layers` in a combo box (data: the layer name), keeping the chosen layer when the new list
    has it (the same design after another epoch), else selecting `default`."""
    chosen = box.currentData()
    box.blockSignals(True)
    box.clear()
    for layer in layers:
        box.addItem(describe_layer(layer), layer.name)
    index = box.findData(chosen)
    box.setCurrentIndex(index if index >= 0 else max(0, box.findData(default)))
    box.blockSignals(False)
