"""A combo box for long names (files, layers, models) in a narrow panel: its width is set by a number of
characters, not by its longest item, and a chosen text too long for it is shown elided (…) and in full
as its tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QComboBox, QStyle, QStyleOptionComboBox, QStylePainter, QWidget

TEXT_MARGIN = 4  # pixels the style keeps between the edit field's edges and its text


class ElidingComboBox(QComboBox):
    """At least `characters` characters wide; `elide` says where a long text loses characters (the middle
    keeps both ends of a layer name such as blocks_4_expand_relu). The tooltip is the current item's own
    (Qt.ToolTipRole, e.g. a file's whole path), else its full text."""

    def __init__(self, characters: int, elide: Qt.TextElideMode = Qt.ElideRight, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._elide = elide
        self.setMinimumContentsLength(characters)
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.currentIndexChanged.connect(self._update_tooltip)
        self.currentTextChanged.connect(self._update_tooltip)
        self.model().dataChanged.connect(self._update_tooltip)

    def displayed_text(self) -> str:
        """The current text as painted: elided when the combo is narrower than it."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, self)
        width = field.width() - 2 * TEXT_MARGIN
        if not option.currentIcon.isNull():
            width -= option.iconSize.width() + TEXT_MARGIN
        return self.fontMetrics().elidedText(self.currentText(), self._elide, max(width, 0))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.CC_ComboBox, option)
        option.currentText = self.displayed_text()
        painter.drawControl(QStyle.CE_ComboBoxLabel, option)

    def _update_tooltip(self, *args: object) -> None:
        own = self.currentData(Qt.ToolTipRole)
        self.setToolTip(str(own) if own else self.currentText())
