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
WEIGHTS_MIN_WIDTH = 90  # the Weights column (the last) takes the free width and may elide below its text


class NumericItem(QTableWidgetItem):
    """A cell that sorts by its number, not its text ("—" sorts first)."""

    def __init__(self, text: str, value: float | None) -> None:
        super().__init__(text)
        self.value = value if value is not None else float("-inf")
        self.setTextAlignment(_NUMERIC)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < other.value if isinstance(other, NumericItem) else super().__lt__(other)


class CatalogTable(ReadOnlyTable):
    """One row per network; extra columns (e.g. latency) follow the catalog's. The table is at least as wide
    as its columns but the last need, so no network's name or number is cut."""

    BASE_COLUMNS = ("Network", "Top-1", "Parameters", "GFLOPs", "Input", "Weights")

    def __init__(self, extra_columns: tuple[str, ...] = (), parent: QWidget | None = None) -> None:
        columns = self.BASE_COLUMNS[:-1] + extra_columns + self.BASE_COLUMNS[-1:]
        super().__init__(columns, stretch=len(columns) - 1, parent=parent)
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
        self.fit_width()

    def fit_width(self) -> None:
        """Make room for every column in full but the last (call after a column's texts changed)."""
        header = self.horizontalHeader()
        columns = sum(
            max(self.sizeHintForColumn(column), header.sectionSizeHint(column))
            for column in range(self.columnCount() - 1)
        )
        chrome = self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        self.setMinimumWidth(columns + WEIGHTS_MIN_WIDTH + chrome)

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
        item.setToolTip(item.text())  # in full where the column is too narrow
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
        self.fit_width()

    def selected_spec(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        return self.item(rows[0].row(), 0).data(Qt.UserRole) if rows else None

    def select_spec(self, spec: str) -> None:
        self.selectRow(self.row_of(spec))
