"""The Results page of a multi-label run: the averages, each label's AUROC, average precision, F1, precision
and recall at its threshold, and a gallery of the images with a label decided wrong (most confident first).

A multi-label network has no confusion matrix (an image can carry several labels or none), so this page
takes the place of the matrix and the per-class table of a single-label run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QSplitter, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.training.gallery import MAX_ITEMS, Gallery, GalleryItem
from cnnstudio.ui.widgets.labels import heading
from cnnstudio.ui.widgets.panes import column, vertical
from cnnstudio.ui.widgets.tables import metrics_table

if TYPE_CHECKING:
    from cnnstudio.engine.evaluate import RunEvaluation
    from cnnstudio.engine.multilabel import LabelMistake, MultiLabelReport

COLUMNS = (
    ("Label", ""),
    ("AUROC", "How well the network ranks images with this label above those without (0.5: chance, 1: perfect)"),
    ("AP", "Average precision: the area under this label's precision-recall curve"),
    ("F1", "The harmonic mean of precision and recall at the threshold"),
    ("Precision", "Of the images decided to carry this label, the share that do"),
    ("Recall", "Of the images that carry this label, the share decided to"),
    ("Threshold", "The probability from which the label is decided present"),
    ("Images", "Validation images that carry this label"),
)
WEAK_AUROC = 0.8  # below this a label's AUROC is shown in the error colour


def score(value: float, digits: int = 3) -> str:
    """A score in 0-1, or an em dash where it is undefined (a label present in every image or in none)."""
    return "—" if math.isnan(value) else f"{value:.{digits}f}"


def _names(classes: list[str], labels: list[int]) -> str:
    return " + ".join(classes[label] for label in labels) if labels else "none"


def mistake_item(mistake: LabelMistake, classes: list[str]) -> GalleryItem:
    """A gallery entry whose caption names only the wrong decisions: −missed, +wrongly added."""
    missed = [label for label in mistake.true if label not in mistake.predicted]
    added = [label for label in mistake.predicted if label not in mistake.true]
    wrong = [f"−{classes[label]}" for label in missed] + [f"+{classes[label]}" for label in added]
    tip = (
        f"Image {mistake.index} carries {_names(classes, mistake.true)}; decided present: "
        f"{_names(classes, mistake.predicted)}.\n"
        + (f"Missed: {', '.join(classes[label] for label in missed)}. " if missed else "")
        + (f"Wrongly added: {', '.join(classes[label] for label in added)}. " if added else "")
        + f"The most confident wrong decision: {mistake.confidence:.1%}"
    )
    caption = f"{' '.join(wrong)}\n{mistake.confidence:.0%}"
    return GalleryItem(
        mistake.index,
        _names(classes, mistake.true),
        _names(classes, mistake.predicted),
        mistake.confidence,
        caption,
        tip,
    )


class LabelResultsPage(QWidget):
    """`show_results(results)` for a run whose report is a MultiLabelReport; `image_activated(index)`."""

    image_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        self.per_label = metrics_table(COLUMNS)
        self.gallery_title = heading("")
        self.gallery = Gallery()

        table_box = column([heading("Per-label metrics"), (self.per_label, 1)], margins=(0, 0, 0, 0), spacing=-1)
        gallery_box = column([self.gallery_title, (self.gallery, 1)], margins=(0, 0, 0, 0), spacing=-1)
        self.splitter = QSplitter(Qt.Vertical)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(gallery_box)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([260, 300])
        vertical(self, [self.summary, (self.splitter, 1)], margins=(10, 6, 10, 6))
        self.gallery.image_activated.connect(self.image_activated)

    def show_results(self, results: RunEvaluation, report: MultiLabelReport) -> None:
        self.summary.setText(
            f"<b>{results.run_dir.name}</b> — {results.checkpoint} checkpoint (after epoch {results.epoch}) on "
            f"{report.count:,} validation images: macro AUROC <b>{score(report.macro_auroc)}</b> "
            f"(micro {score(report.micro_auroc)}), macro F1 {report.macro_f1:.3f}, "
            f"every label right on {report.exact_match:.1%} of the images, loss {report.loss:.4f}"
        )
        self.per_label.setRowCount(len(report.per_label))
        rows_height = self.per_label.horizontalHeader().sizeHint().height() + 20 * len(report.per_label) + 34
        total = sum(self.splitter.sizes()) or 560
        table_height = min(rows_height, total // 2)
        self.splitter.setSizes([table_height, total - table_height])
        for row, metrics in enumerate(report.per_label):
            cells = (
                metrics.name,
                score(metrics.auroc),
                score(metrics.average_precision),
                f"{metrics.f1:.3f}",
                f"{metrics.precision:.1%}",
                f"{metrics.recall:.1%}",
                f"{metrics.threshold:.2f}",
                f"{metrics.support:,}",
            )
            items = self.per_label.set_row(row, cells)
            for item in items[1:]:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if math.isnan(metrics.auroc):
                items[1].setToolTip("Undefined: every validation image carries this label, or none does")
            elif metrics.auroc < WEAK_AUROC:
                items[1].setForeground(QColor(style.ERROR))
        items = [mistake_item(mistake, report.classes) for mistake in report.mistakes]
        title = (
            f"Images with a label decided wrong ({len(items):,}, most confident first)"
            if items
            else "Every label of every image decided right"
        )
        if len(items) > MAX_ITEMS:
            title += f" (showing the first {MAX_ITEMS})"
        self.gallery_title.setText(title)
        self.gallery.show_items(items, results.image)
