"""The runs list: every run kept in the runs folder, with what to do with it.

Selecting runs overlays their curves on the plots; the buttons (and the context menu) act on the
selected run: show its results, send its trained network to the Inspect and Webcam tabs, resume it,
delete it or show its folder.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMenu,
    QToolBar,
    QWidget,
)

from cnnstudio.engine.run_folders import RunRecord
from cnnstudio.ui import style
from cnnstudio.ui.widgets.eliding_label import ElidingLabel
from cnnstudio.ui.widgets.panes import horizontal, vertical
from cnnstudio.ui.widgets.tables import ReadOnlyTable

COLUMNS = ("Date", "Design", "Data", "Epochs", "Val. accuracy", "Status")
_STATUS_COLORS = {
    "completed": style.OK,
    "completed (early stop)": style.OK,
    "stopped": style.WARNING,
    "interrupted": style.WARNING,
    "failed": style.ERROR,
    "damaged": style.ERROR,
    "running": style.ACCENT,
    "paused": style.ACCENT,
    "starting": style.ACCENT,
    "stopping": style.ACCENT,
}
ACTIONS = (
    (
        "results",
        "Show results",
        (
            "Evaluate the run's best checkpoint: confusion matrix, per-class "
            "metrics, misclassified images (double-click a run does the same)"
        ),
    ),
    (
        "open",
        "Open in Inspect",
        ("Load the run's trained network (its best checkpoint) as the model of the Inspect and Webcam tabs"),
    ),
    ("resume", "Resume", "Continue a stopped run from its last checkpoint, with its own settings"),
    ("delete", "Delete…", "Delete the run's folder with its checkpoints"),
    ("reveal", "Show folder", "Open the run's folder in the file manager"),
)


class RunsPanel(QWidget):
    """The table of runs and the buttons acting on the selection."""

    selection_changed = Signal(list)  # the selected RunRecords
    action_requested = Signal(str, object)  # (action key, RunRecord)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[RunRecord] = []
        self.active: Path | None = None
        self.active_state = ""
        self.table = ReadOnlyTable(COLUMNS, stretch=1, selection=QAbstractItemView.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.horizontalHeaderItem(4).setToolTip(
            "Validation accuracy of the run's best checkpoint (the epoch with the lowest validation loss)"
        )

        title = QLabel("Runs")
        title.setProperty("role", "heading")
        hint = ElidingLabel("select several to compare their curves")
        hint.setProperty("role", "muted")
        # a toolbar, so the actions fold into its » menu when the window is narrow
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.toolbar.setStyleSheet(
            f"QToolBar {{ border: none; background: transparent; spacing: 4px; }} "
            f"QToolButton {{ border: 1px solid {style.BORDER}; border-radius: 3px; "
            "padding: 2px 8px; background: #ffffff; } "
            "QToolButton:disabled { color: #8c959f; background: transparent; border-color: #e4e8ec; }"
        )
        self.actions: dict[str, QAction] = {}
        for key, text, tip in ACTIONS:
            action = QAction(text, self)
            action.setToolTip(tip)
            action.triggered.connect(lambda checked=False, k=key: self._request(k))
            self.toolbar.addAction(action)
            self.actions[key] = action
        self.buttons = {key: self.toolbar.widgetForAction(action) for key, action in self.actions.items()}
        bar = horizontal([title, (hint, 1), self.toolbar], margins=(10, 0, 10, 0))
        vertical(self, [bar, (self.table, 1)], margins=(0, 2, 0, 0), spacing=4)

        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda row, column: self._request("results"))
        self.table.customContextMenuRequested.connect(self._context_menu)
        self._update_buttons()

    # ----- content
    def set_runs(self, records: list[RunRecord], active: Path | None = None, active_state: str = "") -> None:
        """Show `records`; the run being trained (`active`) shows its live state. Keeps the selection."""
        selected = {record.path for record in self.selected()}
        self.records, self.active, self.active_state = list(records), active, active_state
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self.records))
        for row, record in enumerate(self.records):
            self._fill_row(row, record)
            if record.path in selected:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._selection_changed()

    def update_record(self, record: RunRecord, active_state: str) -> None:
        """Show the live state of the run being trained (one row, not the whole list)."""
        self.active_state = active_state
        row = self.row_of(record.path)
        if row >= 0:
            self.records[row] = record
            self._fill_row(row, record)

    def _fill_row(self, row: int, record: RunRecord) -> None:
        cells = self._cells(record)
        tip = f"{record.path}\n{record.problem}" if record.problem else str(record.path)
        items = self.table.set_row(row, cells, tooltips=(tip,) * len(cells))
        for item in items[3:5]:
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        status = self.table.item(row, 5)
        status.setForeground(QColor(_STATUS_COLORS.get(status.text(), style.MUTED)))

    def _cells(self, record: RunRecord) -> list[str]:
        status = self.active_state if record.path == self.active and self.active_state else record.status
        epochs = f"{record.epochs_done} / {record.epochs}" if record.epochs else str(record.epochs_done or "–")
        accuracy = f"{record.best_val_acc:.1%}" if record.best_val_acc is not None else "–"
        return [record.date.strftime("%Y-%m-%d %H:%M:%S"), record.design, record.data, epochs, accuracy, status]

    def selected(self) -> list[RunRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.records[row] for row in rows if row < len(self.records)]

    def select(self, path: Path) -> None:
        """Select the run in `path` (only it)."""
        for row, record in enumerate(self.records):
            if record.path == path:
                self.table.selectRow(row)
                self.table.scrollToItem(self.table.item(row, 0))
                return

    def row_of(self, path: Path) -> int:
        return next((row for row, record in enumerate(self.records) if record.path == path), -1)

    # ----- actions
    def enabled_actions(self, record: RunRecord | None) -> set[str]:
        """What can be done with `record` now."""
        if record is None:
            return set()
        if record.path == self.active:
            return {"reveal"}
        enabled = {"delete", "reveal"}
        if record.has_checkpoint:
            enabled |= {"results", "open"}
        if record.resumable:
            enabled.add("resume")
        return enabled

    def _current(self) -> RunRecord | None:
        selected = self.selected()
        return selected[0] if len(selected) == 1 else None

    def _request(self, key: str) -> None:
        record = self._current()
        if record is not None and key in self.enabled_actions(record):
            self.action_requested.emit(key, record)

    def _selection_changed(self) -> None:
        self._update_buttons()
        self.selection_changed.emit(self.selected())

    def _update_buttons(self) -> None:
        enabled = self.enabled_actions(self._current())
        for key, action in self.actions.items():
            action.setEnabled(key in enabled)

    def _context_menu(self, pos: QPoint) -> None:
        row = self.table.rowAt(pos.y())
        if row < 0:
            return
        if row not in {index.row() for index in self.table.selectionModel().selectedRows()}:
            self.table.selectRow(row)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addActions(list(self.actions.values()))
        menu.popup(self.table.viewport().mapToGlobal(pos))
