"""Live training plots in the style of MATLAB's training-progress window.

Loss (raw per-message values, faint, under an exponential moving average whose weight a slider
sets, with the validation loss of each epoch as points), training and validation accuracy, and the
learning rate, all over a common epoch axis (a batch message at batch b of B in epoch e sits at
e − 1 + b/B), so curves of other runs, which are known per epoch, overlay them directly.

Every curve is created once and updated with setData from growing numpy buffers; clip-to-view and
peak downsampling keep redrawing cheap with 100,000+ points. `refresh()` draws what arrived since
the last call: the tab calls it once per poll of the worker (five times a second).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.engine.events import BatchMetrics
from cnnstudio.engine.run_folders import EpochHistory, RunRecord
from cnnstudio.ui import style
from cnnstudio.ui.training.series import GrowingArray, Smoother

DEFAULT_SMOOTHING = 0.6
TRAIN_COLOR = style.ACCENT
ACCURACY_COLOR = "#1a7f37"
VALIDATION_COLOR = "#d9480f"
LR_COLOR = "#8250df"
GRID_COLOR = "#6e7781"  # GridItem draws it at alpha ≤ 50/255: a light grey
OVERLAY_COLORS = ("#6e7781", "#bf3989", "#0a7d8c", "#9a6700", "#57606a", "#cf222e")


def _faint(color: str, share: float = 0.3) -> QColor:
    """`color` mixed with white: opaque, so the raw curves draw as fast as the others (no blending)."""
    base = QColor(color)
    return QColor(*(round(255 + (channel - 255) * share) for channel in (base.red(), base.green(), base.blue())))


class TrainingPlots(QWidget):
    """The loss, accuracy and learning-rate plots of the current run, plus overlays of other runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.smoothing = DEFAULT_SMOOTHING
        # batch messages: x (epochs), optimizer step, loss, accuracy (fraction), learning rate
        self.x, self.step, self.loss, self.accuracy, self.lr = (GrowingArray() for _ in range(5))
        self.loss_smooth, self.accuracy_smooth = GrowingArray(), GrowingArray()
        self._loss_smoother, self._accuracy_smoother = Smoother(self.smoothing), Smoother(self.smoothing)
        # epoch summaries with validation values
        self.val_epoch, self.val_loss, self.val_accuracy = GrowingArray(64), GrowingArray(64), GrowingArray(64)
        self._dirty = False
        self._overlays: list[pg.PlotDataItem] = []
        self._overlay_lr_max = 0.0
        self._overlay_epochs = 0
        self._run_epochs = 0  # the length of the run being plotted (0: unknown)

        self.slider = QSlider(Qt.Horizontal)
        self.slider.setRange(0, 99)
        self.slider.setValue(round(self.smoothing * 100))
        self.slider.setMinimumWidth(60)
        self.slider.setMaximumWidth(160)
        self.slider.setToolTip(
            "Weight of the exponential moving average drawn over the raw training values "
            "(as in TensorBoard): 0 shows the raw values, 0.99 a very smooth trend."
        )
        self.slider_value = QLabel(f"{self.smoothing:.2f}")
        self.slider_value.setMinimumWidth(32)
        self.hint = QLabel("Hover over a plot to read its values")
        self.hint.setProperty("role", "muted")
        self.hint.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.hint.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # gives way in a narrow window
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 2, 10, 0)
        bar.addWidget(QLabel("Smoothing"))
        bar.addWidget(self.slider)
        bar.addWidget(self.slider_value)
        bar.addWidget(self.hint, 1)

        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setBackground("w")
        self.loss_plot = self.canvas.addPlot(row=0, col=0, colspan=2)
        self.accuracy_plot = self.canvas.addPlot(row=1, col=0)
        self.lr_plot = self.canvas.addPlot(row=1, col=1)
        self.canvas.ci.layout.setRowStretchFactor(0, 3)
        self.canvas.ci.layout.setRowStretchFactor(1, 2)
        self.plots = (self.loss_plot, self.accuracy_plot, self.lr_plot)
        for plot, title in zip(self.plots, ("Loss", "Accuracy (%)", "Learning rate"), strict=True):
            self._style_plot(plot, title)
        self.accuracy_plot.setYRange(0, 100, padding=0.04)

        legend = self.loss_plot.addLegend(
            offset=(-12, 10), labelTextColor=style.TEXT, brush=pg.mkBrush("#ffffffd0"), pen=pg.mkPen(style.BORDER)
        )
        self.legend = legend
        legend.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.loss_raw = self.loss_plot.plot([], [], pen=pg.mkPen(_faint(TRAIN_COLOR), width=1), name="Training")
        self.loss_smoothed = self.loss_plot.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2), name="Training (smoothed)")
        self.loss_val = self.loss_plot.plot(
            [],
            [],
            pen=pg.mkPen(VALIDATION_COLOR, width=1.5, style=Qt.DashLine),
            symbol="o",
            symbolSize=7,
            symbolBrush=VALIDATION_COLOR,
            symbolPen=pg.mkPen("w"),
            name="Validation",
        )
        self.accuracy_raw = self.accuracy_plot.plot([], [], pen=pg.mkPen(_faint(ACCURACY_COLOR), width=1))
        self.accuracy_smoothed = self.accuracy_plot.plot([], [], pen=pg.mkPen(ACCURACY_COLOR, width=2))
        self.accuracy_val = self.accuracy_plot.plot(
            [],
            [],
            pen=pg.mkPen(VALIDATION_COLOR, width=1.5, style=Qt.DashLine),
            symbol="o",
            symbolSize=7,
            symbolBrush=VALIDATION_COLOR,
            symbolPen=pg.mkPen("w"),
        )
        self.lr_curve = self.lr_plot.plot([], [], pen=pg.mkPen(LR_COLOR, width=2))

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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)

        self.slider.valueChanged.connect(lambda value: self.set_smoothing(value / 100))
        self._mouse_proxy = pg.SignalProxy(self.canvas.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    def _style_plot(self, plot: pg.PlotItem, title: str) -> None:
        plot.setTitle(f"<span style='color:{style.TEXT};font-size:10pt'>{title}</span>")
        grid = pg.GridItem(pen=pg.mkPen(GRID_COLOR), textPen=None)  # cheaper to redraw than axis grids
        grid.setTickSpacing(x=[None], y=[None])
        plot.addItem(grid, ignoreBounds=True)
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setLabel("bottom", "Epoch", color=style.MUTED)
        for axis in ("left", "bottom"):
            plot.getAxis(axis).setTextPen(style.MUTED)
            plot.getAxis(axis).setPen(style.BORDER)
            plot.getAxis(axis).setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        plot.titleLabel.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    # ----- data
    @property
    def point_count(self) -> int:
        """Batch messages plotted so far."""
        return len(self.x)

    @property
    def epoch_count(self) -> int:
        """Epoch points (with a validation value) plotted so far."""
        return len(self.val_epoch)

    def begin(self, epochs: int) -> None:
        """A run of `epochs` epochs starts: the epoch axis spans all of it (as MATLAB's plots do), so
        it does not rescale, and need not be redrawn, with every new point."""
        self._run_epochs = epochs
        self._fit_x_range()

    def _fit_x_range(self) -> None:
        right = max(self._run_epochs, self._overlay_epochs)
        for plot in self.plots:
            if right:
                plot.setXRange(0, right, padding=0.01)
            else:
                plot.enableAutoRange(axis="x")

    def clear(self) -> None:
        """Forget the current run's points (overlays stay)."""
        for buffer in (
            self.x,
            self.step,
            self.loss,
            self.accuracy,
            self.lr,
            self.loss_smooth,
            self.accuracy_smooth,
            self.val_epoch,
            self.val_loss,
            self.val_accuracy,
        ):
            buffer.clear()
        self._loss_smoother, self._accuracy_smoother = Smoother(self.smoothing), Smoother(self.smoothing)
        self._dirty = True
        self.refresh()

    def add_batches(self, messages: Sequence[BatchMetrics]) -> None:
        if not messages:
            return
        count = len(messages)
        x, step, loss, accuracy, lr = (np.empty(count) for _ in range(5))
        for i, message in enumerate(messages):
            x[i] = message.epoch - 1 + message.batch / max(1, message.batches)
            step[i], loss[i], accuracy[i], lr[i] = message.step, message.loss, message.accuracy, message.lr
        for buffer, values in (
            (self.x, x),
            (self.step, step),
            (self.loss, loss),
            (self.accuracy, accuracy),
            (self.lr, lr),
        ):
            buffer.extend(values)
        self.loss_smooth.extend(self._loss_smoother.extend(loss))
        self.accuracy_smooth.extend(self._accuracy_smoother.extend(accuracy))
        self._dirty = True

    def add_epoch(self, epoch: int, val_loss: float | None, val_accuracy: float | None) -> None:
        """An epoch's validation values (epochs without validation data add nothing)."""
        if val_loss is None or val_accuracy is None:
            return
        self.val_epoch.append(epoch)
        self.val_loss.append(val_loss)
        self.val_accuracy.append(val_accuracy)
        self._dirty = True

    def add_history(self, history: EpochHistory, up_to_epoch: int) -> None:
        """The validation points of a run's earlier epochs (when it is resumed)."""
        for epoch, loss, accuracy in zip(history.epoch, history.val_loss, history.val_acc, strict=True):
            if epoch <= up_to_epoch:
                self.add_epoch(epoch, loss, accuracy)

    def set_smoothing(self, weight: float) -> None:
        self.smoothing = min(max(weight, 0.0), 0.99)
        self.slider_value.setText(f"{self.smoothing:.2f}")
        if self.slider.value() != round(self.smoothing * 100):
            self.slider.setValue(round(self.smoothing * 100))
        for raw, smooth, name in (
            (self.loss, self.loss_smooth, "_loss_smoother"),
            (self.accuracy, self.accuracy_smooth, "_accuracy_smoother"),
        ):
            smoother = Smoother(self.smoothing)
            values = smoother.extend(raw.values)
            smooth.clear()
            smooth.extend(values)
            setattr(self, name, smoother)
        self._dirty = True
        self.refresh()

    def refresh(self) -> None:
        """Draw what changed since the last call."""
        if not self._dirty:
            return
        self._dirty = False
        x = self.x.values
        self.loss_raw.setData(x, self.loss.values)
        self.loss_smoothed.setData(x, self.loss_smooth.values)
        self.accuracy_raw.setData(x, self.accuracy.values * 100)
        self.accuracy_smoothed.setData(x, self.accuracy_smooth.values * 100)
        self.lr_curve.setData(x, self.lr.values)
        self._fit_lr_range()
        epochs = self.val_epoch.values
        self.loss_val.setData(epochs, self.val_loss.values)
        self.accuracy_val.setData(epochs, self.val_accuracy.values * 100)

    # ----- other runs
    def set_overlays(self, records: Sequence[RunRecord]) -> None:
        """Draw the per-epoch curves of these runs behind the current one (dashed: training, points: validation)."""
        for item in self._overlays:
            for plot in self.plots:
                if item in plot.listDataItems():
                    plot.removeItem(item)
            self.legend.removeItem(item)
        self._overlays = []
        self._overlay_lr_max = max((max(record.history.lr) for record in records if record.history.lr), default=0.0)
        self._overlay_epochs = max((record.history.epoch[-1] for record in records if record.history.epoch), default=0)
        for index, record in enumerate(records):
            history = record.history
            if not history.epoch:
                continue
            color = OVERLAY_COLORS[index % len(OVERLAY_COLORS)]
            dashed = pg.mkPen(color, width=1.5, style=Qt.DashLine)
            epochs = np.asarray(history.epoch, dtype=float)
            val_epochs, val_loss, val_acc = _present(history.epoch, history.val_loss, history.val_acc)
            items = [
                self.loss_plot.plot(epochs, history.train_loss, pen=dashed),
                self.loss_plot.plot(
                    val_epochs,
                    val_loss,
                    pen=pg.mkPen(color, width=1.5),
                    symbol="t",
                    symbolSize=7,
                    symbolBrush=color,
                    symbolPen=pg.mkPen(color),
                    name=record.name,
                ),
                self.accuracy_plot.plot(epochs, np.asarray(history.train_acc) * 100, pen=dashed),
                self.accuracy_plot.plot(
                    val_epochs,
                    val_acc * 100,
                    pen=pg.mkPen(color, width=1.5),
                    symbol="t",
                    symbolSize=7,
                    symbolBrush=color,
                    symbolPen=pg.mkPen(color),
                ),
                self.lr_plot.plot(epochs, history.lr, pen=dashed),
            ]
            for item in items:
                item.setZValue(-1)
            self._overlays += items
        self._fit_lr_range()
        self._fit_x_range()

    def _fit_lr_range(self) -> None:
        """The learning-rate axis starts at 0, so a constant rate is a flat line at its value (auto range
        would centre it in ±0.5)."""
        highest = max(self._overlay_lr_max, float(self.lr.values.max()) if len(self.lr) else 0.0)
        if highest > 0:
            self.lr_plot.setYRange(0.0, highest * 1.1, padding=0)
        else:
            self.lr_plot.enableAutoRange(axis="y")

    @property
    def overlay_count(self) -> int:
        return len(self._overlays)

    # ----- hover readout
    def readout_at(self, x: float) -> str | None:
        """What the plots show nearest to epoch position `x` (HTML), or None when there is nothing."""
        lines = []
        if len(self.x):
            values = self.x.values
            i = int(np.clip(np.searchsorted(values, x), 0, len(values) - 1))
            if i > 0 and abs(values[i - 1] - x) < abs(values[i] - x):
                i -= 1
            lines += [
                f"<b>Epoch {values[i]:.2f}</b> · step {int(self.step.values[i]):,}",
                f"loss {self.loss.values[i]:.4g} · smoothed {self.loss_smooth.values[i]:.4g}",
                f"accuracy {self.accuracy.values[i]:.1%} · smoothed {self.accuracy_smooth.values[i]:.1%}",
                f"learning rate {self.lr.values[i]:.3g}",
            ]
        if len(self.val_epoch):
            epochs = self.val_epoch.values
            j = int(np.argmin(np.abs(epochs - x)))
            if abs(epochs[j] - x) <= 0.5 or not lines:
                lines.append(
                    f"<span style='color:{VALIDATION_COLOR}'>validation after epoch {int(epochs[j])}: "
                    f"loss {self.val_loss.values[j]:.4g} · accuracy {self.val_accuracy.values[j]:.1%}</span>"
                )
        if not lines:
            return None
        return f"<div style='color:{style.TEXT};font-size:9pt'>{'<br>'.join(lines)}</div>"

    def _mouse_moved(self, args: tuple) -> None:
        position: QPointF = args[0]
        hovered = next((plot for plot in self.plots if plot.vb.sceneBoundingRect().contains(position)), None)
        text = None
        if hovered is not None:
            point = hovered.vb.mapSceneToView(position)
            text = self.readout_at(point.x())
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

    @property
    def readout_visible(self) -> bool:
        return any(readout.isVisible() for readout in self.readouts)

    def readout_text(self) -> str:
        return next((readout.textItem.toPlainText() for readout in self.readouts if readout.isVisible()), "")


def _present(
    epochs: list[int], losses: list[float | None], accuracies: list[float | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The epochs that have validation values, and those values."""
    kept = [
        (epoch, loss, accuracy)
        for epoch, loss, accuracy in zip(epochs, losses, accuracies, strict=True)
        if loss is not None and accuracy is not None
    ]
    if not kept:
        return np.empty(0), np.empty(0), np.empty(0)
    columns = np.asarray(kept, dtype=float)
    return columns[:, 0], columns[:, 1], columns[:, 2]
