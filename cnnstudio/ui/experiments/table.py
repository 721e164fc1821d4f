"""The table of a sweep's trials: sortable, filtered by a text box, updated row by row while trials run."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidgetItem

from cnnstudio.experiments.trials import TrialRow
from cnnstudio.experiments.views import matches, values_text
from cnnstudio.ui.widgets.tables import ReadOnlyTable

COLUMNS = ("trial", "state", "parameters", "val acc", "params", "time")


class _SortItem(QTableWidgetItem):
    """A cell that sorts by its number (Qt.UserRole + 1), not its text."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(Qt.UserRole + 1), other.data(Qt.UserRole + 1)
        if isinstance(mine, int | float) and isinstance(theirs, int | float):
            return mine < theirs
        return super().__lt__(other)


class TrialsTable(ReadOnlyTable):
    """One row per trial; the trial's number is under Qt.UserRole of each cell."""

    def __init__(self) -> None:
        super().__init__(COLUMNS, stretch=2)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.AscendingOrder)
        self.rows: dict[int, TrialRow] = {}
        self.filter_text = ""

    def set_rows(self, rows: list[TrialRow]) -> None:
        self.rows = {}
        self.setRowCount(0)
        for row in rows:
            self.update_row(row)

    def update_row(self, trial: TrialRow) -> None:
        """Show `trial` (a new row, or the one of its number)."""
        self.rows[trial.number] = trial
        sorting = self.isSortingEnabled()
        self.setSortingEnabled(False)
        index = next((i for i in range(self.rowCount()) if self.item(i, 0).data(Qt.UserRole) == trial.number), None)
        if index is None:
            index = self.rowCount()
            self.insertRow(index)
        cells = [
            (str(trial.number), trial.number),
            (trial.state, trial.state),
            (values_text(trial.params), values_text(trial.params)),
            ("–" if trial.val_acc is None else f"{100 * trial.val_acc:.2f} %", trial.val_acc or -1.0),
            ("–" if trial.param_count is None else f"{trial.param_count:,}", trial.param_count or -1),
            ("–" if trial.seconds is None else f"{trial.seconds:.1f} s", trial.seconds or -1.0),
        ]
        for column, (text, key) in enumerate(cells):
            item = _SortItem(text)
            item.setData(Qt.UserRole, trial.number)
            item.setData(Qt.UserRole + 1, key)
            if trial.error:
                item.setToolTip(trial.error)
            self.setItem(index, column, item)
        self.setRowHidden(index, not matches(trial, self.filter_text))
        self.setSortingEnabled(sorting)

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        for index in range(self.rowCount()):
            self.setRowHidden(index, not matches(self.rows[self.item(index, 0).data(Qt.UserRole)], text))

    def selected_trial(self) -> TrialRow | None:
        selected = self.selectionModel().selectedRows()
        return self.rows.get(self.item(selected[0].row(), 0).data(Qt.UserRole)) if selected else None
