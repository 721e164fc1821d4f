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
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QHBoxLayout, QLabel, QSizePolicy, QSlider, QVBoxLayout, QWidget

from cnnstudio.engine.events import BatchMetrics
from cnnstudio.engine.run_folders import EpochHistory, RunRecord
from cnnstudio.ui import style
from cnnstudio.ui.training.plot_hover import HoverReadout
from cnnstudio.ui.training.plot_items import (
    ACCURACY_COLOR,
    LR_COLOR,
    OVERLAY_COLORS,
    TRAIN_COLOR,
    VALIDATION_COLOR,
    epoch_points,
    faint,
    set_plot_title,
    style_plot,
)
from cnnstudio.ui.training.series import TrainingSeries

DEFAULT_SMOOTHING = 0.6
X_PADDING = 0.04  # of the epoch range, on either side


class TrainingPlots(QWidget):
    """The loss, accuracy and learning-rate plots of the current run, plus overlays of other runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.series = TrainingSeries(DEFAULT_SMOOTHING)
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
            style_plot(plot, title)
        self.accuracy_plot.setYRange(0, 100, padding=0.04)
        # one epoch axis: a range set on (or panned in) one plot is every plot's. Not pyqtgraph's setXLink, which
        # lines side-by-side views up on the screen and so gives each of the lower plots a part of the range
        self._sharing_x = False
        for plot in self.plots:
            plot.sigXRangeChanged.connect(self._share_x_range)

        legend = self.loss_plot.addLegend(
            offset=(-12, 10), labelTextColor=style.TEXT, brush=pg.mkBrush("#ffffffd0"), pen=pg.mkPen(style.BORDER)
        )
        self.legend = legend
        legend.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.loss_raw = self.loss_plot.plot([], [], pen=pg.mkPen(faint(TRAIN_COLOR), width=1), name="Training")
        self.loss_smoothed = self.loss_plot.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2), name="Training (smoothed)")
        self.loss_val = epoch_points(self.loss_plot, [], [], VALIDATION_COLOR, name="Validation")
        self.accuracy_raw = self.accuracy_plot.plot([], [], pen=pg.mkPen(faint(ACCURACY_COLOR), width=1))
        self.accuracy_smoothed = self.accuracy_plot.plot([], [], pen=pg.mkPen(ACCURACY_COLOR, width=2))
        self.accuracy_val = epoch_points(self.accuracy_plot, [], [], VALIDATION_COLOR)
        self.lr_curve = self.lr_plot.plot([], [], pen=pg.mkPen(LR_COLOR, width=2))
        self.hover = HoverReadout(self.canvas, self.plots, self.series)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(bar)
        layout.addWidget(self.canvas, 1)

        self.slider.valueChanged.connect(lambda value: self.set_smoothing(value / 100))

    # ----- data
    @property
    def smoothing(self) -> float:
        return self.series.smoothing

    @property
    def point_count(self) -> int:
        """Batch messages plotted so far."""
        return len(self.series.x)

    @property
    def epoch_count(self) -> int:
        """Epoch points (with a validation value) plotted so far."""
        return len(self.series.val_epoch)

    def begin(self, epochs: int, task: str = "single-label") -> None:
        """A run of `epochs` epochs starts: the epoch axis spans all of it (as MATLAB's plots do), so
        it does not rescale, and need not be redrawn, with every new point. A multi-label run's scores
        are macro AUROCs, and the plot says so."""
        self._run_epochs = epochs
        set_plot_title(self.accuracy_plot, "Macro AUROC (%)" if task == "multi-label" else "Accuracy (%)")
        self._fit_x_range()

    def _fit_x_range(self) -> None:
        """The linked epoch axis spans the whole run, padded so the points at epoch 0 and at the last epoch
        (validation dots, 7 px) are drawn whole."""
        right = max(self._run_epochs, self._overlay_epochs)
        if right:
            self.loss_plot.setXRange(0, right, padding=X_PADDING)
        else:
            self.loss_plot.enableAutoRange(axis="x")

    def _share_x_range(self, view: pg.ViewBox, x_range: tuple[float, float]) -> None:
        if self._sharing_x:
            return
        self._sharing_x = True
        try:
            for plot in self.plots:
                if plot.getViewBox() is not view:
                    plot.setXRange(*x_range, padding=0)
        finally:
            self._sharing_x = False

    def clear(self) -> None:
        """Forget the current run's points (overlays stay)."""
        self.series.clear()
        self._dirty = True
        self.refresh()

    def add_batches(self, messages: Sequence[BatchMetrics]) -> None:
        if messages:
            self.series.add_batches(messages)
            self._dirty = True

    def add_epoch(self, epoch: float, val_loss: float | None, val_accuracy: float | None) -> None:
        """Validation values at epoch position `epoch`: an epoch's end, or a fraction of one for the validations
        every N batches (runs without validation data add nothing)."""
        if val_loss is not None and val_accuracy is not None:
            self.series.add_epoch(epoch, val_loss, val_accuracy)
            self._dirty = True

    def add_history(self, history: EpochHistory, up_to_epoch: int) -> None:
        """The validation points of a run's earlier epochs (when it is resumed)."""
        for epoch, loss, accuracy in zip(history.epoch, history.val_loss, history.val_acc, strict=True):
            if epoch <= up_to_epoch:
                self.add_epoch(epoch, loss, accuracy)

    def set_smoothing(self, weight: float) -> None:
        self.series.set_smoothing(min(max(weight, 0.0), 0.99))
        self.slider_value.setText(f"{self.smoothing:.2f}")
        if self.slider.value() != round(self.smoothing * 100):
            self.slider.setValue(round(self.smoothing * 100))
        self._dirty = True
        self.refresh()

    def refresh(self) -> None:
        """Draw what changed since the last call."""
        if not self._dirty:
            return
        self._dirty = False
        series = self.series
        x = series.x.values
        self.loss_raw.setData(x, series.loss.values)
        self.loss_smoothed.setData(x, series.loss_smooth.values)
        self.accuracy_raw.setData(x, series.accuracy.values * 100)
        self.accuracy_smoothed.setData(x, series.accuracy_smooth.values * 100)
        self.lr_curve.setData(x, series.lr.values)
        self._fit_lr_range()
        epochs = series.val_epoch.values
        self.loss_val.setData(epochs, series.val_loss.values)
        self.accuracy_val.setData(epochs, series.val_accuracy.values * 100)

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
                epoch_points(self.loss_plot, val_epochs, val_loss, color, overlay=True, name=record.name),
                self.accuracy_plot.plot(epochs, np.asarray(history.train_acc) * 100, pen=dashed),
                epoch_points(self.accuracy_plot, val_epochs, val_acc * 100, color, overlay=True),
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
        lr = self.series.lr
        highest = max(self._overlay_lr_max, float(lr.values.max()) if len(lr) else 0.0)
        if highest > 0:
            self.lr_plot.setYRange(0.0, highest * 1.1, padding=0)
        else:
            self.lr_plot.enableAutoRange(axis="y")

    @property
    def overlay_count(self) -> int:
        return len(self._overlays)

    # ----- hover readout
    @property
    def readout_visible(self) -> bool:
        return self.hover.visible

    def readout_text(self) -> str:
        return self.hover.text()


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
