"""The table of pretrained networks shared by the Open and Compare dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem, QWidget

from cnnstudio.pretrained.catalog import PretrainedInfo
from cnnstudio.ui.pretrained.networks import (
    format_accuracy,
    format_params,
    weights_state,
)
from cnnstudio.ui.widgets.tables import ReadOnlyTable

_NUMERIC = Qt.AlignRight | Qt.AlignVCenter


class NumericItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text ("—" sorts first)."""

    def __init__(self, text: str, value: float | None) -> None:
        super().__init__(text)
        self.value = value if value is not None else float("-inf")
        self.setTextAlignment(_NUMERIC)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < other.value if isinstance(other, NumericItem) else super().__lt__(other)


class CatalogTable(ReadOnlyTable):
    """One row per network; extra columns (e.g. latency) follow the catalog's."""

    BASE_COLUMNS = ("Network", "Top-1", "Parameters", "GFLOPs", "Input", "Weights")

    def __init__(self, extra_columns: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        columns = self.BASE_COLUMNS[:-1] + extra_columns + self.BASE_COLUMNS[-1:]
        super().__init__(columns, parent=parent)
        self.columns = columns
        self.infos: list[PretrainedInfo] = []
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.horizontalHeaderItem(1).setToolTip("ImageNet-1k validation accuracy of the most probable class")
        # the catalog's own order until a header is clicked
        self.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)

    def set_infos(self, infos: list[PretrainedInfo]) -> None:
        self.setSortingEnabled(False)
        self.infos = list(infos)
        self.setRowCount(len(infos))
        for row, info in enumerate(infos):
            name = QTableWidgetItem(info.title)
            name.setData(Qt.UserRole, info.spec)
            name.setToolTip(f"{info.spec}\nAccuracy: {info.accuracy_source}")
            self.setItem(row, 0, name)
            self.setItem(row, 1, NumericItem(format_accuracy(info.top1), info.top1))
            self.setItem(row, 2, NumericItem(format_params(info.params), info.params))
            self.setItem(row, 3, NumericItem(f"{info.gflops:.2f}", info.gflops))
            self.setItem(row, 4, NumericItem(f"{info.input_size}²", info.input_size))
            self.update_state(info)
        self.setSortingEnabled(True)

    def row_of(self, spec: str) -> int:
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.data(Qt.UserRole) == spec:
                return row
        raise KeyError(spec)

    def info(self, spec: str) -> PretrainedInfo:
        return next(info for info in self.infos if info.spec == spec)

    def update_state(self, info: PretrainedInfo) -> None:
        """Show whether `info`'s weights are here (after a download, say)."""
        self.infos = [info if known.spec == info.spec else known for known in self.infos]
        item = QTableWidgetItem(weights_state(info))
        if not info.available:
            item.setForeground(Qt.darkGray)
        sorting = self.isSortingEnabled()
        self.setSortingEnabled(False)
        self.setItem(self.row_of(info.spec), self.columnCount() - 1, item)
        self.setSortingEnabled(sorting)

    def set_cell(self, spec: str, column: str, text: str, value: float | None) -> None:
        sorting = self.isSortingEnabled()
        self.setSortingEnabled(False)
        self.setItem(self.row_of(spec), self.columns.index(column), NumericItem(text, value))
        self.setSortingEnabled(sorting)

    def selected_spec(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return self.item(rows[0].row(), 0).data(Qt.UserRole) if rows else None

    def select_spec(self, spec: str) -> None:
        self.selectRow(self.row_of(spec))
