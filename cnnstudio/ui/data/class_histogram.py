"""The number of images per class, training and validation stacked, class names on the axis."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from cnnstudio.data import DataSplit
from cnnstudio.ui import style

VAL_COLOR = "#9ec5fe"
BAR_HEIGHT = 0.7
# With more classes than this, only every n-th name is written so the names do not overlap.
MAX_NAMES = 24


class ClassHistogram(pg.PlotWidget):
    """Horizontal bars (long class names read better on the vertical axis); built once, then setOpts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(170)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.setAcceptDrops(False)  # a dropped folder goes to the tab
        self.hideButtons()
        self.invertY(True)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(style.MUTED)
            self.getAxis(axis).setPen(style.BORDER)
        self.getAxis("left").setStyle(tickLength=0)
        self.counts: dict[str, list[int]] = {"train": [], "val": []}
        self.train_bars = pg.BarGraphItem(
            x0=[], y=[], height=BAR_HEIGHT, width=[], brush=style.ACCENT, pen=pg.mkPen(None)
        )
        self.val_bars = pg.BarGraphItem(x0=[], y=[], height=BAR_HEIGHT, width=[], brush=VAL_COLOR, pen=pg.mkPen(None))
        self.addItem(self.train_bars)
        self.addItem(self.val_bars)
        self.setTitle(
            f"<span style='color:{style.ACCENT}'>■</span> training &nbsp; "
            f"<span style='color:{VAL_COLOR}'>■</span> validation",
            size="9pt",
            color=style.MUTED,
        )

    def set_split(self, split: DataSplit | None) -> None:
        if split is None:
            classes: list[str] = []
            train = val = np.zeros(0)
        else:
            classes = split.classes
            train, val = split.train.class_counts(), split.val.class_counts()
        self.counts = {"train": train.astype(int).tolist(), "val": val.astype(int).tolist()}
        positions = np.arange(len(classes))
        self.train_bars.setOpts(x0=np.zeros(len(classes)), y=positions, width=train)
        self.val_bars.setOpts(x0=train, y=positions, width=val)
        step = max(1, -(-len(classes) // MAX_NAMES))
        self.getAxis("left").setTicks([[(i, classes[i]) for i in range(0, len(classes), step)], []])
        total = (train + val).max() if len(classes) else 1
        self.setXRange(0, float(total) * 1.05, padding=0)
        self.setYRange(-0.6, max(len(classes), 1) - 0.4, padding=0)
