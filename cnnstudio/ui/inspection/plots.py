"""The look of the Inspect tab's plots (pyqtgraph): no context menu or buttons, axes in the theme's
muted colours (the widgets are made with a white background)."""

from __future__ import annotations

import pyqtgraph as pg

from cnnstudio.ui import style


def style_plot(plot: pg.PlotWidget) -> None:
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for axis in ("left", "bottom"):
        plot.getAxis(axis).setTextPen(style.MUTED)
        plot.getAxis(axis).setPen(style.BORDER)
