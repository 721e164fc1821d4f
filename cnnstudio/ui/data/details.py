"""Facts about the loaded data: counts, image size and channels as loaded and as fitted, what was
changed to fit the network, and the files that were skipped with the reason."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui.data.loading import LoadResult
from cnnstudio.ui.widgets.tables import ReadOnlyTable


def describe_shape(shape: tuple[int, int, int]) -> str:
    kind = {1: "grayscale", 3: "RGB"}.get(shape[0], f"{shape[0]} channels")
    return f"{format_shape(shape)} ({kind})"


def _value_label() -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.PlainText)  # class names and notes are shown as they are, never read as HTML
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


class DataDetails(QWidget):
    """The info form, the adaptation notes and the skipped-files table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes = _value_label()
        self.images = _value_label()
        self.native = _value_label()
        self.fitted = _value_label()
        self.normalization = _value_label()
        self.adaptations = _value_label()
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setLabelAlignment(Qt.AlignLeft)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.addRow("Classes", self.classes)
        form.addRow("Images", self.images)
        form.addRow("As loaded", self.native)
        form.addRow("Fitted to network", self.fitted)
        form.addRow("Normalization", self.normalization)
        form.addRow("Changes made", self.adaptations)

        self.skipped_heading = QLabel("Skipped files")
        self.skipped_heading.setProperty("role", "heading")
        self.skipped = ReadOnlyTable(("File", "Reason"), stretch=1)
        self.skipped.setWordWrap(True)
        self.skipped.setMinimumHeight(90)
        header = self.skipped.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Interactive)
        header.resizeSection(0, 150)
        self.no_skipped = QLabel("No files were skipped.")
        self.no_skipped.setProperty("role", "muted")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.skipped_heading)
        layout.addWidget(self.no_skipped)
        layout.addWidget(self.skipped, 1)
        layout.addStretch(0)
        self._layout = layout
        self.show_result(None)

    def show_result(self, result: LoadResult | None) -> None:
        if result is None:
            for label in (self.classes, self.images, self.native, self.fitted, self.normalization, self.adaptations):
                label.setText("—")
            self._show_skipped([], None)
            return
        split = result.split
        self.classes.setText(f"{len(split.classes)}: {', '.join(split.classes)}")
        own = " (the dataset's own test split)" if result.request.source.has_own_test_split else ""
        self.images.setText(f"{len(split.train):,} training · {len(split.val):,} validation{own}")
        self.native.setText(describe_shape(result.native_shape))
        self.fitted.setText(describe_shape(split.image_shape))
        self.normalization.setText(
            "mean " + ", ".join(f"{m:.3f}" for m in split.mean) + " · std " + ", ".join(f"{s:.3f}" for s in split.std)
        )
        if split.adaptations:
            self.adaptations.setText("\n".join("• " + note for note in split.adaptations))
        else:
            self.adaptations.setText("none: the images already fit the network's input")
        folder = result.request.source.folder
        self._show_skipped([(skipped.path, skipped.reason) for skipped in split.skipped], folder)

    def _show_skipped(self, rows: list[tuple[str, str]], folder: Path | None) -> None:
        self.skipped_heading.setText(f"Skipped files ({len(rows):,})" if rows else "Skipped files")
        self.no_skipped.setVisible(not rows)
        self.skipped.setVisible(bool(rows))
        self._layout.setStretch(self._layout.count() - 1, 0 if rows else 1)  # no empty gap above "none"
        self.skipped.setRowCount(len(rows))
        for row, (path, reason) in enumerate(rows):
            shown = os.path.relpath(path, folder) if folder is not None else path
            self.skipped.set_row(row, (shown, reason), tooltips=(path, reason))
        self.skipped.resizeRowsToContents()
