"""The number of images per class, training and validation stacked, class names on the axis.

The plot (pyqtgraph) is built the first time the histogram is shown, so building the window does not
import pyqtgraph; the counts are kept up to date from the start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnstudio.data import DataSplit
from cnnstudio.ui import style

if TYPE_CHECKING:
    import pyqtgraph as pg

VAL_COLOR = "#9ec5fe"
BAR_HEIGHT = 0.7
# With more classes than this, only every n-th name is written so the names do not overlap.
MAX_NAMES = 24


class ClassHistogram(QWidget):
    """Horizontal bars (long class names read better on the vertical axis); built once, then setOpts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(170)
        self.counts: dict[str, list[int]] = {"train": [], "val": []}
        self.classes: list[str] = []
        self.plot: pg.PlotWidget | None = None
        self._bars: dict[str, Any] = {}
        self.empty = QLabel("No data loaded")  # instead of the axes of a data set no longer shown
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.plot is None:
            self.plot = self._build_plot()
            self._draw(self.plot)

    def set_split(self, split: DataSplit | None) -> None:
        if split is None:
            self.classes, train, val = [], np.zeros(0), np.zeros(0)
        else:
            self.classes, train, val = list(split.classes), split.train.class_counts(), split.val.class_counts()
        self.counts = {"train": train.astype(int).tolist(), "val": val.astype(int).tolist()}
        if self.plot is not None:
            self._draw(self.plot)

    def _build_plot(self) -> pg.PlotWidget:
        import pyqtgraph as pg

        plot = pg.PlotWidget(self, background="w")
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(False, False)
        plot.setAcceptDrops(False)  # a dropped folder goes to the tab
        plot.hideButtons()
        plot.invertY(True)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(style.MUTED)
            plot.getAxis(axis).setPen(style.BORDER)
        plot.getAxis("left").setStyle(tickLength=0)
        for part, color in (("train", style.ACCENT), ("val", VAL_COLOR)):
            self._bars[part] = pg.BarGraphItem(
                x0=[], y=[], height=BAR_HEIGHT, width=[], brush=color, pen=pg.mkPen(None)
            )
            plot.addItem(self._bars[part])
        plot.setTitle(
            f"<span style='color:{style.ACCENT}'>■</span> training &nbsp; "
            f"<span style='color:{VAL_COLOR}'>■</span> validation",
            size="9pt",
            color=style.MUTED,
        )
        self.layout().addWidget(plot)
        return plot

    def _draw(self, plot: pg.PlotWidget) -> None:
        classes = self.classes
        plot.setVisible(bool(classes))
        self.empty.setVisible(not classes)
        train, val = np.array(self.counts["train"], dtype=float), np.array(self.counts["val"], dtype=float)
        positions = np.arange(len(classes))
        self._bars["train"].setOpts(x0=np.zeros(len(classes)), y=positions, width=train)
        self._bars["val"].setOpts(x0=train, y=positions, width=val)
        step = max(1, -(-len(classes) // MAX_NAMES))
        plot.getAxis("left").setTicks([[(i, classes[i]) for i in range(0, len(classes), step)], []])
        total = (train + val).max() if len(classes) else 1
        plot.setXRange(0, float(total) * 1.05, padding=0)
        plot.setYRange(-0.6, max(len(classes), 1) - 0.4, padding=0)
