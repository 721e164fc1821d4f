"""Asking for an image folder. prompts.py has no directory question, so the Data tab keeps this one
function as its own seam: tests replace `DataTab.choose_directory` with a scripted answer."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget


def choose_directory(parent: QWidget | None, title: str, directory: str) -> str | None:
    """The folder the user picked, None when cancelled."""
    path = QFileDialog.getExistingDirectory(parent, title, directory)
    return path or None
