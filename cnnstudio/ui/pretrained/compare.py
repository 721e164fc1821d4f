"""Network ▸ Compare Pretrained Networks…: ImageNet accuracy against size, compute and the latency
measured on this machine, as a table and a labelled scatter plot (Deep Network Designer's start page,
but measured).

Accuracy, parameters and GFLOPs come from the weights' metadata (offline). Latency is measured off the
GUI thread with `cnnstudio.pretrained.compare.compare_pretrained`, by default only for the networks whose
weights are here; torchvision's architectures can also be timed without their weights (random weights
compute exactly as much).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.pretrained.catalog import PretrainedInfo, pretrained_catalog
from cnnstudio.pretrained.compare import ComparisonRow, compare_pretrained
from cnnstudio.ui import style
from cnnstudio.ui.pretrained.catalog_table import CatalogTable
from cnnstudio.ui.tasks import Task, TaskRunner

LATENCY = "Latency (ms)"
X_AXES = {
    "params": "Parameters (millions, log scale)",
    "gflops": "GFLOPs per image (multiply-adds, log scale)",
    "latency": "Latency of one image on this machine (ms, log scale)",
}
_PERMILLE = 1000


class PlainLogAxis(pg.AxisItem):
    """A log-scale axis labelled with plain numbers (30, 50, 100, 200) at 1, 2 and 5 of each decade."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        strings = []
        for value in values:
            number = 10 ** float(value)
            mantissa = number / 10 ** math.floor(math.log10(number) + 1e-9)
            strings.append(f"{number:g}" if round(mantissa, 3) in (1.0, 2.0, 5.0) else "")
        return strings


SYMBOL_SIZE = 11
GAP = 3  # pixels between a point's symbol and its label
LAYOUT_PASSES = 6  # at most: a layout that changes no label ends sooner
# Where a label may sit beside its point, in order of preference: (side, shift). side: 1 right of the symbol,
# -1 left of it, 0 centred above (shift -1) or below (shift 1); beside the symbol, shift moves the label up
# (negative) or down by that many label heights from level with the point.
_PLACES = (
    (1, 0.0), (-1, 0.0), (1, -0.5), (-1, -0.5), (1, 0.5), (-1, 0.5), (0, -1.0), (0, 1.0),
    (1, -1.0), (-1, -1.0), (1, 1.0), (-1, 1.0),
)  # fmt: skip


def label_box(point: QPointF, size: QRectF, place: tuple[int, float]) -> QRectF:
    """The box of a label of `size` at `place` beside the symbol at `point` (scene pixels)."""
    side, shift = place
    reach = SYMBOL_SIZE / 2 + GAP
    width, height = size.width(), size.height()
    if side == 0:
        return QRectF(
            point.x() - width / 2, point.y() - reach - height if shift < 0 else point.y() + reach, width, height
        )
    left = point.x() + reach if side > 0 else point.x() - reach - width
    return QRectF(left, point.y() - height / 2 + shift * height, width, height)


def _overlap(box: QRectF, others: list[QRectF]) -> float:
    return sum(box.intersected(other).width() * box.intersected(other).height() for other in others)


