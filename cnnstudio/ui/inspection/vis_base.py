"""What the attribution, synthesis, adversarial and embedding views have in common: they catch up with
the newest subject when they are shown (work for a hidden page is postponed), and they know the
layers of the subject's model."""

from __future__ import annotations

import weakref

from PySide6.QtWidgets import QComboBox, QWidget
from torch import nn

from cnnstudio.ui.inspection.runner import InspectRunner
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import InspectView
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


class LazyView(InspectView):
    """An InspectView that computes only while shown.

    `set_subject` calls `subject_changed(previous)` at once (to cancel or clear what no longer fits)
    and `refresh()` now if the view is visible, else the next time it is shown.
    """

    def __init__(self, runner: InspectRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self._stale = False

    def set_subject(self, subject: InspectSubject | None) -> None:
        previous = self.subject
        super().set_subject(subject)
        self.subject_changed(previous)
        self._stale = True
        if self.isVisible():
            self._catch_up()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._catch_up()

    def _catch_up(self) -> None:
        self._stale = False
        self.refresh()

    def model_changed(self, previous: InspectSubject | None) -> bool:
        """Whether the current subject's model differs from `previous`'s."""
        if previous is None or self.subject is None:
            return previous is not self.subject
        return (previous.classifier is not self.subject.classifier
                or previous.classifier.module is not self.subject.classifier.module)

    def subject_changed(self, previous: InspectSubject | None) -> None:
        """The subject was replaced (the view may be hidden): drop work and results that no longer fit."""

    def refresh(self) -> None:
        """Show the current subject (the view is visible)."""
