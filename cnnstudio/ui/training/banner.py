"""A message strip at the top of the tab: what went wrong and what to do, or a note about the run.

Errors stay until the user closes them or starts again; technical details (a traceback) sit behind
a Details button so the message itself stays readable.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui import style

_KINDS = {"error": (style.ERROR, style.ERROR_FILL), "note": (style.ACCENT, "#eef5ff")}


class MessageBanner(QFrame):
    """Shows one message at a time; `link_activated(href)` for links in it."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.label.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.label.linkActivated.connect(self.link_activated)
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Show the technical details (to include in a bug report)")
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(style.monospace_font(8.5))
        self.details.setMaximumHeight(160)
        self.details.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.details_button, 0, Qt.AlignTop)
        row.addWidget(self.close_button, 0, Qt.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.details_button.toggled.connect(self.details.setVisible)
        self.close_button.clicked.connect(self.clear)
        self.hide()

    def show_message(
        self, kind: str, title: str, message: str = "", hint: str = "", details: str = "", rich: bool = False
    ) -> None:
        """kind: "error" or "note". `message` is plain text unless `rich`."""
        color, fill = _KINDS[kind]
        self.kind = kind
        self.setStyleSheet(f"MessageBanner {{ background: {fill}; border: 1px solid {color}; border-radius: 6px; }}")
        body = message if rich else escape(message)
        text = f"<b style='color:{color}'>{escape(title)}</b>"
        if body:
            text += f"<br>{body}"
        if hint:
            text += f"<br><span style='color:{style.MUTED}'>What to do: {escape(hint)}</span>"
        self.label.setText(text)
        self.details.setPlainText(details)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(details))
        self.show()

    def text(self) -> str:
        """The message as plain text (what a person reads)."""
        document = QTextDocument()
        document.setHtml(self.label.text())
        return document.toPlainText()

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.details.clear()
        self.hide()
