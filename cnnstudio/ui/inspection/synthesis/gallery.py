"""The channel gallery: what each of the first channels of the first convolution and of a deeper layer
responds to most, synthesized a few channels at a time so the grid fills in as it goes."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cnnstudio.ui.inspection.controls import layer_combo, spin
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.synthesis.pages import SynthesisPage, outdated, run_steps
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import heading, muted
from cnnstudio.viz.activations import LayerInfo, first_convolution
from cnnstudio.viz.synthesis import GallerySection, GalleryStep, channel_gallery, gallery_size
from cnnstudio.viz.tiles import BACKGROUND, tile_images

KEY = "synthesis.gallery"
MAX_SIDE = 112  # gallery pictures are at most this large: enough for a channel's pattern, and quick
TILE_GAP = (208, 215, 222)  # the light grey between pictures
LINEAR_NOTE = (
    "A convolution straight on the pixels is linear: its average over a picture depends only on "
    "the colours, so flat colours excite it most. The Filters page shows its kernels."
)


def synthesize_gallery(
    subject: InspectSubject, sections: list[GallerySection], steps: int, task: Task
) -> GalleryStep | None:
    """Runs on the runner's thread: the sections' pictures go to the view as they form."""
    pictures = channel_gallery(subject.classifier.module, subject.spec, sections, steps=steps, max_side=MAX_SIDE)
    return run_steps(pictures, task)


class _SectionView(QWidget):
    """One layer's channels as a grid of pictures, grey until made."""

    def __init__(self) -> None:
        super().__init__()
        self.title = heading("")
        self.note = muted()
        self.pane = ImagePane(minimum=140)
        self.images: np.ndarray | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.pane, 1)

    def begin(self, title: str, note: str, section: GallerySection, size: tuple[int, int]) -> None:
        self.title.setText(title)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.images = np.empty((section.channels, *size, 3), dtype=np.uint8)
        self.images[...] = BACKGROUND
        self.pane.set_caption(f"channels 0–{section.channels - 1}, row by row")
        self._draw()
        self.show()

    def update_images(self, first: int, images: np.ndarray) -> None:
        self.images[first : first + len(images)] = images
        self._draw()

    def _draw(self) -> None:
        self.pane.set_image(tile_images(self.images, padding=2, background=TILE_GAP).image)

    def clear(self) -> None:
        self.images = None
        self.pane.set_image(None)
        self.title.setText("")
        self.hide()


class GalleryPage(SynthesisPage):
    title = "Channel gallery"
    action = "The gallery"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, KEY, "Fill gallery", parent)
        self.sections: list[GallerySection] = []
        self.made = 0
        self.count = spin(1, 64, 8, "How many channels of each layer to show")
        self.steps = spin(4, 500, 48, "Gradient-ascent steps per picture")
        self.second_box = layer_combo("The deeper layer (default: halfway through the network)", 24)
        self.section_views = [_SectionView(), _SectionView()]
        self.hint = muted(
            "Press “Fill gallery” to see what the first channels of the first convolution and "
            "of a deeper layer respond to most."
        )
        controls = QHBoxLayout()
        for text, widget in (
            ("Channels per layer", self.count),
            ("Steps", self.steps),
            ("Deeper layer", self.second_box),
        ):
            controls.addWidget(QLabel(text))
            controls.addWidget(widget)
            controls.addSpacing(8)
        controls.addWidget(self.start_button)
        controls.addStretch(1)
        grids = QHBoxLayout()
        for view in self.section_views:
            grids.addWidget(view, 1)
            view.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.hint)
        layout.addLayout(grids, 1)
        layout.addWidget(self.status)

    def set_layers(self, layers: list[LayerInfo]) -> None:
        self.fill_spatial_layers(self.second_box, layers)
        super().set_layers(layers)

    def ready(self) -> bool:
        return super().ready() and self.second_box.count() > 0

    def planned_sections(self) -> list[GallerySection]:
        first = first_convolution(self.layers or [])
        second = next((layer for layer in self.layers or [] if layer.name == self.second_box.currentData()), None)
        chosen = [first] + ([second] if second is not None and second is not first else [])
        return [GallerySection(layer.name, min(self.count.value(), layer.shape[0])) for layer in chosen if layer]

    def start(self) -> None:
        subject = self.subject
        if subject is None or not self.ready():
            return
        sections = self.planned_sections()
        steps = self.steps.value()
        self.sections, self.made = sections, 0
        size = gallery_size(subject.spec, MAX_SIDE)
        names = ("First convolution", "Deeper layer")
        for index, view in enumerate(self.section_views):
            if index < len(sections):
                note = LINEAR_NOTE if index == 0 and self._is_convolution(sections[0].layer) else ""
                view.begin(f"{names[index]}: {sections[index].layer}", note, sections[index], size)
            else:
                view.clear()
        self.hint.hide()
        count = sum(section.channels for section in sections)
        self.submit(
            f"Synthesizing {count} channel pictures …",
            lambda task: synthesize_gallery(subject, sections, steps, task),
            self._update,
            self._finished,
        )

    def _is_convolution(self, name: str) -> bool:
        return any(layer.name == name and layer.kind == "Conv2d" for layer in self.layers or [])

    def _update(self, update: GalleryStep) -> None:
        self.section_views[update.section].update_images(update.first, update.images)

    def _finished(self, last: GalleryStep | None) -> None:
        self.made = sum(section.channels for section in self.sections) if last is not None else 0
        self.status.finished(f"Done: {self.made} channel pictures.")

    def stopped_text(self) -> str:
        return "Stopped: the grey tiles were not made."

    def has_pictures(self) -> bool:
        return bool(self.sections)

    def mark_outdated(self) -> None:
        for view in self.section_views:
            if view.images is not None:
                view.pane.set_caption(outdated(view.pane.caption_text))

    def clear(self) -> None:
        self.sections, self.made = [], 0
        for view in self.section_views:
            view.clear()
        self.hint.show()
