"""Grad-CAM & saliency: which parts of the input the prediction rests on, as a heat map over the image.

The heat map is computed on the inspector's runner (cnnstudio.viz.attribution); opacity and colours
re-blend the last map on the GUI thread without running the model again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QWidget,
)

from cnnstudio.data.pipeline import display_image
from cnnstudio.pretrained.predictions import class_label
from cnnstudio.ui.inspection.controls import ClassCombo, StatusTask, TaskStatus, fill_layers, layer_combo
from cnnstudio.ui.inspection.image_widgets import ColorScale, ImagePane
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import LazyView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import muted
from cnnstudio.ui.widgets.panes import horizontal, vertical
from cnnstudio.viz.activations import spatial_layers
from cnnstudio.viz.attribution import Explained, explain_class, raw_picture
from cnnstudio.viz.colormaps import overlay
from cnnstudio.viz.tiles import enlarged

KEY = "attribution"
OVERLAY_SIDE = 224  # small model inputs are enlarged (crisp pixels) to this before the heat is blended on
COLORMAPS = ("jet", "turbo", "inferno", "viridis")


@dataclass(frozen=True)
class Method:
    key: str
    title: str
    uses_layer: bool
    explanation: str


METHODS = (
    Method(
        "gradcam",
        "Grad-CAM",
        True,
        "Grad-CAM weighs each map of the chosen layer by how much the class "
        "score grows with it, adds them up and keeps the positive part.",
    ),
    Method(
        "gradcam++",
        "Grad-CAM++",
        True,
        "Grad-CAM++ weighs each position of each map separately, which "
        "often covers all of an object when it appears several times.",
    ),
    Method(
        "scorecam",
        "Score-CAM",
        True,
        "Score-CAM masks the image with each map of the layer in turn and "
        "weighs the map by the class score of what it lets through: no gradients, but one run of the network "
        "per map, so wide layers take a while.",
    ),
    Method(
        "occlusion",
        "Occlusion",
        False,
        "Occlusion covers the image with a grey square at every position "
        "and shows how much the class score drops (red: the score fell, blue: it rose).",
    ),
    Method(
        "gradient",
        "Saliency (gradient)",
        False,
        "Saliency shows how strongly each pixel changes the class "
        "score: the size of the gradient of the score with respect to the pixel.",
    ),
    Method(
        "guided",
        "Guided backprop",
        False,
        "Guided backpropagation lets only positive gradients pass back "
        "through the ReLUs, which gives crisper edges than the plain gradient.",
    ),
)


@dataclass(frozen=True)
class _Request:
    method: Method
    layer: str | None  # None: the default target layer
    target: int
    patch: int
    stride: int


def _compute(subject: InspectSubject, request: _Request, task: Task) -> Explained:
    """Runs on the runner's thread."""
    return explain_class(
        subject.classifier.module,
        subject.x,
        request.method.key,
        request.target,
        layer=request.layer,
        patch=request.patch,
        stride=request.stride,
        progress=task.report,
        cancel=task.cancel,
        multilabel=subject.classifier.multilabel,
    )


