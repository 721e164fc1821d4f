"""The analysis table (like MATLAB's analyzeNetwork or a Keras summary): one row per layer, with totals."""

from __future__ import annotations

import csv
import io
import math

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from cnnstudio.graph.describe import format_count, format_shape
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui import style
from cnnstudio.ui.formatting import format_bytes, format_flops

COLUMNS = ("Name", "Type", "Activations", "Learnables", "FLOPs")
_NUMERIC = {3, 4}


def analysis_csv(analysis: NetworkAnalysis) -> str:
    """The table as CSV: one row per layer, then the totals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "type", "output_shape", "activations", "learnables", "flops", "macs"])
    for result in analysis.in_order():
        shape = result.output_shape
        writer.writerow(
            [
                result.node_id,
                result.layer_type,
                "x".join(map(str, shape)) if shape else "",
                math.prod(shape) if shape else "",
                result.params,
                result.flops,
                result.macs,
            ]
        )
    writer.writerow(["total", "", "", "", analysis.total_params, analysis.total_flops, analysis.total_macs])
    return buffer.getvalue()


class AnalysisModel(QAbstractTableModel):
    """Rows in topological order; each row is (id, type, output shape, learnables, FLOPs)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, str, str, int, int, bool]] = []

    def set_analysis(self, analysis: NetworkAnalysis) -> None:
        self.beginResetModel()
        errors = {problem.node for problem in analysis.problems if problem.severity == "error"}
        self.rows = []
        for result in analysis.in_order():
            shape = format_shape(result.output_shape) if result.output_shape else "?"
            if result.output_shape:
                shape += f"  ({format_count(math.prod(result.output_shape))})"
            self.rows.append(
                (result.node_id, result.layer_type, shape, result.params, result.flops, result.node_id in errors)
            )
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> object:
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Horizontal and role == Qt.TextAlignmentRole and section in _NUMERIC:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole) -> object:
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.DisplayRole:
            if column == 3:
                return f"{row[3]:,}" if row[3] else "–"
            if column == 4:
                return format_count(row[4]) if row[4] else "–"
            return row[column]
        if role == Qt.TextAlignmentRole and column in _NUMERIC:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and row[5]:
            return QColor(style.ERROR)
        if role == Qt.ToolTipRole and column == 4 and row[4]:
            return f"{row[4]:,} floating-point operations per image"
        return None

    def row_of(self, node_id: str) -> int | None:
        for index, row in enumerate(self.rows):
            if row[0] == node_id:
                return index
        return None


class AnalysisTable(QWidget):
    """The table and a totals line. `node_selected(id)` when the user picks a row."""

    node_selected = Signal(str)

    def __init__(self, graph: NetworkGraph, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.model = AnalysisModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setShowGrid(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setSectionResizeMode(0, QHeaderView.Stretch)  # names vary most; the numbers stay together
        for column, width in enumerate((0, 130, 200, 110, 110)):
            if column:
                header.resizeSection(column, width)
        self.totals = QLabel()
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.totals.setContentsMargins(6, 2, 6, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.totals)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self._quiet = False

    def set_analysis(self, analysis: NetworkAnalysis) -> None:
        selected = self.current_node()
        self._quiet = True
        self.model.set_analysis(analysis)
        self._quiet = False
        if selected:
            self.select_node(selected)
        output = format_shape(analysis.output_shape) if analysis.output_shape else "?"
        self.totals.setText(
            f"<b>{len(self.model.rows)}</b> layers · output <b>{output}</b> · "
            f"learnables <b>{analysis.total_params:,}</b> ({format_bytes(analysis.param_bytes)}) · "
            f"<b>{format_flops(analysis.total_flops)}</b> per image · "
            f"activations {format_bytes(analysis.activation_bytes)} per image"
        )

    def current_node(self) -> str | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()][0] if index.isValid() and index.row() < len(self.model.rows) else None

    def select_node(self, node_id: str | None) -> None:
        """Follow the canvas selection without echoing it back."""
        row = self.model.row_of(node_id) if node_id else None
        self._quiet = True
        if row is None:
            self.view.clearSelection()
        else:
            index = self.model.index(row, 0)
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
            )
            self.view.scrollTo(index)
        self._quiet = False

    def _row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not self._quiet and current.isValid():
            self.node_selected.emit(self.model.rows[current.row()][0])
