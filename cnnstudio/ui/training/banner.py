"""A message strip at the top of the tab: what went wrong and what to do, or a note about the run.

Errors stay until the user closes them or starts again; technical details (a traceback) sit behind
a Details button so the message itself stays readable.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from cnnstudio.ui import style
from cnnstudio.ui.widgets.notice import Notice

_KINDS = {"error": (style.ERROR, style.ERROR_FILL), "note": (style.ACCENT, "#eef5ff")}


class MessageBanner(Notice):
    """Shows one message at a time; `link_activated(href)` for links in it."""

    link_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        details_button = QPushButton("Details")
        details_button.setCheckable(True)
        details_button.setToolTip("Show the technical details (to include in a bug report)")
        close_button = QToolButton()
        close_button.setText("✕")
        close_button.setAutoRaise(True)
        close_button.setToolTip("Dismiss")
        super().__init__((details_button, close_button), margins=(12, 8, 8, 8), parent=parent)
        self.details_button, self.close_button = details_button, close_button
        self.kind = ""
        self.message.setTextFormat(Qt.RichText)
        self.message.setTextInteractionFlags(Qt.TextBrowserInteraction)
        self.message.linkActivated.connect(self.link_activated)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(style.monospace_font(8.5))
        self.details.setMaximumHeight(160)
        self.details.hide()
        self.below.addWidget(self.details)
        self.details_button.toggled.connect(self.details.setVisible)
        self.close_button.clicked.connect(self.clear)

    def show_message(
        self, kind: str, title: str, message: str = "", hint: str = "", details: str = "", rich: bool = False
    ) -> None:
        """kind: "error" or "note". `message` is plain text unless `rich`."""
        color, fill = _KINDS[kind]
        self.kind = kind
        self.tint(fill, color)
        body = message if rich else escape(message)
        text = f"<b style='color:{color}'>{escape(title)}</b>"
        if body:
            text += f"<br>{body}"
        if hint:
            text += f"<br><span style='color:{style.MUTED}'>What to do: {escape(hint)}</span>"
        self.message.setText(text)
        self.details.setPlainText(details)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(details))
        self.show()

    def text(self) -> str:
        """The message as plain text (what a person reads)."""
        document = QTextDocument()
        document.setHtml(self.message.text())
        return document.toPlainText()

    def clear(self) -> None:
        self.kind = ""
        self.message.clear()
        self.details.clear()
        self.hide()
