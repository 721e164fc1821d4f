"""The weights half of the Filters view: a table of every weight tensor with how much it changed since the
previous model, and the histogram of the chosen one (over the previous model's, when there is one)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.ui.inspection.plots import style_plot
from cnnstudio.ui.widgets.labels import heading, muted
from cnnstudio.ui.widgets.tables import ReadOnlyTable
from cnnstudio.viz.weightstats import TensorStats, Weights

COLUMNS = ("Tensor", "Shape", "Change")


class WeightsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.weights: Weights | None = None
        self.selected = ""
        self.table = ReadOnlyTable(COLUMNS)
        self.table.itemSelectionChanged.connect(self._tensor_chosen)
        self.plot = pg.PlotWidget(background="w")
        style_plot(self.plot)
        self.plot.setMouseEnabled(False, False)
        self.plot.setMinimumHeight(170)
        self.plot.setMaximumHeight(280)
        self.plot.setLabel("left", "count")
        self.before_curve = self.plot.plot([0, 1], [0], stepMode="center", pen=pg.mkPen("#8c959f", width=1.5))
        self.after_curve = self.plot.plot(
            [0, 1], [0], stepMode="center", fillLevel=0, brush=(31, 111, 235, 90), pen=pg.mkPen(style.ACCENT, width=1.5)
        )
        self.histogram_title = QLabel()
        self.histogram_title.setWordWrap(True)
        self.change_label = muted()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Weights"))
        layout.addWidget(self.change_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.histogram_title)
        layout.addWidget(self.plot)

    def show_weights(self, weights: Weights) -> None:
        self.weights = weights
        self.table.blockSignals(True)
        self.table.setRowCount(len(weights.stats))
        for row, stats in enumerate(weights.stats):
            change = weights.changes.get(stats.name)
            cells = (
                stats.name,
                format_shape(stats.shape),
                f"{change.relative_change:.2%}" if change is not None else "—",
            )
            tip = f"{stats.name}: {describe(stats)}"
            items = self.table.set_row(row, cells, tooltips=(tip,) * len(cells), data=stats.name)
            for item in items[1:]:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.table.blockSignals(False)
        if weights.compared_with:
            self.change_label.setText(
                f"Change = ‖after − before‖ / ‖before‖ since the previous model: {weights.compared_with}"
            )
        else:
            self.change_label.setText(
                "Change since the previous model appears when the model is refreshed (each epoch of a training run)."
            )
        self.select_tensor(self.selected or (weights.stats[0].name if weights.stats else ""))

    def select_tensor(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == name:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
                self.selected = name
                self._plot_tensor(name)
                return

    def _tensor_chosen(self) -> None:
        items = self.table.selectedItems()
        if items:
            self.selected = items[0].data(Qt.UserRole)
            self._plot_tensor(self.selected)

    def _plot_tensor(self, name: str) -> None:
        if self.weights is None:
            return
        stats = next((stats for stats in self.weights.stats if stats.name == name), None)
        if stats is None:
            return
        change = self.weights.changes.get(name)
        if change is not None:
            self.after_curve.setData(change.after.edges, change.after.counts)
            self.before_curve.setData(change.before.edges, change.before.counts)
            self.before_curve.show()
            self.histogram_title.setText(
                f"<b>{name}</b>: this model (blue) and the previous one (grey outline); "
                f"mean |Δ| {format_value(change.mean_abs_change)}, "
                f"max |Δ| {format_value(change.max_abs_change)}"
            )
        else:
            self.after_curve.setData(stats.histogram.edges, stats.histogram.counts)
            self.before_curve.hide()
            self.histogram_title.setText(f"<b>{name}</b>: {describe(stats)}")
        self.plot.enableAutoRange()


def describe(stats: TensorStats) -> str:
    return f"{format_shape(stats.shape)}, mean {format_value(stats.mean)}, std {format_value(stats.std)}"
