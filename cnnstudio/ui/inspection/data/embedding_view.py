"""Embedding: what the network has learned to group. The penultimate-layer features of the validation
images projected to 2-D (PCA or t-SNE) as a scatter coloured by class, a thumbnail of the image under
the mouse, the current input as a star, and its nearest neighbours in feature space.

Features are extracted once per (model, validation set, number of images) and kept, so switching the
projection, the distance or the number of neighbours, or changing the input image, does not recompute them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import ImageDataset
from cnnstudio.ui import style
from cnnstudio.ui.inspection.controls import StatusTask, TaskStatus, choices, scrolling, spin
from cnnstudio.ui.inspection.image_widgets import ImagePane
from cnnstudio.ui.inspection.plots import style_plot
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import LazyView
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import heading, muted
from cnnstudio.viz.dataset_embedding import Embedding, embed_dataset
from cnnstudio.viz.images import dataset_image
from cnnstudio.viz.tiles import enlarged

if TYPE_CHECKING:
    from torch import nn

KEY = "embedding"
NO_DATA = (
    "No validation images to embed: choose data in the Data tab whose images fit this model "
    "(the same classes and input size)."
)
# Tableau's ten categorical colours; more classes get evenly spaced hues.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
LEGEND_ENTRIES = 24
THUMB_SIDE = 80


def class_colour(index: int, count: int) -> pg.QtGui.QColor:
    return pg.mkColor(PALETTE[index]) if count <= len(PALETTE) else pg.intColor(index, hues=count)


@dataclass(frozen=True)
class _Request:
    method: str
    limit: int
    neighbours: int
    metric: str


@dataclass
class _Features:
    """The features of one (model, dataset, number of images), and the projections made of them."""

    module: nn.Module
    dataset: ImageDataset
    limit: int
    rows: np.ndarray  # the dataset rows embedded
    features: np.ndarray
    points: dict[str, np.ndarray] = field(default_factory=dict)


def embed(
    subject: InspectSubject,
    request: _Request,
    known: tuple[np.ndarray, np.ndarray] | None,
    known_points: np.ndarray | None,
    task: Task,
) -> Embedding:
    """Runs on the runner's thread. `known`: (rows, features) from the cache, `known_points` the cached
    projection for request.method."""
    return embed_dataset(
        subject.classifier.module,
        subject.dataset,
        subject.spec,
        subject.x,
        method=request.method,
        limit=request.limit,
        neighbours=request.neighbours,
        metric=request.metric,
        known=known,
        known_points=known_points,
        progress=task.fraction,
        cancel=task.cancel,
    )


class _Thumbnail(QWidget):
    """A small image with its label and distance (one nearest neighbour)."""

    def __init__(self, pixels: np.ndarray, caption: str) -> None:
        super().__init__()
        self.pane = ImagePane(caption, minimum=THUMB_SIDE)
        self.pane.set_image(enlarged(pixels, THUMB_SIDE))
        self.setFixedSize(THUMB_SIDE + 22, THUMB_SIDE + 42)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.pane)


class EmbeddingView(LazyView):
    """A 2-D map of the validation set in the network's feature space."""

    title = "Embedding"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.embedding: Embedding | None = None
        self._cache: _Features | None = None
        self.neighbour_thumbnails: list[_Thumbnail] = []
        self.hovered_row: int | None = None

        self.method_box = choices(
            [("PCA", "pca"), ("t-SNE", "tsne")],
            "PCA: the two directions of largest spread (linear, places new points "
            "exactly); t-SNE: keeps close neighbours close (takes longer, cannot be "
            "stopped midway)",
        )
        self.limit = spin(10, 20000, 500, "At most this many validation images (chosen at random) are embedded")
        self.limit.setKeyboardTracking(False)  # a typed number counts once it is complete
        self.neighbour_count = spin(1, 20, 8, "How many nearest neighbours of the current input to list")
        self.metric_box = choices([("cosine distance", "cosine"), ("euclidean distance", "euclidean")])

        self.message = muted()
        self.message.setAlignment(Qt.AlignCenter)
        self.summary = muted()
        self.plot = pg.PlotWidget(background="w")
        self._setup_plot()
        self.hover_pane = ImagePane(placeholder="Point at a dot to see its image", minimum=THUMB_SIDE + 40)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.RichText)
        self.legend.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.legend_entries: list[str] = []
        self.neighbour_strip = QHBoxLayout()
        self.neighbour_strip.setContentsMargins(0, 0, 0, 0)
        self.neighbour_strip.addStretch(1)
        strip = QWidget()
        strip.setLayout(self.neighbour_strip)
        scroll = scrolling(strip)
        scroll.setFixedHeight(THUMB_SIDE + 62)
        self.neighbour_title = heading("Nearest neighbours of the current input")
        self.status = TaskStatus()
        self.task = StatusTask(runner, KEY, "Embedding the validation images", self.status)

        self.content = QWidget()
        self._build_layout(scroll)
        self.method_box.currentIndexChanged.connect(lambda _index: self.recompute())
        self.metric_box.currentIndexChanged.connect(lambda _index: self.recompute())
        self.neighbour_count.valueChanged.connect(lambda _value: self.recompute())
        self.limit.valueChanged.connect(lambda _value: self.recompute())
        self.status.cancel_requested.connect(lambda: self.task.cancel("Cancelled."))
        self._show_message("Nothing to embed: choose a model and data.")

    def _setup_plot(self) -> None:
        style_plot(self.plot)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.points = pg.ScatterPlotItem(
            size=7, pen=None, hoverable=True, hoverSize=11, hoverPen=pg.mkPen(style.TEXT, width=1.5), tip=self._tip
        )
        self.points.sigHovered.connect(self._hovered)
        self.ring = pg.ScatterPlotItem(size=13, brush=None, pen=pg.mkPen(style.TEXT, width=1.2))
        self.star = pg.ScatterPlotItem(
            size=22, symbol="star", brush=pg.mkBrush("#ffd60a"), pen=pg.mkPen(style.TEXT, width=1.5)
        )
        for item in (self.points, self.ring, self.star):
            self.plot.addItem(item)

    def _build_layout(self, scroll: QScrollArea) -> None:
        controls = QHBoxLayout()
        for text, widget in (
            ("Projection", self.method_box),
            ("Images", self.limit),
            ("Neighbours", self.neighbour_count),
            (None, self.metric_box),
        ):
            if text:
                controls.addWidget(QLabel(text))
            controls.addWidget(widget)
            controls.addSpacing(8)
        controls.addStretch(1)
        side = QVBoxLayout()
        side.addWidget(self.hover_pane)
        side.addWidget(heading("Classes"))
        side.addWidget(self.legend, 1)
        side_panel = QWidget()
        side_panel.setLayout(side)
        side_panel.setFixedWidth(200)
        middle = QHBoxLayout()
        middle.addWidget(self.plot, 1)
        middle.addWidget(side_panel)
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.addWidget(self.summary)
        content.addLayout(middle, 1)
        content.addWidget(self.neighbour_title)
        content.addWidget(scroll)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.content, 1)
        layout.addWidget(self.status)

    # ----- subject
    def subject_changed(self, previous: InspectSubject | None) -> None:
        subject = self.subject
        if subject is None or subject.dataset is None:
            self.task.stop()
            self.status.finished("")
            self._show_message("Nothing to embed: choose a model and an image." if subject is None else NO_DATA)

    def refresh(self) -> None:
        self.recompute()

    def computable(self, subject: InspectSubject) -> bool:
        return subject.dataset is not None

    def _show_message(self, text: str) -> None:
        self.embedding = None
        self.message.setText(text)
        self.message.show()
        self.content.hide()

    def _cached(self, subject: InspectSubject, limit: int) -> _Features | None:
        cache = self._cache
        if (
            cache is not None
            and cache.module is subject.classifier.module
            and cache.dataset is subject.dataset
            and cache.limit == limit
        ):
            return cache
        return None

    # ----- computing
    def recompute(self) -> None:
        subject = self.subject_to_compute()
        if subject is None:
            return
        request = _Request(
            self.method_box.currentData(),
            self.limit.value(),
            self.neighbour_count.value(),
            self.metric_box.currentData(),
        )
        cache = self._cached(subject, request.limit)
        known = None if cache is None else (cache.rows, cache.features)
        known_points = None if cache is None else cache.points.get(request.method)
        if cache is None:
            text = f"Extracting the features of {min(len(subject.dataset), request.limit)} validation images …"
        else:
            text = "Projecting …" if known_points is None else "Finding the nearest neighbours …"
        self.task.submit(
            text,
            lambda task: embed(subject, request, known, known_points, task),
            lambda result: self._show(result, request),
        )

    def _show(self, embedding: Embedding, request: _Request) -> None:
        subject = self.subject
        if subject is None or subject.dataset is None:
            return
        cache = self._cached(subject, request.limit)
        if cache is None:
            cache = _Features(
                subject.classifier.module, subject.dataset, request.limit, embedding.rows, embedding.features
            )
            self._cache = cache
        cache.points[embedding.method] = embedding.points
        self.embedding = embedding
        self.message.hide()
        self.content.show()
        self._draw(subject.dataset, embedding)
        self._list_neighbours(subject.dataset, embedding, request.metric)
        method = self.method_box.itemText(self.method_box.findData(embedding.method))
        placed = (
            "★ is the current input, placed by the same projection"
            if embedding.placed_exactly
            else "★ marks the current input's nearest neighbour: t-SNE cannot place a new point"
        )
        self.summary.setText(
            f"{len(embedding.rows)} validation images of {subject.dataset.name or 'the data'}, "
            f"{embedding.features.shape[1]} features each (the input of the last layer), "
            f"{method}. {placed}."
        )
        self.status.finished("Done. Points of one colour that lie together are images the network finds alike.")

    def _draw(self, dataset: ImageDataset, embedding: Embedding) -> None:
        count = len(dataset.classes)
        brushes = [pg.mkBrush(class_colour(int(label), count)) for label in embedding.labels]
        self.points.setData(pos=embedding.points, brush=brushes, data=np.arange(len(embedding.rows)))
        self.star.setData(pos=embedding.query[None, :])
        self.ring.setData(pos=embedding.points[embedding.neighbours.indices])
        present = sorted({int(label) for label in embedding.labels})
        self.legend_entries = [dataset.classes[label] for label in present[:LEGEND_ENTRIES]]
        lines = [
            f"<span style='color:{class_colour(label, count).name()}; font-size:14pt'>●</span> "
            f"{html.escape(dataset.classes[label])}"
            for label in present[:LEGEND_ENTRIES]
        ]
        if len(present) > LEGEND_ENTRIES:
            lines.append(f"… and {len(present) - LEGEND_ENTRIES} more")
        self.legend.setText("<br>".join(lines))
        self.plot.autoRange()

    def _list_neighbours(self, dataset: ImageDataset, embedding: Embedding, metric: str) -> None:
        for thumbnail in self.neighbour_thumbnails:
            self.neighbour_strip.removeWidget(thumbnail)
            thumbnail.deleteLater()
        self.neighbour_thumbnails = []
        for index, distance in zip(embedding.neighbours.indices, embedding.neighbours.distances, strict=True):
            row = int(embedding.rows[index])
            label = dataset.classes[int(dataset.labels[row])]
            shown = f"{distance:.2g}" if distance > 1e-6 else "0"  # the input itself is at 0, give or take rounding
            thumbnail = _Thumbnail(dataset_image(dataset, row), f"<b>{html.escape(label)}</b> · d = {shown}")
            self.neighbour_strip.insertWidget(len(self.neighbour_thumbnails), thumbnail)
            self.neighbour_thumbnails.append(thumbnail)
        self.neighbour_title.setText(f"Nearest neighbours of the current input ({metric} distance in feature space)")

    # ----- hovering
    def _row_label(self, index: int) -> tuple[int, str]:
        dataset = self.subject.dataset
        row = int(self.embedding.rows[index])
        return row, dataset.classes[int(dataset.labels[row])]

    def _tip(self, x: float, y: float, data: object) -> str:
        if self.embedding is None or self.subject is None or self.subject.dataset is None:
            return ""
        row, label = self._row_label(int(data))
        return f"{label} · validation image {row}"

    def _hovered(self, _item: pg.ScatterPlotItem, points: list, _event: object) -> None:
        if not len(points) or self.embedding is None or self.subject is None or self.subject.dataset is None:
            return
        row, label = self._row_label(int(points[0].data()))
        self.hovered_row = row
        self.hover_pane.set_image(enlarged(dataset_image(self.subject.dataset, row), THUMB_SIDE))
        self.hover_pane.set_caption(f"<b>{html.escape(label)}</b><br>validation image {row}")

    def shutdown(self) -> None:
        self.task.stop()
