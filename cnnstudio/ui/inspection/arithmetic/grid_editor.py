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

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui.inspection.arithmetic.explanation_panel import ExplanationPanel
from cnnstudio.ui.inspection.arithmetic.grid_presets import PRESETS
from cnnstudio.ui.inspection.arithmetic.grid_table import GridTable, captioned, clear_layout, section
from cnnstudio.ui.inspection.arithmetic.number_grid import NumberGrid
from cnnstudio.ui.inspection.controls import StatusLine, scrolling, spin
from cnnstudio.ui.inspection.view_base import InspectView
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.labels import heading
from cnnstudio.viz.arithmetic import ConvExplanation, GridConvolution, convolve_grid
from cnnstudio.viz.runtime import InspectError

MAX_SIDE, MAX_CHANNELS, MAX_KERNELS, MAX_KERNEL = 16, 4, 4, 7
PATCH_FILL = QColor("#ffe08a")


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
        self.channels_spin = spin(1, MAX_CHANNELS, 1, "Input channels", prefix="channels ")
        self.height_spin = spin(1, MAX_SIDE, 5, "Input height", prefix="height ")
        self.width_spin = spin(1, MAX_SIDE, 5, "Input width", prefix="width ")
        self.kernels_spin = spin(1, MAX_KERNELS, 1, "Number of kernels (output channels)", prefix="kernels ")
        self.size_spin = spin(1, MAX_KERNEL, 3, "Kernel height and width", prefix="size ")
        self.stride_spin = spin(1, 4, 1, "Step between kernel positions", prefix="stride ")
        self.padding_spin = spin(0, 3, 0, "Zeros added around the input", prefix="padding ")
        self.mean_box = QCheckBox("Divide by the number of products")
        self.mean_box.setToolTip("The lecture's normalized match: the mean of the products instead of their sum")
        self.activation_combo = QComboBox()
        self.activation_combo.addItem("No activation", None)
        self.activation_combo.addItem("ReLU", "ReLU")
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
        self.output_heading = heading("Output")
        self.panel = ExplanationPanel()
        body = QWidget()
        top = QHBoxLayout()
        top.addLayout(section(heading("Input (type numbers; one grid per channel)"), self.inputs_row))
        top.addSpacing(16)
        top.addLayout(section(heading("Kernels and biases"), self.kernels_grid))
        top.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addLayout(section(self.output_heading, self.outputs_column))
        bottom.addSpacing(16)
        bottom.addWidget(self.panel, 1)
        body_layout = QVBoxLayout(body)
        body_layout.addLayout(top)
        body_layout.addLayout(bottom)
        body_layout.addStretch(1)
        scroll = scrolling(body)
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
        for box in (self.channels_spin, self.height_spin, self.width_spin, self.kernels_spin, self.size_spin):
            box.valueChanged.connect(lambda value: self._reshape())
        for box in (self.stride_spin, self.padding_spin):
            box.valueChanged.connect(lambda value: self.compute())
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
        for box, value in (
            (self.channels_spin, channels),
            (self.height_spin, height),
            (self.width_spin, width),
            (self.kernels_spin, count),
            (self.size_spin, size),
            (self.stride_spin, preset.stride),
            (self.padding_spin, preset.padding),
        ):
            box.setValue(value)
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
        clear_layout(self.inputs_row)
        for channel, table in enumerate(self.input_tables):
            self.inputs_row.addWidget(captioned(table, f"channel {channel}"))
        self.inputs_row.addStretch(1)
        kept = [self._sized(tables, channels, size, size) for tables in self.kernel_tables[:count]]
        while len(kept) < count:
            kept.append(self._sized([], channels, size, size))
        self.kernel_tables = kept
        biases = [edit.text() for edit in self.bias_edits] + ["0"] * count
        self.bias_edits = []
        clear_layout(self.kernels_grid)
        for kernel, tables in enumerate(self.kernel_tables):
            bias = QLineEdit(biases[kernel])
            bias.setFixedWidth(56)
            bias.setToolTip(f"The bias added to every output of kernel {self._kernel_name(kernel)}")
            bias.textChanged.connect(lambda text: self.compute())
            self.bias_edits.append(bias)
            name = captioned(bias, "bias")
            title = QLabel(self._kernel_name(kernel))
            title.setStyleSheet("font-weight: 600;")
            name.layout().insertWidget(0, title)
            self.kernels_grid.addWidget(name, kernel, 0, Qt.AlignTop)
            for channel, table in enumerate(tables):
                self.kernels_grid.addWidget(captioned(table, f"channel {channel}"), kernel, channel + 1, Qt.AlignTop)
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
            result = convolve_grid(
                image,
                kernels,
                bias=bias,
                stride=self.stride_spin.value(),
                padding=self.padding_spin.value(),
                mean=self.mean_box.isChecked(),
                activation=self.activation_combo.currentData(),
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
        clear_layout(self.outputs_column)
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
