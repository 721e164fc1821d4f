"""Help ▸ Keyboard Shortcuts: a table made from the window's own actions, so it is always right."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui.widgets.tables import ReadOnlyTable

MOUSE = [
    ("Mouse wheel", "Zoom at the cursor"),
    ("Middle-button drag, trackpad scroll", "Pan the canvas"),
    ("Drag from a layer's bottom port to another layer", "Connect them"),
    ("Drag on empty canvas", "Select with a rubber band"),
    ("Drag a layer from the palette", "Place it on the canvas"),
    ("Double-click a layer in the palette", "Append it after the selected layer"),
]


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(primary shortcut, action name) for every action that has one (alternatives such as the
    dedicated Copy key of some keyboards still work, but would only clutter the table)."""
    rows = []
    for action in actions:
        if action.shortcuts():
            name = action.text().replace("&", "").rstrip("…")
            rows.append((action.shortcuts()[0].toString(QKeySequence.NativeText), name))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(560, 560)
        rows = shortcut_rows(actions) + MOUSE
        self.table = ReadOnlyTable(("Keys", "Action"), stretch=1, selection=QAbstractItemView.NoSelection)
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            self.table.set_row(row, cells)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
