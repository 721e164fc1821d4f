"""What a unit wants: pictures made by gradient ascent on the input (cnnstudio.viz.synthesis).

Three pages: activation maximization of one class or channel with its activation plotted over the steps,
a gallery of the first channels of the first convolution and of a deeper layer, and DeepDream on the
current image. Each runs when its button is pressed, progressively and cancellably.
"""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from cnnstudio.ui.inspection.formatting import error_message
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.synthesis.dream import DreamPage
from cnnstudio.ui.inspection.synthesis.gallery import GalleryPage
from cnnstudio.ui.inspection.synthesis.maximize import MaximizePage
from cnnstudio.ui.inspection.view_base import LazyView
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.viz.activations import LayerInfo, model_layers

LAYERS_KEY = "synthesis.layers"


class SynthesisView(LazyView):
    """Activation maximization, the channel gallery and DeepDream as pages."""

    title = "What a unit wants"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.maximize = MaximizePage(runner)
        self.gallery = GalleryPage(runner)
        self.dream = DreamPage(runner)
        self.pages = QTabWidget()
        self.pages.setDocumentMode(True)
        for page in self.all_pages():
            self.pages.addTab(page, page.title)
        self._layers_of = None  # the module whose layers the pages know
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)

    def all_pages(self) -> tuple[MaximizePage, GalleryPage, DreamPage]:
        return self.maximize, self.gallery, self.dream

    def subject_changed(self, previous: InspectSubject | None) -> None:
        changed = self.model_changed(previous)
        if changed:
            self.runner.cancel(LAYERS_KEY)
            self._layers_of = None
        for page in self.all_pages():
            page.set_subject(self.subject, changed)

    def refresh(self) -> None:
        """The pages need the model's layers (one forward pass on the runner) before they can start."""
        subject = self.subject
        if subject is None or self._layers_of is subject.classifier.module:
            return
        module, shape = subject.classifier.module, subject.spec.input_shape
        self.runner.submit(
            lambda task: model_layers(module, shape),
            key=LAYERS_KEY,
            on_done=self._layers_ready,
            on_error=self._layers_failed,
        )

    def _layers_ready(self, layers: list[LayerInfo]) -> None:
        self._layers_of = self.subject.classifier.module
        for page in self.all_pages():
            page.set_layers(layers)

    def _layers_failed(self, error: Exception) -> None:
        message = error_message(error, "Running the model")
        for page in self.all_pages():
            page.status.failed(message)

    def shutdown(self) -> None:
        self.runner.cancel(LAYERS_KEY)
        for page in self.all_pages():
            page.stop()
