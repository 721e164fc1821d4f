"""The read-only table of the window: rows to read and pick (skipped files, weight tensors, runs, problems,
networks, shortcuts), set up one way so that every table looks and behaves the same."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget


class ReadOnlyTable(QTableWidget):
    """No editing, whole rows selected, no row numbers, headers aligned with their text.

    stretch: the column that takes the free width (the others fit their content; None: none stretches).
    selection: the selection mode (one row by default).
    """

    def __init__(
        self,
        columns: Sequence[str],
        *,
        stretch: int | None = 0,
        selection: QAbstractItemView.SelectionMode = QAbstractItemView.SingleSelection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(0, len(columns), parent)
        self.setHorizontalHeaderLabels(list(columns))
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(selection)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        if stretch is not None:
            header.setSectionResizeMode(stretch, QHeaderView.Stretch)

    def set_row(
        self, row: int, texts: Sequence[str], *, tooltips: Sequence[str] | None = None, data: Any = None
    ) -> list[QTableWidgetItem]:
        """Fill `row` with one item per text (its tooltip, and `data` under Qt.UserRole when given)."""
        items = []
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if tooltips is not None:
                item.setToolTip(tooltips[column])
            if data is not None:
                item.setData(Qt.UserRole, data)
            self.setItem(row, column, item)
            items.append(item)
        return items


def metrics_table(columns: Sequence[tuple[str, str]]) -> ReadOnlyTable:
    """A table of scores to read, not pick: (name, tooltip) per column, every column sharing the width,
    compact alternating rows without a grid."""
    table = ReadOnlyTable([name for name, _ in columns], stretch=None, selection=QAbstractItemView.NoSelection)
    table.verticalHeader().setDefaultSectionSize(20)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
    for column, (_, tip) in enumerate(columns):
        table.horizontalHeaderItem(column).setToolTip(tip)
    return table