class ComparePlot(pg.PlotWidget):
    """Top-1 accuracy against a chosen x value, one labelled point per network."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"bottom": PlainLogAxis("bottom")})
        self.setMenuEnabled(False)
        self.showGrid(x=True, y=True, alpha=0.25)
        self.setLogMode(x=True, y=False)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(style.TEXT)
            self.getAxis(axis).setPen(style.BORDER)
        self.setLabel("left", "ImageNet top-1 accuracy (%)", color=style.TEXT)
        # the legend is the title, above the plot area, where it covers no point or label
        self.setTitle(
            f"<span style='color:{style.ACCENT}'>●</span> weights on this computer &nbsp;&nbsp; "
            f"<span style='color:{style.MUTED}'>○</span> not downloaded",
            size="9pt",
            color=style.TEXT,
        )
        self.here = self.plot(
            [],
            [],
            pen=None,
            symbol="o",
            symbolSize=SYMBOL_SIZE,
            symbolBrush=style.ACCENT,
            symbolPen=pg.mkPen("#ffffff", width=1.5),
        )
        self.missing = self.plot(
            [],
            [],
            pen=None,
            symbol="o",
            symbolSize=SYMBOL_SIZE,
            symbolBrush="#ffffff",
            symbolPen=pg.mkPen(style.MUTED, width=1.5),
        )
        self.labels: dict[str, pg.TextItem] = {}
        self.points: dict[str, tuple[float, float]] = {}  # spec → (x, y) as plotted (x not logged)
        view = self.plotItem.vb
        view.sigRangeChanged.connect(self._place_labels)
        view.sigResized.connect(self._place_labels)

    def show_points(self, infos: list[PretrainedInfo], xs: dict[str, float], x_label: str) -> None:
        """Plot each network whose x value is known and that has a published accuracy."""
        self.points = {
            info.spec: (xs[info.spec], info.top1)
            for info in infos
            if info.top1 is not None and xs.get(info.spec, 0) > 0
        }
        for available, curve in ((True, self.here), (False, self.missing)):
            chosen = [info for info in infos if info.spec in self.points and info.available == available]
            curve.setData(
                np.array([self.points[i.spec][0] for i in chosen], dtype=float),
                np.array([self.points[i.spec][1] for i in chosen], dtype=float),
            )
        for info in infos:
            label = self.labels.get(info.spec)
            if label is None:
                label = pg.TextItem(info.title, color=style.TEXT, anchor=(0, 0))
                label.textItem.document().setDocumentMargin(1)  # its box hugs the text: crowded points keep room
                self.addItem(label)
                self.labels[info.spec] = label
            label.setVisible(info.spec in self.points)
        self.setLabel("bottom", x_label, color=style.TEXT)
        if self.points:
            self.autoRange(padding=0.12)
        self._place_labels()

    def _place_labels(self) -> None:
        """Put each label beside its point, inside the plot, where it covers no point and no other label.

        Each label in turn takes the first side (in `_PLACES`' order) that covers least of the points and of the
        labels placed so far; then each is moved again while that uncovers something (a crowded group of points
        needs the later labels' places to settle the earlier ones)."""
        view = self.plotItem.vb
        inside = view.sceneBoundingRect()
        scene_points = {spec: view.mapViewToScene(QPointF(math.log10(x), y)) for spec, (x, y) in self.points.items()}
        half = SYMBOL_SIZE / 2 + 1
        symbols = [QRectF(at.x() - half, at.y() - half, 2 * half, 2 * half) for at in scene_points.values()]
        choices = {}
        for spec, at in scene_points.items():
            boxes = [label_box(at, self.labels[spec].textItem.boundingRect(), place) for place in _PLACES]
            choices[spec] = [box for box in boxes if inside.contains(box)] or boxes
        order = sorted(self.points, key=lambda spec: (self.points[spec][1], self.points[spec][0]))
        placed: dict[str, QRectF] = {}
        for _ in range(LAYOUT_PASSES):
            moved = False
            for spec in order:
                others = [box for key, box in placed.items() if key != spec] + symbols
                best = min(choices[spec], key=lambda box, others=others: _overlap(box, others))  # the first least
                if spec not in placed or _overlap(best, others) < _overlap(placed[spec], others):
                    placed[spec], moved = best, True
            if not moved:
                break
        for spec, box in placed.items():
            self.labels[spec].setPos(view.mapSceneToView(box.topLeft()))


class CompareDialog(QDialog):
    """The comparison window (not modal: it can stay open beside the Designer). `catalog_loaded` once the
    table is filled; `timing_ended(message)` when a latency measurement finished, failed or was cancelled."""

    catalog_loaded = Signal()
    timing_ended = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, repeats: int = 10, device: str = "auto") -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare Pretrained Networks")
        self.resize(1180, 640)
        self.repeats = repeats
        self.device = device
        self.latency: dict[str, float] = {}
        self._tasks = TaskRunner("cnnstudio-compare", self)

        self.table = CatalogTable(extra_columns=(LATENCY,))
        self.plot = ComparePlot()
        self.x_axis = QComboBox()
        for key, text in X_AXES.items():
            self.x_axis.addItem(text.split(" (")[0], key)
        self.measure_button = QPushButton("Measure latency")
        self.measure_button.setToolTip("Time one image through each network on this machine")
        self.include_missing = QCheckBox("Also time networks that are not downloaded")
        self.include_missing.setToolTip(
            "Their architectures are timed with random weights, which compute "
            "exactly as much as the trained ones; nothing is downloaded"
        )
        self.cancel_button = QPushButton("Cancel")
        self.bar = QProgressBar()
        self.bar.setRange(0, _PERMILLE)
        self.status = QLabel(
            "Accuracy, parameters and GFLOPs are torchvision's published figures "
            "(EfficientNet-Lite0's: Google's). Latency is measured here."
        )
        self.status.setWordWrap(True)
        self.status.setProperty("role", "muted")

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Accuracy against"))
        controls.addWidget(self.x_axis)
        controls.addStretch(1)
        controls.addWidget(self.include_missing)
        controls.addWidget(self.measure_button)
        controls.addWidget(self.bar)
        controls.addWidget(self.cancel_button)
        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.plot)
        splitter.setSizes([600, 560])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.x_axis.currentIndexChanged.connect(lambda _index: self.redraw())
        self.measure_button.clicked.connect(self.measure)
        self.cancel_button.clicked.connect(self.cancel)
        self._show_progress(False)
        self.measure_button.setEnabled(False)
        self._run(lambda task: pretrained_catalog(), self._catalog_ready, timing=False)
        self.status.setText("Reading the catalog…")

    @property
    def infos(self) -> list[PretrainedInfo]:
        return self.table.infos

    def set_x_axis(self, key: str) -> None:
        self.x_axis.setCurrentIndex(self.x_axis.findData(key))

    def redraw(self) -> None:
        key = self.x_axis.currentData()
        if key == "params":
            xs = {info.spec: info.params / 1e6 for info in self.infos}
        elif key == "gflops":
            xs = {info.spec: info.gflops for info in self.infos}
        else:
            xs = dict(self.latency)
        self.plot.show_points(self.infos, xs, X_AXES[key])

    def specs_to_measure(self) -> list[str]:
        return [info.spec for info in self.infos if info.available or self.include_missing.isChecked()]

    def measure(self) -> None:
        if self._tasks.is_busy() or not self.infos:
            return
        specs = self.specs_to_measure()
        repeats, device = self.repeats, self.device

        def timing(task: Task) -> list[ComparisonRow]:
            return compare_pretrained(specs, device=device, repeats=repeats, progress=task.report)

        self.bar.setValue(0)
        self._show_progress(True)
        self._run(timing, self._measured, timing=True)

    def _run(self, function: Callable[[Task], Any], on_done: Callable[[Any], None], *, timing: bool) -> None:
        def ended(message: str, *, error: bool = False) -> None:
            self._ended(message, error=error)
            if timing:
                self.timing_ended.emit(self.status.text())

        self._tasks.submit(
            function,
            on_done=on_done,
            on_error=lambda error: ended(f"Failed: {error}", error=True),
            on_progress=self._progress,
            on_cancelled=lambda: ended("Timing cancelled."),
        )

    def _catalog_ready(self, infos: list[PretrainedInfo]) -> None:
        self.table.set_infos(infos)
        self._ended(
            "Accuracy, parameters and GFLOPs are torchvision's published figures (EfficientNet-Lite0's: "
            "Google's). Press Measure latency to time the networks on this machine."
        )
        self.redraw()
        self.catalog_loaded.emit()

    def cancel(self) -> None:
        self._tasks.cancel()

    def _progress(self, message: str, fraction: float) -> None:
        self.status.setText(message)
        self.bar.setValue(round(fraction * _PERMILLE))

    def _measured(self, rows: list[ComparisonRow]) -> None:
        for row in rows:
            self.latency[row.info.spec] = row.latency_ms
            self.table.set_cell(row.info.spec, LATENCY, f"{row.latency_ms:.1f}", row.latency_ms)
        device = rows[0].device if rows else self.device
        self._ended(f"Measured {len(rows)} networks on {device}: the median of {self.repeats} runs of one image each.")
        self.set_x_axis("latency")
        self.redraw()
        self.timing_ended.emit(self.status.text())

    def _ended(self, message: str, *, error: bool = False) -> None:
        self._show_progress(False)
        self.status.setText(message)
        self.status.setProperty("role", "error" if error else "muted")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def _show_progress(self, running: bool) -> None:
        self.bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.measure_button.setEnabled(not running)

    def shutdown(self) -> None:
        """Cancel the timing (the window is closing)."""
        self._tasks.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)
