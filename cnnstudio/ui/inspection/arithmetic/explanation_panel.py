"""The arithmetic of one output value, laid out as a student writes it: for every input channel the
patch × the kernel = the products (and their sum), then the sum over channels, the division (the
lecture's "divide by the number of pixels"), the bias, the activation and the value. For pooling:
the window, which value won (max) or the sum and the divisor (average)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.ui import style
from cnnstudio.ui.inspection.arithmetic.number_grid import NumberGrid
from cnnstudio.ui.inspection.formatting import format_value
from cnnstudio.viz.arithmetic import ConvExplanation, PoolExplanation

CHANNELS_SHOWN = 12


def _signed(value: float) -> str:
    text = format_value(value)
    return f"({text})" if value < 0 else text


def _operator(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(f"font-size: 15pt; color: {style.MUTED}; padding: 0 4px;")
    label.setAlignment(Qt.AlignCenter)
    return label


class ExplanationPanel(QWidget):
    """Shows a ConvExplanation or a PoolExplanation. `channel_clicked(input_channel)` when the user
    picks a channel's row (the caller then shows that channel of the input)."""

    channel_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 8, 8, 8)
        self._layout.setSpacing(8)
        self.heading = QLabel()
        self.heading.setProperty("role", "heading")
        self.heading.setWordWrap(True)
        self._rows = QWidget()
        self._grid = QGridLayout(self._rows)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(4)
        self._grid.setVerticalSpacing(10)
        self.more_button = QPushButton()
        self.more_button.clicked.connect(self._show_all)
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.RichText)
        self.steps.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.steps.setWordWrap(True)
        self.value_label = QLabel()
        self.value_label.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.value_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.check_label = QLabel()
        self.check_label.setWordWrap(True)
        for widget in (self.heading, self._rows, self.more_button, self.steps, self.value_label, self.check_label):
            self._layout.addWidget(widget)
        self._layout.addStretch(1)
        self._explanation: ConvExplanation | PoolExplanation | None = None
        self.clear("")

    # ----- content
    def clear(self, message: str) -> None:
        self._explanation = None
        self._clear_rows()
        self.heading.setText(message)
        self.heading.setProperty("role", "muted")
        self.heading.style().polish(self.heading)
        for label in (self.steps, self.value_label, self.check_label):
            label.clear()
        self.more_button.hide()

    def explanation(self) -> ConvExplanation | PoolExplanation | None:
        return self._explanation

    def set_check(self, text: str, ok: bool) -> None:
        """A line comparing the arithmetic with what the layer really output."""
        self.check_label.setText(text)
        self.check_label.setStyleSheet(f"color: {style.OK if ok else style.ERROR};")

    def show_conv(self, explanation: ConvExplanation, title: str) -> None:
        self._explanation = explanation
        self._set_heading(title)
        self._fill_conv(explanation, CHANNELS_SHOWN)
        self.steps.setText(self._conv_steps(explanation))
        self.value_label.setText(f"= {format_value(explanation.value)}")
        self.check_label.clear()

    def show_pool(self, explanation: PoolExplanation, title: str) -> None:
        self._explanation = explanation
        self._set_heading(title)
        self._clear_rows()
        self.more_button.hide()
        window = explanation.window
        outside = np.isnan(window)
        marked = set()
        if explanation.winner is not None:
            marked.add((explanation.rows.index(explanation.winner[0]), explanation.cols.index(explanation.winner[1])))
        grid = NumberGrid(caption=f"window on input channel {explanation.channel}")
        grid.set_values(window, padding=outside, marked=marked)
        self._grid.addWidget(grid, 0, 0, Qt.AlignLeft | Qt.AlignTop)
        self._grid.setColumnStretch(1, 1)
        if explanation.kind == "max":
            row, col = explanation.winner
            steps = (
                f"The largest value in the {window.shape[0]}×{window.shape[1]} window wins: "
                f"<b>{format_value(explanation.value)}</b> at input row {row}, column {col} (outlined)."
            )
        else:
            count = int((~outside).sum())
            steps = (
                f"Sum of the {count} values in the window: {format_value(explanation.total)}<br>"
                f"÷ {format_value(explanation.divisor)} = <b>{format_value(explanation.value)}</b>"
            )
            if explanation.divisor != count:
                steps += (
                    f"<br><span style='color:{style.MUTED}'>(this layer divides by "
                    f"{format_value(explanation.divisor)}, not by the {count} values inside the input)</span>"
                )
        self.steps.setText(steps)
        self.value_label.setText(f"= {format_value(explanation.value)}")
        self.check_label.clear()

    # ----- building the rows
    def _set_heading(self, title: str) -> None:
        self.heading.setText(title)
        self.heading.setProperty("role", "heading")
        self.heading.style().polish(self.heading)

    def _clear_rows(self) -> None:
        while self._grid.count():
            widget = self._grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _fill_conv(self, explanation: ConvExplanation, limit: int | None) -> None:
        self._clear_rows()
        channels = explanation.channels if limit is None else explanation.channels[:limit]
        padding = explanation.in_padding
        for row, channel in enumerate(channels):
            button = QToolButton()
            button.setText(f"in {channel.input_channel}")
            button.setToolTip(f"Show input channel {channel.input_channel} with the patch outlined")
            button.setAutoRaise(True)
            button.clicked.connect(lambda checked=False, c=channel.input_channel: self.channel_clicked.emit(c))
            captions = ("patch", "kernel", "products") if row == 0 else ("", "", "")
            patch = NumberGrid(caption=captions[0])
            patch.set_values(channel.patch, padding=padding)
            kernel = NumberGrid(channel.kernel, caption=captions[1])
            products = NumberGrid(channel.products, caption=captions[2])
            total = QLabel(f"Σ = {format_value(channel.sum)}")
            total.setStyleSheet("font-weight: 600;")
            widgets = [button, patch, _operator("×"), kernel, _operator("="), products, total]
            if row == 0:
                wrap = self._too_wide(widgets)
            if wrap:  # the products and their sum on a second line, under the kernel
                second = QWidget()
                line = QHBoxLayout(second)
                line.setContentsMargins(0, 0, 0, 0)
                line.addWidget(products)
                line.addWidget(total)
                line.addStretch(1)
                placed = [
                    (widgets[0], 2 * row, 0),
                    (widgets[1], 2 * row, 1),
                    (widgets[2], 2 * row, 2),
                    (widgets[3], 2 * row, 3),
                    (widgets[4], 2 * row + 1, 2),
                    (second, 2 * row + 1, 3),
                ]
            else:
                placed = [(widget, row, column) for column, widget in enumerate(widgets)]
            for widget, grid_row, column in placed:
                self._grid.addWidget(widget, grid_row, column, Qt.AlignLeft | Qt.AlignVCenter)
        for column in range(8):
            self._grid.setColumnStretch(column, 0)
        self._grid.setColumnStretch(7, 1)
        hidden = len(explanation.channels) - len(channels)
        self.more_button.setVisible(hidden > 0)
        self.more_button.setText(f"Show all {len(explanation.channels)} input channels ({hidden} more)")

    def _too_wide(self, widgets: list[QWidget]) -> bool:
        """Whether one channel's row would not fit the panel's width (before it is shown: 600 pixels)."""
        needed = sum(widget.sizeHint().width() for widget in widgets) + 4 * len(widgets) + 16
        available = self.width() if self.isVisible() else 600
        return needed > available

    def _show_all(self) -> None:
        if isinstance(self._explanation, ConvExplanation):
            self._fill_conv(self._explanation, None)

    @staticmethod
    def _conv_steps(explanation: ConvExplanation) -> str:
        sums = [channel.sum for channel in explanation.channels]
        count = len(sums)
        if count == 1:
            lines = [f"Sum of the products: {format_value(explanation.total)}"]
        elif count <= 6:
            terms = " + ".join(_signed(s) for s in sums)
            lines = [f"Sum over the {count} input channels: {terms} = {format_value(explanation.total)}"]
        else:
            lines = [f"Sum over the {count} input channels' sums: {format_value(explanation.total)}"]
        if explanation.divisor != 1:
            lines.append(
                f"÷ {format_value(explanation.divisor)} (the number of products) "
                f"= {format_value(explanation.total / explanation.divisor)}"
            )
        lines.append(f"+ bias {_signed(explanation.bias)} = {format_value(explanation.pre_activation)}")
        if explanation.activation:
            lines.append(
                f"{explanation.activation}({format_value(explanation.pre_activation)}) "
                f"= <b>{format_value(explanation.value)}</b>"
            )
        padded = int(explanation.in_padding.sum())
        if padded:
            lines.append(
                f"<span style='color:{style.MUTED}'>Grey cells lie in the padding "
                f"({padded} of {explanation.in_padding.size} per channel).</span>"
            )
        return "<br>".join(lines)
