"""The Experiments tab's plots (pyqtgraph): the optimisation history, the parameter importances and the
Pareto scatter of accuracy against a cost. They draw what cnnstudio.experiments.views computed."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QTabWidget, QVBoxLayout, QWidget

from cnnstudio.experiments.views import ExperimentView, history, pareto_points

COSTS = ("params", "flops", "latency")


def _plot(title: str, bottom: str, left: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background="w")
    plot.setTitle(title, color="k")
    plot.setLabel("bottom", bottom)
    plot.setLabel("left", left)
    plot.showGrid(x=True, y=True, alpha=0.25)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)  # percentages and counts, not "×0.001"
    return plot


class ExperimentPlots(QTabWidget):
    """History, Importances and Pareto pages; `show_view` redraws them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = _plot("Optimisation history", "trial", "validation accuracy (%)")
        self.history.addLegend(offset=(-10, 10))
        self.importances = _plot("Parameter importances (Optuna)", "importance", "")
        self.pareto_page = QWidget()
        self.cost = QComboBox()
        self.cost.setToolTip("The cost the accuracy is plotted against")
        self.cost.currentIndexChanged.connect(self._draw_pareto)
        self.pareto = _plot("Accuracy against cost (red: the best trials)", "params", "validation accuracy (%)")
        layout = QVBoxLayout(self.pareto_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.cost)
        layout.addWidget(self.pareto)
        self.addTab(self.history, "History")
        self.addTab(self.importances, "Importances")
        self.addTab(self.pareto_page, "Pareto")
        self.view: ExperimentView | None = None

    def show_view(self, view: ExperimentView) -> None:
        self.view = view
        self._draw_history()
        self._draw_importances()
        costs = [name for name in view.objectives[1:]] or ["params"]
        if costs != [self.cost.itemText(index) for index in range(self.cost.count())]:
            self.cost.blockSignals(True)
            self.cost.clear()
            self.cost.addItems(costs)
            self.cost.blockSignals(False)
        self._draw_pareto()

    def _draw_history(self) -> None:
        assert self.view is not None
        numbers, values, best = history(self.view.rows)
        values, best = [100 * value for value in values], [100 * value for value in best]
        self.history.clear()
        self.history.plot(numbers, values, pen=None, symbol="o", symbolBrush="#4c72b0", name="trial")
        self.history.plot(numbers, best, pen=pg.mkPen("#dd8452", width=2), name="best so far")

    def _draw_importances(self) -> None:
        assert self.view is not None
        plot = self.importances
        plot.clear()
        names = list(self.view.importances)
        if not names:
            plot.setTitle("Parameter importances (after two completed trials)", color="k")
            return
        plot.setTitle("Parameter importances (Optuna)", color="k")
        heights = [self.view.importances[name] for name in reversed(names)]
        plot.addItem(pg.BarGraphItem(x0=0, y=list(range(len(names))), height=0.6, width=heights, brush="#4c72b0"))
        axis = plot.getAxis("left")
        axis.setTicks([list(enumerate(reversed(names)))])
        axis.setWidth(QFontMetrics(axis.font()).horizontalAdvance(max(names, key=len)) + 16)  # else hidden

    def _draw_pareto(self) -> None:
        if self.view is None or not self.cost.currentText():
            return
        cost = self.cost.currentText()
        points = pareto_points(self.view.rows, self.view.objectives, cost)
        front = {row.number for row in self.view.best}
        self.pareto.clear()
        self.pareto.setLabel("bottom", cost)
        for on_front, colour in ((False, "#9aa5b1"), (True, "#c44e52")):
            chosen = [point for point in points if (point[0] in front) == on_front]
            self.pareto.plot(
                [point[1] for point in chosen],
                [100 * point[2] for point in chosen],
                pen=None,
                symbol="o",
                symbolSize=9 if on_front else 7,
                symbolBrush=colour,
            )