class AttributionView(LazyView):
    """Grad-CAM, Grad-CAM++, occlusion and saliency maps of one class, over the input image."""

    title = "Grad-CAM & saliency"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.result: Explained | None = None
        self._base: np.ndarray | None = None  # the input as the model saw it, enlarged for blending
        self._layers_of = None  # the module whose layers the layer box lists

        self.method_box = QComboBox()
        for method in METHODS:
            self.method_box.addItem(method.title, method.key)
            self.method_box.setItemData(self.method_box.count() - 1, method.explanation, Qt.ToolTipRole)
        self.layer_box = layer_combo("The layer whose maps Grad-CAM weighs (default: the last one with 2-D maps)", 22)
        self.class_box = ClassCombo()
        self.class_box.setToolTip("The class explained (the tab's class unless you pick another here)")
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(50)
        self.opacity.setFixedWidth(140)
        self.opacity_label = QLabel()
        self.opacity_label.setMinimumWidth(36)
        self.colormap_box = QComboBox()
        self.colormap_box.addItems(COLORMAPS)
        self.patch = QSpinBox()
        self.patch.setSuffix(" px")
        self.patch.setToolTip("Side of the grey square that covers the image")
        self.stride = QSpinBox()
        self.stride.setSuffix(" px")
        self.stride.setToolTip("Step between the square's positions")

        self.explained = QLabel()
        self.explained.setWordWrap(True)
        self.explanation = muted()
        self.overlay_pane = ImagePane(placeholder="No image yet")
        self.raw_pane = ImagePane(placeholder="")
        self.status = TaskStatus()
        self.task = StatusTask(runner, KEY, METHODS[0].title, self.status)  # the action: the method chosen
        self._build_layout()

        self.method_box.currentIndexChanged.connect(self._method_changed)
        self.layer_box.activated.connect(lambda _index: self.recompute())
        self.class_box.class_chosen.connect(lambda _index: self.recompute())
        self.patch.valueChanged.connect(lambda _value: self.recompute())
        self.stride.valueChanged.connect(lambda _value: self.recompute())
        self.opacity.valueChanged.connect(lambda _value: self._blend())
        self.colormap_box.currentIndexChanged.connect(lambda _index: self._blend())
        self.status.cancel_requested.connect(
            lambda: self.task.cancel("Cancelled: the picture shows the previous settings.")
        )
        self._method_changed()

    def _build_layout(self) -> None:
        controls = QGridLayout()
        controls.setHorizontalSpacing(8)
        row = [("Method", self.method_box), ("Layer", self.layer_box), ("Class", self.class_box)]
        for column, (text, widget) in enumerate(row):
            controls.addWidget(QLabel(text), 0, 2 * column, Qt.AlignRight)
            controls.addWidget(widget, 0, 2 * column + 1)
        opacity = QHBoxLayout()
        opacity.addWidget(self.opacity)
        opacity.addWidget(self.opacity_label)
        occlusion_box = QHBoxLayout()
        for text, widget in (("Patch", self.patch), ("Stride", self.stride)):
            occlusion_box.addWidget(QLabel(text))
            occlusion_box.addWidget(widget)
            occlusion_box.addSpacing(8)
        occlusion_box.addStretch(1)
        controls.addWidget(QLabel("Opacity"), 1, 0, Qt.AlignRight)
        controls.addLayout(opacity, 1, 1)
        controls.addWidget(QLabel("Colours"), 1, 2, Qt.AlignRight)
        controls.addWidget(self.colormap_box, 1, 3)
        controls.addWidget(QLabel("Occlusion"), 1, 4, Qt.AlignRight)
        controls.addLayout(occlusion_box, 1, 5)
        controls.setColumnStretch(6, 1)

        panes = horizontal([(self.overlay_pane, 1), (self.raw_pane, 1)])
        vertical(self, [controls, self.explained, self.explanation, (panes, 1), self.status])

    # ----- what is shown
    @property
    def method(self) -> Method:
        return METHODS[self.method_box.currentIndex()]

    def overlay_image(self) -> np.ndarray | None:
        """The picture in the overlay pane (the heat map blended over the input)."""
        return self.overlay_pane.pixels

    def subject_changed(self, previous: InspectSubject | None) -> None:
        subject = self.subject
        if subject is None:
            self.task.stop()
            self.result, self._base = None, None
            self.overlay_pane.set_image(None)
            self.overlay_pane.set_placeholder("Nothing to explain: choose a model and an image")
            self.raw_pane.set_image(None)
            self.raw_pane.set_scale(None)
            self.overlay_pane.set_scale(None)
            self.explained.setText("")
            self.status.finished("")
            return
        if self.model_changed(previous):
            self.class_box.follow_classes(subject.classes, subject.target)
            self._layers_of = None
            side = min(subject.spec.height, subject.spec.width)
            if self.patch.maximum() != side:
                self._set_occlusion_ranges(side)
        self.class_box.set_class(subject.target)
        self._base = enlarged(display_image(subject.x, subject.spec), OVERLAY_SIDE)

    def refresh(self) -> None:
        self.recompute()

    def _set_occlusion_ranges(self, side: int) -> None:
        for spin, default in ((self.patch, max(2, side // 7)), (self.stride, max(1, side // 14))):
            spin.blockSignals(True)
            spin.setRange(1, side)
            spin.setValue(default)
            spin.blockSignals(False)

    def _method_changed(self) -> None:
        method = self.method
        self.task.action = method.title
        self.layer_box.setEnabled(method.uses_layer)
        self.patch.setEnabled(method.key == "occlusion")
        self.stride.setEnabled(method.key == "occlusion")
        self.explanation.setText(method.explanation)
        self.recompute()

    # ----- computing
    def recompute(self) -> None:
        """Ask the runner for the heat map of the current settings (the newest request wins)."""
        subject = self.subject_to_compute()
        if subject is None:
            return
        target = self.class_box.current_class()
        request = _Request(
            self.method,
            self.layer_box.currentData(),
            subject.target if target is None else target,
            self.patch.value(),
            self.stride.value(),
        )
        self.task.submit(
            f"Computing {request.method.title} for '{class_label(request.target, subject.classes)}' …",
            lambda task: _compute(subject, request, task),
            self._show,
        )

    def _show(self, result: Explained) -> None:
        subject = self.subject
        if subject is None:
            return
        self.result = result
        attribution = result.attribution
        if self._layers_of is not subject.classifier.module:
            fill_layers(self.layer_box, spatial_layers(result.layers), attribution.layer)
            self._layers_of = subject.classifier.module
        if attribution.layer is not None:
            self.layer_box.setCurrentIndex(max(0, self.layer_box.findData(attribution.layer)))
        method = next(method for method in METHODS if method.key == attribution.method)
        where = f" at layer {attribution.layer}" if attribution.layer else ""
        self.explained.setText(
            f"Explaining <b>{html.escape(class_label(attribution.target, subject.classes))}</b> "
            f"(class {attribution.target}, {result.probability:.0%}) with {method.title}{where}"
        )
        picture, low, high, colormap = raw_picture(attribution.raw, signed=method.key == "occlusion")
        self.raw_pane.set_image(picture)
        size = "×".join(map(str, attribution.raw.shape))
        self.raw_pane.set_caption(f"The method's own map ({size})")
        self.raw_pane.set_scale(ColorScale(colormap, low, high, _raw_unit(method)))
        self._blend()
        self.status.finished(
            f"{method.title}{where}: the brightest part of the heat map is what "
            f"'{class_label(attribution.target, subject.classes)}' rests on most."
        )

    def _blend(self) -> None:
        """Blend the last heat map over the input at the chosen opacity (GUI thread, no model run)."""
        opacity = self.opacity.value() / 100
        self.opacity_label.setText(f"{opacity:.0%}")
        if self.result is None or self._base is None:
            return
        colormap = self.colormap_box.currentText()
        self.overlay_pane.set_image(
            overlay(self._base, self.result.attribution.heat, opacity=opacity, colormap=colormap)
        )
        self.overlay_pane.set_caption("Heat map over the input the model saw")
        self.overlay_pane.set_scale(ColorScale(colormap, 0.0, 1.0, "relative importance"))

    def shutdown(self) -> None:
        self.task.stop()


def _raw_unit(method: Method) -> str:
    if method.uses_layer:
        return "weighted sum of the layer's maps"
    if method.key == "occlusion":
        return "drop of the class score"
    return "|∂ score / ∂ pixel|"
