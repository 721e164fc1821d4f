"""The Results view of a run: confusion matrix, per-class precision/recall/F1, and an image gallery
that starts with the misclassified images (most confident mistakes first) and shows the images of
any confusion-matrix cell that is clicked. A multi-label run gets its per-label page instead."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui import style
from cnnstudio.ui.training.confusion import ConfusionTable
from cnnstudio.ui.training.gallery import MAX_ITEMS, Gallery, GalleryItem
from cnnstudio.ui.training.label_results import LabelResultsPage
from cnnstudio.ui.widgets.labels import heading
from cnnstudio.ui.widgets.progress import set_role
from cnnstudio.ui.widgets.tables import metrics_table

if TYPE_CHECKING:
    from cnnstudio.engine.evaluate import RunEvaluation

PLACEHOLDER = "Results appear here when a run ends, or when you double-click a run in the runs list."


class ResultsPanel(QStackedWidget):
    """A message page (placeholder, busy, error), the results page and the multi-label results page."""

    image_activated = Signal(object)  # an H×W×3 uint8 RGB image to inspect

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.results: RunEvaluation | None = None
        self.message = QLabel(PLACEHOLDER)
        self.message.setAlignment(Qt.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setProperty("role", "muted")
        self.addWidget(self.message)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        self.confusion = ConfusionTable()
        self.per_class = metrics_table(
            (
                ("Class", ""),
                ("Precision", "Of the images predicted as this class, the share that are this class"),
                ("Recall", "Of the images of this class, the share predicted as this class"),
                ("F1", "The harmonic mean of precision and recall"),
                ("Images", "Validation images of this class"),
            )
        )
        self.gallery_title = heading("")
        self.show_mistakes = QPushButton("All mistakes")
        self.show_mistakes.setToolTip("Show every misclassified image again, most confident mistakes first")
        self.gallery = Gallery()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 6, 0)
        left_layout.addWidget(heading("Confusion matrix"))
        axes = QLabel("rows: true class · columns: predicted class · click a cell to see its images")
        axes.setProperty("role", "muted")
        axes.setWordWrap(True)
        left_layout.addWidget(axes)
        left_layout.addWidget(self.confusion, 1)
        right = QSplitter(Qt.Vertical)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(6, 0, 0, 0)
        table_layout.addWidget(heading("Per-class metrics"))
        table_layout.addWidget(self.per_class, 1)
        gallery_box = QWidget()
        gallery_layout = QVBoxLayout(gallery_box)
        gallery_layout.setContentsMargins(6, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.gallery_title, 1)
        title_row.addWidget(self.show_mistakes)
        gallery_layout.addLayout(title_row)
        gallery_layout.addWidget(self.gallery, 1)
        right.addWidget(table_box)
        right.addWidget(gallery_box)
        right.setChildrenCollapsible(False)
        right.setSizes([270, 270])
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([460, 560])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        self.addWidget(page)
        self.labels = LabelResultsPage()
        self.addWidget(self.labels)

        self.labels.image_activated.connect(self._activated)
        self.confusion.cell_chosen.connect(self.show_cell)
        self.show_mistakes.clicked.connect(self.show_all_mistakes)
        self.gallery.image_activated.connect(self._activated)

    # ----- states
    def show_text(self, text: str, error: bool = False) -> None:
        """Show a message instead of results (placeholder, 'evaluating…', or why there are none)."""
        set_role(self.message, "error" if error else "muted")
        self.message.setText(text)
        self.setCurrentIndex(0)

    def show_results(self, results: RunEvaluation) -> None:
        self.results = results
        report = results.report
        if results.dataset.multilabel:
            self.labels.show_results(results, report)
            self.setCurrentWidget(self.labels)
            return
        self.summary.setText(
            f"<b>{results.run_dir.name}</b> — {results.checkpoint} checkpoint (after epoch {results.epoch}) on "
            f"{report.count:,} validation images: accuracy <b>{report.accuracy:.1%}</b>, loss {report.loss:.4f}, "
            f"{len(report.misclassified):,} misclassified"
        )
        self.confusion.set_matrix(report.confusion, report.classes)
        self.per_class.setRowCount(len(report.per_class))
        for row, metrics in enumerate(report.per_class):
            cells = (
                metrics.name,
                f"{metrics.precision:.1%}",
                f"{metrics.recall:.1%}",
                f"{metrics.f1:.3f}",
                f"{metrics.support:,}",
            )
            items = self.per_class.set_row(row, cells)
            for item in items[1:]:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if metrics.support and metrics.f1 < 0.8:
                items[3].setForeground(QColor(style.ERROR))
        self.show_all_mistakes()
        self.setCurrentIndex(1)

    # ----- the gallery
    def show_all_mistakes(self) -> None:
        if self.results is None:
            return
        classes = self.results.report.classes
        items = [
            GalleryItem(item.index, classes[item.true], classes[item.predicted], item.confidence)
            for item in self.results.report.misclassified
        ]
        self.confusion.clearSelection()
        self._fill(
            items, f"Misclassified ({len(items):,}, most confident first)" if items else "No misclassified images"
        )

    def show_cell(self, true: int, predicted: int) -> None:
        """The images of class `true` predicted as `predicted`."""
        if self.results is None:
            return
        classes = self.results.report.classes
        examples = self.results.examples(true, predicted)
        items = [GalleryItem(index, classes[true], classes[predicted], confidence) for index, confidence in examples]
        what = (
            f"{classes[true]} classified correctly"
            if true == predicted
            else f"true {classes[true]}, predicted {classes[predicted]}"
        )
        self._fill(items, f"{what}: {len(items):,} image{'s' if len(items) != 1 else ''}")

    def _fill(self, items: list[GalleryItem], title: str) -> None:
        assert self.results is not None
        if len(items) > MAX_ITEMS:
            title += f" (showing the first {MAX_ITEMS})"
        self.gallery_title.setText(title)
        self.gallery.show_items(items, self.results.image)

    def _activated(self, index: int) -> None:
        if self.results is not None:
            self.image_activated.emit(self.results.image(index))
