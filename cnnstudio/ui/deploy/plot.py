"""The Deploy tab's scatter of validation accuracy against batch-32 CPU latency, one labelled point per variant."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from cnnstudio.optimize.report import VariantRow

ORIGINAL_BRUSH, VARIANT_BRUSH = "#4c72b0", "#dd8452"


class TradeOffPlot(pg.PlotWidget):
    """Accuracy (%) against latency (ms, batch 32): the original in blue, the variants in orange."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setTitle("Accuracy against latency (CPU, batch 32)", color="k")
        self.setLabel("bottom", "latency (ms, batch 32)")
        self.setLabel("left", "validation accuracy (%)")
        self.showGrid(x=True, y=True, alpha=0.25)
        for side in ("left", "bottom"):
            self.getAxis(side).enableAutoSIPrefix(False)
        self.setMinimumSize(320, 240)
        self.points = pg.ScatterPlotItem(size=11, pen=pg.mkPen("k", width=0.8))
        self.addItem(self.points)
        self.labels: list[pg.TextItem] = []

    def show_rows(self, rows: Sequence[VariantRow]) -> None:
        """Draw `rows` (the original first); an empty list clears the plot."""
        xs = [row.latency_ms_b32 for row in rows]
        ys = [100.0 * row.val_acc for row in rows]
        brushes = [ORIGINAL_BRUSH if index == 0 else VARIANT_BRUSH for index in range(len(rows))]
        self.points.setData(x=xs, y=ys, brush=brushes)
        for label in self.labels:
            self.removeItem(label)
        self.labels = []
        for row, x, y in zip(rows, xs, ys, strict=True):
            label = pg.TextItem(row.name, color="k", anchor=(0, 1))
            label.setPos(x, y)
            self.addItem(label)
            self.labels.append(label)
        if rows:
            width = max(xs) - min(xs) or max(xs) * 0.2 or 1.0
            height = max(ys) - min(ys) or 2.0
            self.setXRange(min(xs) - 0.15 * width, max(xs) + 0.45 * width, padding=0)
            self.setYRange(min(ys) - 0.3 * height, max(ys) + 0.4 * height, padding=0)
