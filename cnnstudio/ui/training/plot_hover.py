"""The hover readout of the live training plots: a vertical cursor on every plot at the mouse's epoch, and
on the plot under the mouse a label with the values there (batch and validation)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt

from cnnstudio.ui import style
from cnnstudio.ui.training.plot_items import VALIDATION_COLOR
from cnnstudio.ui.training.series import TrainingSeries


def readout_html(series: TrainingSeries, x: float) -> str | None:
    """What the plots show nearest to epoch position `x` (HTML), or None when there is nothing."""
    lines = []
    i = series.nearest_batch(x)
    if i is not None:
        lines += [
            f"<b>Epoch {series.x.values[i]:.2f}</b> · step {int(series.step.values[i]):,}",
            f"loss {series.loss.values[i]:.4g} · smoothed {series.loss_smooth.values[i]:.4g}",
            f"accuracy {series.accuracy.values[i]:.1%} · smoothed {series.accuracy_smooth.values[i]:.1%}",
            f"learning rate {series.lr.values[i]:.3g}",
        ]
    j = series.nearest_epoch(x)
    if j is not None:
        epoch = float(series.val_epoch.values[j])
        if abs(epoch - x) <= 0.5 or not lines:
            when = f"after epoch {int(epoch)}" if epoch.is_integer() else f"at epoch {epoch:.2f}"
            lines.append(
                f"<span style='color:{VALIDATION_COLOR}'>validation {when}: "
                f"loss {series.val_loss.values[j]:.4g} · accuracy {series.val_accuracy.values[j]:.1%}</span>"
            )
    if not lines:
        return None
    return f"<div style='color:{style.TEXT};font-size:9pt'>{'<br>'.join(lines)}</div>"


class HoverReadout:
    """Cursors and readout labels on `plots`, following the mouse over `canvas` (at most 30 times a second)."""

    def __init__(self, canvas: pg.GraphicsLayoutWidget, plots: Sequence[pg.PlotItem], series: TrainingSeries) -> None:
        self.plots, self.series = tuple(plots), series
        self.cursors = [
            pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(style.MUTED, style=Qt.DotLine)) for _ in self.plots
        ]
        self.readouts = [
            pg.TextItem(anchor=(0, 0), fill=pg.mkBrush("#ffffffe6"), border=pg.mkPen(style.BORDER)) for _ in self.plots
        ]
        for plot, cursor, readout in zip(self.plots, self.cursors, self.readouts, strict=True):
            for item in (cursor, readout):
                item.setVisible(False)
                plot.addItem(item, ignoreBounds=True)
                item.setZValue(20)
        self._proxy = pg.SignalProxy(canvas.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    @property
    def visible(self) -> bool:
        return any(readout.isVisible() for readout in self.readouts)

    def text(self) -> str:
        return next((readout.textItem.toPlainText() for readout in self.readouts if readout.isVisible()), "")

    def _mouse_moved(self, args: tuple) -> None:
        position: QPointF = args[0]
        hovered = next((plot for plot in self.plots if plot.vb.sceneBoundingRect().contains(position)), None)
        text = None
        if hovered is not None:
            point = hovered.vb.mapSceneToView(position)
            text = readout_html(self.series, point.x())
        for plot, cursor, readout in zip(self.plots, self.cursors, self.readouts, strict=True):
            cursor.setVisible(text is not None)
            readout.setVisible(text is not None and plot is hovered)
            if text is None:
                continue
            cursor.setPos(point.x())
            if plot is hovered:
                readout.setHtml(text)
                (left, right), (_, top) = plot.vb.viewRange()
                # keep the label inside the plot: to the left of the cursor in the right half
                readout.setAnchor((1.0, 0.0) if point.x() > (left + right) / 2 else (0.0, 0.0))
                readout.setPos(point.x(), min(top, point.y()))
