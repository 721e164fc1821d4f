"""A one-line label that gives way in a narrow window: a text too long for it ends in "…" and is shown in
full as its tooltip, instead of being cut off mid-word."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidingLabel(QLabel):
    """A QLabel for one line of plain text whose width follows the layout (it asks for no minimum)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.setTextFormat(Qt.PlainText)

    def displayed_text(self) -> str:
        """The text as painted: elided when the label is narrower than it."""
        return self.fontMetrics().elidedText(self.text(), Qt.ElideRight, max(self.contentsRect().width(), 0))

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        shown = self.displayed_text()
        self.setToolTip(self.text() if shown != self.text() else "")
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), shown)
