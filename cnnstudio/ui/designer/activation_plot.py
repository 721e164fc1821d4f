"""A small plot of an activation layer's function (computed by cnnstudio.pytorch.activation_curves)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from cnnstudio.pytorch.activation_curves import X_RANGE
from cnnstudio.ui import style


class ActivationPlot(pg.PlotWidget):
    """f(x) on [−5, 5], drawn once and updated with setData."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(150)
        self.setMaximumHeight(190)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(style.MUTED)
            self.getAxis(axis).setPen(style.BORDER)
        self.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(style.BORDER)))
        self.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.BORDER)))
        self.curve = self.plot([], [], pen=pg.mkPen(style.ACCENT, width=2.2))

    def show_curve(self, layer_type: str, x: np.ndarray, y: np.ndarray) -> None:
        """Plot f(x) of a `layer_type` activation (see cnnstudio.pytorch.activation_curves)."""
        self.curve.setData(x, y)
        low, high = float(y.min()), float(y.max())
        pad = max((high - low) * 0.08, 0.1)
        self.setXRange(*X_RANGE, padding=0)
        self.setYRange(low - pad, high + pad, padding=0)
        self.setTitle(f"<span style='color:{style.MUTED};font-size:9pt'>{layer_type}(x)</span>")
