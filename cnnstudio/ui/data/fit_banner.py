"""The notice shown when the data does not fit the design, with one click to change the design.

Amber when the design must change (the number of classes), blue when loading fits the images by
itself (size, channels) and changing the design's input is only an offer.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.engine.design_fit import FitCheck
from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style

_COLORS = {"warning": ("#fff8e6", "#e3b341"), "info": ("#eef5ff", "#9ec5fe")}


class _ChoiceText(QLabel):
    """A radio button's text that wraps (a QRadioButton's own text does not): clicking it picks the choice."""

    def __init__(self, button: QRadioButton) -> None:
        super().__init__()
        self.button = button
        self.setWordWrap(True)
        self.setCursor(Qt.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.button.click()


class FitBanner(QFrame):
    """Lists what loading does automatically and what the design needs; `apply_requested(match_input)`."""

    apply_requested = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitBanner")
        self.check: FitCheck | None = None
        self.title = QLabel()
        self.title.setStyleSheet(f"font-weight: 600; color: {style.TEXT};")
        self.title.setWordWrap(True)
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.match_input = QRadioButton()
        self.keep_input = QRadioButton()
        self.match_text = _ChoiceText(self.match_input)
        self.keep_text = _ChoiceText(self.keep_input)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.match_input)
        self.choice.addButton(self.keep_input)
        self.apply_button = QPushButton("Apply to design")
        self.apply_button.setToolTip("Changes the design as one step: Edit ▸ Undo takes it back")

        choices = QGridLayout()
        choices.setVerticalSpacing(2)
        choices.setColumnStretch(1, 1)
        for row, (button, text) in enumerate(((self.match_input, self.match_text), (self.keep_input, self.keep_text))):
            choices.addWidget(button, row, 0, Qt.AlignTop)
            choices.addWidget(text, row, 1)
        row = QHBoxLayout()
        row.addLayout(choices, 1)
        row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addLayout(row)

        self.choice.buttonToggled.connect(lambda *args: self._update_button())
        self.apply_button.clicked.connect(lambda: self.apply_requested.emit(self.match_input.isChecked()))
        self.hide()

    def show_check(self, check: FitCheck | None, design_name: str) -> None:
        """Show what does not fit, or hide when everything fits (or nothing is known yet)."""
        previous = self.check
        self.check = check
        if check is None or check.fits:
            self.hide()
            return
        kind = "warning" if check.classes_differ else "info"
        background, border = _COLORS[kind]
        self.setStyleSheet(
            f"QFrame#fitBanner {{ background: {background}; border: 1px solid {border}; border-radius: 6px; }}"
        )
        data = html.escape(check.data_title)
        design = html.escape(design_name)
        if check.classes_differ:
            self.title.setText(f"{check.data_title} does not fit {design_name} as it is")
        else:
            self.title.setText(f"{check.data_title} is fitted to {design_name}'s input automatically")
        lines = []
        if check.automatic:
            lines.append("<b>Done automatically when loading:</b> " + "; ".join(map(html.escape, check.automatic)))
        if check.classes_differ:
            lines.append(
                f"<b>Needs a change to the design:</b> {design} outputs {check.design_classes} classes, "
                f"{data} has {check.data_classes}: re-target the last Linear layer to "
                f"{check.data_classes} outputs."
            )
        self.body.setText("<br>".join(lines))
        self.body.setVisible(bool(lines))
        show_choice = check.input_differs and check.design_shape is not None
        for widget in (self.match_input, self.keep_input, self.match_text, self.keep_text):
            widget.setVisible(show_choice)
        if show_choice:
            assert check.design_shape is not None
            self.match_text.setText(
                f"Make the network's input match the data: {format_shape(check.design_shape)} "
                f"→ {format_shape(check.data_shape)}"
            )
            self.keep_text.setText(
                f"Keep the network's input ({format_shape(check.design_shape)}) and fit the images to it"
            )
            same_question = previous is not None and (previous.data_shape, previous.design_shape) == (
                check.data_shape,
                check.design_shape,
            )
            if not same_question:  # keep the user's answer while the question stays the same
                (self.match_input if check.match_input_by_default else self.keep_input).setChecked(True)
        self._update_button()
        self.show()

    def _update_button(self) -> None:
        check = self.check
        changes = check is not None and (check.classes_differ or (check.input_differs and self.match_input.isChecked()))
        self.apply_button.setEnabled(changes)
