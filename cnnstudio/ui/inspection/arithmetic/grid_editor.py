"""Convolution by hand: type a small input and kernels as grids of numbers, choose the stride and the
padding, and see the output computed exactly (`cnnstudio.viz.arithmetic.convolve_grid`); click an output
cell to see its arithmetic, with the patch marked on the input.

Presets reproduce two classic lessons with numbers anyone can check: CS231n's 7×7×3 input (a 5×5×3
volume with its zero padding drawn in) with two 3×3×3 filters at stride 2, and the X's-and-O's lecture,
where a 3×3 feature is lined up with each patch of a 9×9 X, multiplied, added up and divided by the
number of pixels (a perfect match scores 1).

Typed-in grids are a few dozen numbers, so they are convolved on the GUI thread, as the user types.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from torch import nn

from cnnstudio.ui import style
from cnnstudio.ui.inspection.arithmetic.explanation_panel import ExplanationPanel
from cnnstudio.ui.inspection.arithmetic.number_grid import NumberGrid
from cnnstudio.ui.inspection.lazy_view import StatusLine
from cnnstudio.ui.inspection.view_base import InspectView
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.viz.arithmetic import ConvExplanation, GridConvolution, convolve_grid
from cnnstudio.viz.runtime import InspectError

CELL_WIDTH, CELL_HEIGHT = 26, 22
MAX_SIDE, MAX_CHANNELS, MAX_KERNELS, MAX_KERNEL = 16, 4, 4, 7
PATCH_FILL = QColor("#ffe08a")


def _x_image() -> np.ndarray:
    image = -np.ones((9, 9))
    for i in range(1, 8):
        image[i, i] = image[i, 8 - i] = 1
    return image


_CS231N_VOLUME = [
    [[2, 1, 2, 2, 1], [2, 2, 0, 0, 0], [0, 2, 2, 0, 1], [2, 0, 2, 0, 1], [2, 0, 1, 0, 2]],
    [[0, 2, 1, 1, 1], [1, 1, 1, 2, 2], [2, 2, 1, 1, 2], [1, 0, 2, 0, 2], [1, 0, 0, 1, 0]],
    [[0, 1, 2, 1, 2], [2, 2, 1, 1, 1], [0, 1, 1, 0, 2], [0, 0, 0, 2, 2], [2, 0, 2, 1, 1]],
]
_CS231N_FILTERS = [
    [[[-1, 0, 1], [0, -1, 0], [-1, 1, 1]], [[-1, 0, 1], [1, 1, 0], [-1, 1, 0]], [[-1, -1, 0], [1, 0, 0], [1, 1, 0]]],
    [[[0, 0, -1], [-1, 0, 0], [0, -1, -1]], [[-1, 0, 1], [0, 0, 0], [1, 0, 0]], [[0, 0, 0], [0, 0, 1], [1, -1, 0]]],
]
_DIAGONAL = [[1, -1, -1], [-1, 1, -1], [-1, -1, 1]]
_CROSS = [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]


@dataclass(frozen=True)
class GridPreset:
    name: str
    image: np.ndarray  # (C, H, W)
    kernels: np.ndarray  # (O, C, k, k)
    bias: np.ndarray  # (O,)
    stride: int = 1
    padding: int = 0
    mean: bool = False
    note: str = ""
    labels: list[str] = field(default_factory=list)  # of the kernels


PRESETS = (
    GridPreset(
        "CS231n demo: 7×7×3 input, two 3×3×3 filters, stride 2",
        np.pad(np.array(_CS231N_VOLUME, dtype=float), ((0, 0), (1, 1), (1, 1))),
        np.array(_CS231N_FILTERS, dtype=float),
        np.array([1.0, 0.0]),
        stride=2,
        note="A 5×5×3 volume with its zero padding drawn in (7×7×3), filters W0 (bias 1) and W1 "
        "(bias 0), stride 2: the output is 3×3×2.",
        labels=["W0", "W1"],
    ),
    GridPreset(
        "X's and O's: a 9×9 X and three 3×3 features (multiply, add up, divide)",
        _x_image()[None],
        np.array([[_DIAGONAL], [_CROSS], [np.fliplr(_DIAGONAL)]], dtype=float),
        np.zeros(3),
        mean=True,
        note="Line up the feature and the patch, multiply each pair, add them up and divide by the "
        "number of pixels: a perfect match scores 1.",
        labels=["diagonal \\", "centre X", "diagonal /"],
    ),
    GridPreset("Blank: a 5×5 input and one 3×3 kernel", np.zeros((1, 5, 5)), np.zeros((1, 1, 3, 3)), np.zeros(1)),
)


class GridTable(QTableWidget):
    """An editable grid of numbers: small cells, each column as wide as its longest number."""

    def __init__(self, rows: int, cols: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, cols, parent)
        self.horizontalHeader().hide()
        self.verticalHeader().hide()
        self.horizontalHeader().setMinimumSectionSize(CELL_WIDTH)
        self.horizontalHeader().setDefaultSectionSize(CELL_WIDTH)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.verticalHeader().setMinimumSectionSize(CELL_HEIGHT)
        self.verticalHeader().setDefaultSectionSize(CELL_HEIGHT)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.AllEditTriggers)
        self.setFont(style.monospace_font(9))
        self.setToolTip("Type a number in each cell")
        self.resize_to(rows, cols)
        self.cellChanged.connect(lambda row, col: self._fit())

    def resize_to(self, rows: int, cols: int) -> None:
        """Change the size, keeping the numbers that still fit (new cells are 0)."""
        old = self.current_text()
        self.blockSignals(True)
        self.setRowCount(rows)
        self.setColumnCount(cols)
        for row in range(rows):
            for col in range(cols):
                text = old[row][col] if row < len(old) and col < len(old[row]) else "0"
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignCenter)
                self.setItem(row, col, item)
        self.blockSignals(False)
        self._fit()

    def _fit(self) -> None:
        """Show every cell without scrolling."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        width = sum(header.sectionSize(col) for col in range(self.columnCount()))
        self.setFixedSize(width + 2, self.rowCount() * CELL_HEIGHT + 2)

    def current_text(self) -> list[list[str]]:
        return [
            [(self.item(r, c).text() if self.item(r, c) else "0") for c in range(self.columnCount())]
            for r in range(self.rowCount())
        ]

    def set_values(self, values: np.ndarray) -> None:
        self.resize_to(*values.shape)
        self.blockSignals(True)
        for (row, col), value in np.ndenumerate(values):
            self.item(row, col).setText(f"{value:g}")
        self.blockSignals(False)
        self._fit()

    def values(self, where: str) -> np.ndarray:
        """The numbers typed (an empty cell is 0); ValueError naming the cell when one is not a number."""
        result = np.zeros((self.rowCount(), self.columnCount()))
        for (row, col), _ in np.ndenumerate(result):
            text = self.item(row, col).text().strip().replace("−", "-").replace(",", ".")
            try:
                result[row, col] = float(text) if text else 0.0
            except ValueError:
                raise ValueError(f"{where}, row {row}, column {col}: “{text}” is not a number") from None
        return result

    def mark(self, cells: set[tuple[int, int]], fill: QColor) -> None:
        self.blockSignals(True)
        for row in range(self.rowCount()):
            for col in range(self.columnCount()):
                self.item(row, col).setBackground(fill if (row, col) in cells else QColor("#ffffff"))
        self.blockSignals(False)


