"""The Inspect tab: look inside the network.

Left: the model chooser, the input (dataset, file, webcam snapshot or drawing pad) and the predicted
classes. Centre: the views, one page each (feature maps, filters, the arithmetic, …). Right: a small
copy of the network; clicking a layer shows it in the current view.

The tab owns the current InspectSubject (model + image + the class to explain) and hands it to every
view. The model, the image and the predictions are computed on the shared TaskRunner, so nothing
heavy runs on the GUI thread and no two computations ever touch the model at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from cnnstudio.data import ImageDataset
from cnnstudio.data.drawing import digit_style_for, drawing_input
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui.inspection.arithmetic.arithmetic_view import ArithmeticView
from cnnstudio.ui.inspection.arithmetic.grid_editor import GridEditorView
from cnnstudio.ui.inspection.attribution.adversarial_view import AdversarialView
from cnnstudio.ui.inspection.attribution.attribution_view import AttributionView
from cnnstudio.ui.inspection.controls import StatusLine, scrolling
from cnnstudio.ui.inspection.data.embedding_view import EmbeddingView
from cnnstudio.ui.inspection.formatting import error_message
from cnnstudio.ui.inspection.inputs import DATASET, DRAW, InputPanel, is_image_file
from cnnstudio.ui.inspection.maps.featuremaps_view import FeatureMapsView
from cnnstudio.ui.inspection.maps.filters_view import FiltersView
from cnnstudio.ui.inspection.model_source import ModelSource
from cnnstudio.ui.inspection.network_map import NetworkMap
from cnnstudio.ui.inspection.predictions import PredictionsPanel, rows_to_show
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.synthesis.synthesis_view import SynthesisView
from cnnstudio.ui.inspection.view_base import InspectView
from cnnstudio.ui.session import ModelChoice
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import heading
from cnnstudio.ui.widgets.panes import column, side_by_side
from cnnstudio.viz.activations import LayerInfo, model_layers
from cnnstudio.viz.images import predict

if TYPE_CHECKING:
    import torch

# The pages, in order. Each is an InspectView created with the tab's runner.
VIEW_CLASSES: tuple[type[InspectView], ...] = (
    FeatureMapsView,
    FiltersView,
    ArithmeticView,
    AttributionView,
    SynthesisView,
    AdversarialView,
    EmbeddingView,
    GridEditorView,
)
DEFAULT_SIZES = [310, 920, 200]
PREDICT_KEY, LAYERS_KEY = "predictions", "network map"


class InspectTab(StudioTab):
    title = "Inspect"

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.runner = TaskRunner("cnnstudio-inspect", self)
        self.model: ModelChoice | None = None
        self.image: np.ndarray | None = None
        self.drawn = False  # whether `image` is the drawing pad's (prepared as the training digits were)
        self.chosen_target: int | None = None  # None: explain the predicted class
        self.subject: InspectSubject | None = None
        self._predictions: list[Prediction] = []
        self._prepared: tuple[np.ndarray, torch.Tensor] | None = None  # the image the predictions are for

        self.model_source = ModelSource(context, self.runner)
        self.inputs = InputPanel(context, self.runner)
        self.predictions = PredictionsPanel()
        self.network_map = NetworkMap()
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        # A page's view is built the first time it is shown or asked for (`view`): building all eight
        # (with their plots) would cost the window's start-up a noticeable fraction of a second.
        self._built: dict[type[InspectView], InspectView] = {}
        self._holders: list[QScrollArea] = []
        for view_class in VIEW_CLASSES:
            # Each page scrolls when the window is smaller than the page would like, so no page sets a
            # minimum size for the whole window.
            holder = scrolling()
            self._holders.append(holder)
            self.pages.addTab(holder, view_class.title.replace("&", "&&"))  # a lone & would underline a shortcut
        self.message = StatusLine()
        self.message.hide()

        left_scroll = scrolling(
            column([self.model_source, (self.inputs, 1), self.predictions], margins=(10, 8, 10, 8), spacing=10)
        )
        left_scroll.setMinimumWidth(200)
        centre = column([self.message, (self.pages, 1)], margins=(0, 0, 0, 0), spacing=0)
        right = column([heading("Network"), (self.network_map, 1)], margins=(6, 8, 6, 8), spacing=6)
        self.splitter = side_by_side(self, [left_scroll, centre, right], DEFAULT_SIZES)
        self.setAcceptDrops(True)

        session = context.session
        self.model_source.model_ready.connect(self._model_ready)
        self.model_source.model_failed.connect(self._model_failed)
        self.inputs.image_changed.connect(self._image_changed)
        self.predictions.class_chosen.connect(self._class_chosen)
        self.network_map.layer_clicked.connect(self.show_layer)
        self.pages.currentChanged.connect(lambda index: self.view(VIEW_CLASSES[index]) if index >= 0 else None)
        self.view(VIEW_CLASSES[self.pages.currentIndex()])
        session.data_changed.connect(self._data_changed)
        session.inspect_image.connect(self.inputs.show_snapshot)
        current = self.inputs.current()
        if current is not None:
            self._image_changed(*current)
        self._data_changed()

    def is_idle(self) -> bool:
        """True when nothing is loading, computing or about to (tests and screenshots wait for this)."""
        return not self.runner.is_busy() and not self.model_source.is_pending() and not self.inputs.pad.is_pending()

    # ----- pages
    @property
    def views(self) -> list[InspectView]:
        """The pages built so far."""
        return list(self._built.values())

    def view(self, view_class: type[InspectView]) -> InspectView:
        """The page of class `view_class`, built (and given the current subject) on first use."""
        index = next(i for i, page_class in enumerate(VIEW_CLASSES) if issubclass(page_class, view_class))
        page_class = VIEW_CLASSES[index]
        view = self._built.get(page_class)
        if view is None:
            view = page_class(self.runner)
            if hasattr(view, "layer_selected"):
                view.layer_selected.connect(self.network_map.select_layer)
            self._built[page_class] = view
            self._holders[index].setWidget(view)
            if self.subject is not None:
                view.set_subject(self.subject)
        return view

    def current_view(self) -> InspectView:
        return self.view(VIEW_CLASSES[self.pages.currentIndex()])

    def show_view(self, view: InspectView) -> None:
        """Make `view` the page shown."""
        self.pages.setCurrentIndex(list(VIEW_CLASSES).index(type(view)))

    def show_layer(self, name: str) -> None:
        """Show layer `name` in the current page if it can, else in the feature maps."""
        select = getattr(self.current_view(), "select_layer", None)
        if select is not None and select(name):
            return
        feature_maps = self.view(FeatureMapsView)
        self.show_view(feature_maps)
        feature_maps.select_layer(name)

    # ----- the model
    def _model_ready(self, choice: ModelChoice) -> None:
        self.model = choice
        self.chosen_target = None
        self._predictions, self._prepared = [], None
        self.message.hide()
        self.inputs.browser.set_classifier(choice.classifier)
        classifier = choice.classifier
        self.runner.submit(
            lambda task: model_layers(classifier.module, classifier.input_shape),
            key=LAYERS_KEY,
            on_done=self._layers_listed,
            on_error=lambda error: self.network_map.clear(),
        )
        self._update_subject()

    def _layers_listed(self, layers: list[LayerInfo]) -> None:
        self.network_map.set_layers(layers)

    def _model_failed(self, message: str) -> None:
        self.model = None
        self.inputs.browser.set_classifier(None)
        self.network_map.clear()
        self._clear_subject(message)

    # ----- the input
    def _image_changed(self, pixels: np.ndarray | None, caption: str) -> None:
        self.image, self.drawn = pixels, self.inputs.source == DRAW
        if pixels is None:
            self._clear_subject(caption, problem=False)
        else:
            self._update_subject()

    def _data_changed(self) -> None:
        data = self.context.session.data
        split = data.split if data is not None else None
        self.inputs.set_dataset(split.val if split is not None else None, data.title if data else "")
        if split is not None and len(split.val) and self.inputs.source == DRAW and _blank(self.inputs.pad.image()):
            self.inputs.set_source(DATASET)
        elif self.subject is not None:
            self._publish()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() and is_image_file(url.toLocalFile()) for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        images = [path for path in paths if is_image_file(path)]
        if images:
            self.inputs.open_file(images[0])
            event.acceptProposedAction()

    # ----- the subject
    def _class_chosen(self, index: int | None) -> None:
        self.chosen_target = index
        if self._predictions:
            self._publish()

    def _update_subject(self) -> None:
        """Prepare the input for the model and predict (on the runner); the views follow."""
        if self.model is None or self.image is None:
            return
        classifier, image, drawn = self.model.classifier, self.image, self.drawn
        top = rows_to_show(len(classifier.classes))
        data = self.context.session.data
        trained_on = classifier.trained_on or (data.spec if data is not None else "")

        def prepare(task: Task) -> tuple[torch.Tensor, list[Prediction]]:
            spec = classifier.preprocessing
            style = digit_style_for(spec.input_shape, trained_on)
            x = drawing_input(image, spec, style) if drawn else spec.tensor(image)
            return x, predict(classifier.module, x, classifier.classes, top=top, multilabel=classifier.multilabel)

        def done(result: tuple[torch.Tensor, list[Prediction]]) -> None:
            x, self._predictions = result
            self._prepared = image, x
            self._publish()

        self.runner.submit(
            prepare,
            key=PREDICT_KEY,
            on_done=done,
            on_error=lambda error: self._clear_subject(error_message(error, "Preparing the input")),
        )

    def _publish(self) -> None:
        """Build the subject from the model, image, predictions and chosen class; give it to every view."""
        if self.model is None or self._prepared is None or not self._predictions:
            return
        classifier = self.model.classifier
        image, x = self._prepared
        predicted = self._predictions[0].index
        chosen = self.chosen_target is not None and self.chosen_target < len(classifier.classes)
        target = self.chosen_target if chosen else predicted
        self.subject = InspectSubject(classifier, self.model.title, image, x, target, self._dataset_for(classifier))
        self.predictions.show_predictions(self._predictions, target, classifier.label(target), chosen)
        self.message.hide()
        for view in self.views:
            view.set_subject(self.subject)

    def _dataset_for(self, classifier: Classifier) -> ImageDataset | None:
        data = self.context.session.data
        if data is None or data.split is None:
            return None
        val = data.split.val
        fits = tuple(val.image_shape) == tuple(classifier.input_shape) and len(val.classes) == len(classifier.classes)
        return val if fits and len(val) else None

    def _clear_subject(self, message: str, *, problem: bool = True) -> None:
        """Nothing to show: say why (in red when something went wrong, not when an input is missing)."""
        self.subject = None
        self._predictions, self._prepared = [], None
        self.runner.cancel(PREDICT_KEY)
        self.predictions.clear(message)
        if message:
            if problem:
                self.message.error(message)
            else:
                self.message.info(message)
            self.message.show()
        for view in self.views:
            view.set_subject(None)

    # ----- the tab's life
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.model_source.set_active(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.model_source.set_active(False)

    def splitters(self) -> dict[str, QSplitter]:
        return {"splitter": self.splitter}

    def page_stacks(self) -> dict[str, QTabWidget | QStackedWidget]:
        return {"page": self.pages}

    def shutdown(self) -> None:
        self.model_source.disconnect_document()
        for view in self.views:
            view.shutdown()
        self.runner.shutdown()


def _blank(pixels: np.ndarray) -> bool:
    return int(pixels.max()) == int(pixels.min())
