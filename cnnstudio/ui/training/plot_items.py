"""The look of the live training plots: their colours, the style of each plot, and the curves of points
(per epoch) that several plots draw."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGraphicsItem

from cnnstudio.ui import style

TRAIN_COLOR = style.ACCENT
ACCURACY_COLOR = "#1a7f37"
VALIDATION_COLOR = "#d9480f"
LR_COLOR = "#8250df"
GRID_COLOR = "#6e7781"  # GridItem draws it at alpha ≤ 50/255: a light grey
OVERLAY_COLORS = ("#6e7781", "#bf3989", "#0a7d8c", "#9a6700", "#57606a", "#cf222e")


def faint(color: str, share: float = 0.3) -> QColor:
    """`color` mixed with white: opaque, so the raw curves draw as fast as the others (no blending)."""
    base = QColor(color)
    return QColor(*(round(255 + (channel - 255) * share) for channel in (base.red(), base.green(), base.blue())))


def set_plot_title(plot: pg.PlotItem, title: str) -> None:
    plot.setTitle(f"<span style='color:{style.TEXT};font-size:10pt'>{title}</span>")


def style_plot(plot: pg.PlotItem, title: str) -> None:
    """A plot over the epoch axis: title, light grid, cheap redraws (clip to view, peak downsampling)."""
    set_plot_title(plot, title)
    grid = pg.GridItem(pen=pg.mkPen(GRID_COLOR), textPen=None)  # cheaper to redraw than axis grids
    grid.setTickSpacing(x=[None], y=[None])
    plot.addItem(grid, ignoreBounds=True)
    plot.setClipToView(True)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for axis in ("left", "bottom"):
        # setPen also recolours the axis label, and setTextPen sets it to the tick colour: so in this order,
        # then the label last (it used to come out in the faint border colour)
        plot.getAxis(axis).setPen(style.BORDER)
        plot.getAxis(axis).setTextPen(style.MUTED)
        plot.getAxis(axis).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    plot.setLabel("bottom", "Epoch", color=style.TEXT)
    plot.titleLabel.setCacheMode(QGraphicsItem.DeviceCoordinateCache)


def epoch_points(
    plot: pg.PlotItem, x: Any, y: Any, color: str, overlay: bool = False, **options: Any
) -> pg.PlotDataItem:
    """Validation points joined by a line: the current run's dashed with round points, another run's (an
    overlay) solid with triangles. `options` go to plot.plot (e.g. name= for the legend)."""
    if overlay:
        pen, symbol, symbol_pen = pg.mkPen(color, width=1.5), "t", pg.mkPen(color)
    else:
        pen, symbol, symbol_pen = pg.mkPen(color, width=1.5, style=Qt.DashLine), "o", pg.mkPen("w")
    return plot.plot(x, y, pen=pen, symbol=symbol, symbolSize=7, symbolBrush=color, symbolPen=symbol_pen, **options)