def _spin(low: int, high: int, value: int, prefix: str, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setPrefix(prefix)
    spin.setToolTip(tip)
    return spin


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


class GridEditorView(InspectView):
    """The teaching grid editor; it does not depend on the inspected model."""

    title = "Convolution by hand"

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self.result: GridConvolution | None = None
        self.selected: tuple[int, int, int] | None = None  # output (kernel, row, col) explained
        self.input_tables: list[GridTable] = []
        self.kernel_tables: list[list[GridTable]] = []
        self.bias_edits: list[QLineEdit] = []
        self.output_grids: list[NumberGrid] = []
        self._labels: list[str] = []

        self.preset_combo = QComboBox()
        for preset in PRESETS:
            self.preset_combo.addItem(preset.name)
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setProperty("role", "muted")
        self.channels_spin = _spin(1, MAX_CHANNELS, 1, "channels ", "Input channels")
        self.height_spin = _spin(1, MAX_SIDE, 5, "height ", "Input height")
        self.width_spin = _spin(1, MAX_SIDE, 5, "width ", "Input width")
        self.kernels_spin = _spin(1, MAX_KERNELS, 1, "kernels ", "Number of kernels (output channels)")
        self.size_spin = _spin(1, MAX_KERNEL, 3, "size ", "Kernel height and width")
        self.stride_spin = _spin(1, 4, 1, "stride ", "Step between kernel positions")
        self.padding_spin = _spin(0, 3, 0, "padding ", "Zeros added around the input")
        self.mean_box = QCheckBox("Divide by the number of products")
        self.mean_box.setToolTip("The lecture's normalized match: the mean of the products instead of their sum")
        self.activation_combo = QComboBox()
        self.activation_combo.addItems(["No activation", "ReLU"])
        shape_row = QHBoxLayout()
        shape_row.setContentsMargins(0, 0, 0, 0)
        shape_row.addWidget(QLabel("Input"))
        for widget in (self.channels_spin, self.height_spin, self.width_spin):
            shape_row.addWidget(widget)
        shape_row.addSpacing(12)
        shape_row.addWidget(QLabel("Kernels"))
        for widget in (self.kernels_spin, self.size_spin):
            shape_row.addWidget(widget)
        shape_row.addStretch(1)
        rule_row = QHBoxLayout()
        rule_row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.stride_spin, self.padding_spin, self.mean_box, self.activation_combo):
            rule_row.addWidget(widget)
        rule_row.addStretch(1)
        preset_row = QHBoxLayout()
        preset_row.setContentsMargins(0, 0, 0, 0)
        preset_row.addWidget(QLabel("Preset"))
        preset_row.addWidget(self.preset_combo, 1)

        # Input | kernels on top; the output beside its explanation below; all in one scrolling page.
        self.inputs_row = QHBoxLayout()
        self.kernels_grid = QGridLayout()
        self.outputs_column = QVBoxLayout()
        self.output_heading = _heading("Output")
        self.panel = ExplanationPanel()
        body = QWidget()
        top = QHBoxLayout()
        top.addLayout(_section(_heading("Input (type numbers; one grid per channel)"), self.inputs_row))
        top.addSpacing(16)
        top.addLayout(_section(_heading("Kernels and biases"), self.kernels_grid))
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addLayout(_section(self.output_heading, self.outputs_column))
        bottom.addSpacing(16)
        bottom.addWidget(self.panel, 1)
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(top)
        body_layout.addLayout(bottom)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        self.status = StatusLine()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(preset_row)
        layout.addWidget(self.note_label)
        layout.addLayout(shape_row)
        layout.addLayout(rule_row)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)

        self.preset_combo.currentIndexChanged.connect(self.load_preset)
        for spin in (self.channels_spin, self.height_spin, self.width_spin, self.kernels_spin, self.size_spin):
            spin.valueChanged.connect(lambda value: self._reshape())
        for spin in (self.stride_spin, self.padding_spin):
            spin.valueChanged.connect(lambda value: self.compute())
        self.mean_box.toggled.connect(lambda checked: self.compute())
        self.activation_combo.currentIndexChanged.connect(lambda index: self.compute())
        self.load_preset(0)

    # ----- presets and shapes
    def load_preset(self, index: int) -> None:
        preset = PRESETS[index]
        channels, height, width = preset.image.shape
        count, _, size, _ = preset.kernels.shape
        controls = (
            self.channels_spin,
            self.height_spin,
            self.width_spin,
            self.kernels_spin,
            self.size_spin,
            self.stride_spin,
            self.padding_spin,
            self.mean_box,
            self.activation_combo,
        )
        for control in controls:
            control.blockSignals(True)
        for spin, value in (
            (self.channels_spin, channels),
            (self.height_spin, height),
            (self.width_spin, width),
            (self.kernels_spin, count),
            (self.size_spin, size),
            (self.stride_spin, preset.stride),
            (self.padding_spin, preset.padding),
        ):
            spin.setValue(value)
        self.mean_box.setChecked(preset.mean)
        self.activation_combo.setCurrentIndex(0)
        for control in controls:
            control.blockSignals(False)
        self._labels = list(preset.labels)
        self.note_label.setText(preset.note)
        self.note_label.setVisible(bool(preset.note))
        self._reshape()
        for table, values in zip(self.input_tables, preset.image, strict=True):
            table.set_values(values)
        for kernel, (tables, bias) in enumerate(zip(self.kernel_tables, self.bias_edits, strict=True)):
            for table, values in zip(tables, preset.kernels[kernel], strict=True):
                table.set_values(values)
            bias.setText(f"{preset.bias[kernel]:g}")
        self.selected = None
        self.compute()

    def _reshape(self) -> None:
        """Make the grids match the chosen sizes (numbers that still fit are kept)."""
        channels, height, width = self.channels_spin.value(), self.height_spin.value(), self.width_spin.value()
        count, size = self.kernels_spin.value(), self.size_spin.value()
        self.input_tables = self._sized(self.input_tables, channels, height, width)
        _clear(self.inputs_row)
        for channel, table in enumerate(self.input_tables):
            self.inputs_row.addWidget(_captioned(table, f"channel {channel}"))
        self.inputs_row.addStretch(1)
        kept = [self._sized(tables, channels, size, size) for tables in self.kernel_tables[:count]]
        while len(kept) < count:
            kept.append(self._sized([], channels, size, size))
        self.kernel_tables = kept
        biases = [edit.text() for edit in self.bias_edits] + ["0"] * count
        self.bias_edits = []
        _clear(self.kernels_grid)
        for kernel, tables in enumerate(self.kernel_tables):
            bias = QLineEdit(biases[kernel])
            bias.setFixedWidth(56)
            bias.setToolTip(f"The bias added to every output of kernel {self._kernel_name(kernel)}")
            bias.textChanged.connect(lambda text: self.compute())
            self.bias_edits.append(bias)
            name = _captioned(bias, "bias")
            heading = QLabel(self._kernel_name(kernel))
            heading.setStyleSheet("font-weight: 600;")
            name.layout().insertWidget(0, heading)
            self.kernels_grid.addWidget(name, kernel, 0, Qt.AlignTop)
            for channel, table in enumerate(tables):
                self.kernels_grid.addWidget(_captioned(table, f"channel {channel}"), kernel, channel + 1, Qt.AlignTop)
        self.kernels_grid.setColumnStretch(channels + 1, 1)
        self.selected = None
        self.compute()

    def _sized(self, tables: list[GridTable], count: int, rows: int, cols: int) -> list[GridTable]:
        tables = list(tables[:count])
        while len(tables) < count:
            table = GridTable(rows, cols)
            table.cellChanged.connect(lambda row, col: self.compute())
            tables.append(table)
        for table in tables:
            table.resize_to(rows, cols)
        return tables

    def _kernel_name(self, kernel: int) -> str:
        return self._labels[kernel] if kernel < len(self._labels) else f"W{kernel}"

    # ----- computing
    def compute(self) -> None:
        """Convolve the typed numbers and show the output (and the explanation of the chosen cell)."""
        try:
            image = np.stack([table.values(f"Input channel {c}") for c, table in enumerate(self.input_tables)])
            kernels = np.stack(
                [
                    np.stack(
                        [table.values(f"Kernel {self._kernel_name(k)} channel {c}") for c, table in enumerate(tables)]
                    )
                    for k, tables in enumerate(self.kernel_tables)
                ]
            )
            bias = [self._bias(k) for k in range(len(self.bias_edits))]
            activation = nn.ReLU() if self.activation_combo.currentIndex() == 1 else None
            result = convolve_grid(
                image,
                kernels,
                bias=bias,
                stride=self.stride_spin.value(),
                padding=self.padding_spin.value(),
                mean=self.mean_box.isChecked(),
                activation=activation,
            )
        except (ValueError, InspectError) as error:
            self.result = None
            self.status.error(f"{error}.")
            self._show_outputs()
            return
        self.result = result
        self.status.info("Click an output number to see how it was computed.")
        self._show_outputs()

    def _bias(self, kernel: int) -> float:
        text = self.bias_edits[kernel].text().strip().replace("−", "-").replace(",", ".")
        try:
            return float(text) if text else 0.0
        except ValueError:
            raise ValueError(f"The bias of kernel {self._kernel_name(kernel)}: “{text}” is not a number") from None

    def _show_outputs(self) -> None:
        _clear(self.outputs_column)
        self.output_grids = []
        if self.result is None:
            self.output_heading.setText("Output")
            self.panel.clear("Fix the numbers above to see the output.")
            self._mark_patch(None)
            return
        output = self.result.output
        self.output_heading.setText(f"Output ({output.shape[0]}×{output.shape[1]}×{output.shape[2]})")
        for kernel, plane in enumerate(output):
            grid = NumberGrid(plane, caption=self._kernel_name(kernel), cell=44)
            grid.setCursor(Qt.PointingHandCursor)
            grid.setToolTip("Click a number to see its arithmetic")
            grid.cell_clicked.connect(lambda row, col, k=kernel: self.explain(k, row, col))
            self.outputs_column.addWidget(grid, 0, Qt.AlignLeft)
            self.output_grids.append(grid)
        self.outputs_column.addStretch(1)
        selected = self.selected
        if (
            selected is not None
            and selected[0] < output.shape[0]
            and selected[1] < output.shape[1]
            and selected[2] < output.shape[2]
        ):
            self.explain(*selected)
        else:
            self.explain(0, 0, 0)

    def explain(self, kernel: int, row: int, col: int) -> None:
        """Show the arithmetic of output (kernel, row, col)."""
        if self.result is None:
            return
        self.selected = (kernel, row, col)
        explanation = self.result.explain(kernel, row, col)
        for index, grid in enumerate(self.output_grids):
            grid.set_marked({(row, col)} if index == kernel else set())
        self.panel.show_conv(explanation, f"Output {self._kernel_name(kernel)}, row {row}, column {col}")
        self._mark_patch(explanation)

    def _mark_patch(self, explanation: ConvExplanation | None) -> None:
        cells: set[tuple[int, int]] = set()
        if explanation is not None:
            cells = {
                (r, c)
                for r in explanation.rows
                for c in explanation.cols
                if 0 <= r < self.height_spin.value() and 0 <= c < self.width_spin.value()
            }
        for table in self.input_tables:
            table.mark(cells, PATCH_FILL)
        kernel = self.selected[0] if self.selected is not None and explanation is not None else -1
        for index, tables in enumerate(self.kernel_tables):
            every = {(r, c) for r in range(tables[0].rowCount()) for c in range(tables[0].columnCount())}
            for table in tables:
                table.mark(every if index == kernel else set(), PATCH_FILL)


def _section(heading: QLabel, content: QHBoxLayout | QGridLayout | QVBoxLayout) -> QVBoxLayout:
    layout = QVBoxLayout()
    layout.setSpacing(4)
    layout.addWidget(heading)
    layout.addLayout(content)
    layout.addStretch(1)
    return layout


def _captioned(widget: QWidget, caption: str) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 6, 0)
    layout.setSpacing(2)
    label = QLabel(caption)
    label.setProperty("role", "muted")
    layout.addWidget(label)
    layout.addWidget(widget)
    return box


def _clear(layout: QHBoxLayout | QGridLayout | QVBoxLayout) -> None:
    """Empty a layout: the grids are kept (the editor re-adds them), everything else is deleted."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is None:
            continue
        for table in widget.findChildren(GridTable):
            table.setParent(None)
        widget.deleteLater()
