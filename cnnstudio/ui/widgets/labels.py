"""The window's text labels in their theme roles: a section heading, and muted explanatory text."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def heading(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def muted(text: str = "") -> QLabel:
    """Muted text that wraps (an explanation under a control)."""
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label
