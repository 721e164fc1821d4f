"""The notice box of the window: a message in a rounded, tinted frame with its buttons at the right, as the
Training tab's banner and the Data tab's loading strip show it. Hidden until there is something to say."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget


class Notice(QFrame):
    """`message` wraps and can be selected; `leading` (a progress bar, say) stands before it; the buttons after
    it keep to the top when it wraps. Widgets added to `below` fill the box under that row.

    max_lines: a longer message scrolls within that many lines, so the box never pushes the panels under it
    out of a small window (None: the box grows with its message)."""

    def __init__(
        self,
        buttons: Sequence[QAbstractButton],
        *,
        leading: QWidget | None = None,
        margins: tuple[int, int, int, int] = (10, 6, 10, 6),
        max_lines: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if leading is not None:
            row.addWidget(leading, 0, Qt.AlignVCenter)
        row.addWidget(self.message if max_lines is None else self._scrolling(max_lines), 1)
        for button in buttons:
            row.addWidget(button, 0, Qt.AlignTop)
        self.below = QVBoxLayout(self)
        self.below.setContentsMargins(*margins)
        self.below.addLayout(row)
        self.hide()

    def _scrolling(self, max_lines: int) -> QScrollArea:
        area = QScrollArea()
        area.setWidget(self.message)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        area.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        area.setMaximumHeight(max_lines * self.message.fontMetrics().lineSpacing() + 4)
        return area

    def tint(self, fill: str, border: str) -> None:
        """Colour the box (the message's own colour is the caller's)."""
        self.setStyleSheet(f"QFrame#notice {{ background: {fill}; border: 1px solid {border}; border-radius: 6px; }}")
