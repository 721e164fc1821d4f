"""Small widgets the Inspect tab's views share: labels, number boxes, a layer and a class chooser, and the
line under a view that says what it shows, how far a computation is (with Cancel) or what went wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.graph.describe import format_shape
from cnnstudio.ui.inspection.formatting import error_message
from cnnstudio.ui.tasks import Task, TaskRunner
from cnnstudio.ui.widgets.labels import heading
from cnnstudio.viz.activations import LayerInfo

_SEARCHABLE_FROM = 20  # class lists longer than this get a type-to-search box


def scrolling(widget: QWidget | None = None, *, resizable: bool = True) -> QScrollArea:
    """A frameless scroll area around `widget` (set later when None), which it resizes to fit unless told not to."""
    area = QScrollArea()
    if widget is not None:
        area.setWidget(widget)
    area.setWidgetResizable(resizable)
    area.setFrameShape(QFrame.NoFrame)
    return area


def titled_column(owner: QWidget, title: str, corner: QWidget) -> QVBoxLayout:
    """`owner`'s layout: a heading with `corner` at its right end; the caller adds what goes under it."""
    top = QHBoxLayout()
    top.setContentsMargins(0, 0, 0, 0)
    top.addWidget(heading(title))
    top.addStretch(1)
    top.addWidget(corner)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    layout.addLayout(top)
    return layout


def spin(low: int, high: int, value: int, tooltip: str = "", suffix: str = "", prefix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tooltip)
    box.setSuffix(suffix)
    box.setPrefix(prefix)
    return box


def real_spin(low: float, high: float, value: float, step: float, decimals: int, tooltip: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setDecimals(decimals)
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setValue(value)
    box.setToolTip(tooltip)
    return box


def setting(widget: QSpinBox | QDoubleSpinBox | QComboBox) -> int | float | str:
    """What a settings control holds: a number box's value, a combo box's item data."""
    return widget.currentData() if isinstance(widget, QComboBox) else widget.value()


def choices(items: Sequence[tuple[str, object]], tooltip: str = "") -> QComboBox:
    """A combo box of (text, data) items."""
    box = QComboBox()
    for text, data in items:
        box.addItem(text, data)
    box.setToolTip(tooltip)
    return box


def layer_combo(tooltip: str, width: int = 14) -> QComboBox:
    """A combo box for layer names, about `width` characters wide whatever the names' lengths."""
    box = QComboBox()
    box.setMinimumContentsLength(width)
    box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    box.setToolTip(tooltip)
    return box


def describe_layer(layer: LayerInfo) -> str:
    """A layer as a combo box lists it: "conv2 · Conv2d · 16×10×10"."""
    return f"{layer.name} · {layer.kind} · {format_shape(layer.shape)}"


def fill_layers(box: QComboBox, layers: list[LayerInfo] | list[str], default: str | None) -> None:
    """List `layers` (or layer names) in a combo box (data: the layer name), keeping the chosen layer when
    the new list has it (the same design after another epoch), else selecting `default`; no signal is
    emitted."""
    chosen = box.currentData()
    box.blockSignals(True)
    box.clear()
    for layer in layers:
        if isinstance(layer, LayerInfo):
            box.addItem(describe_layer(layer), layer.name)
        else:
            box.addItem(layer, layer)
    index = box.findData(chosen)
    box.setCurrentIndex(index if index >= 0 else max(0, box.findData(default)))
    box.blockSignals(False)


def select_quietly(box: QComboBox, data: object) -> None:
    """Select the entry whose data is `data` without emitting the box's signals."""
    box.blockSignals(True)
    box.setCurrentIndex(box.findData(data))
    box.blockSignals(False)


class ClassCombo(QComboBox):
    """Choose one of the model's classes ("tabby (281)"); long lists can be searched by typing.

    `none_text`, when given, is a first entry meaning "no class" (current_class() is then None).
    `class_chosen` is emitted only when the user picks an entry.
    """

    class_chosen = Signal(object)  # int | None

    def __init__(self, none_text: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.none_text = none_text
        self.classes: list[str] = []
        self.setMinimumContentsLength(20)
        self.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.activated.connect(lambda index: self.class_chosen.emit(self.itemData(index)))

    def set_classes(self, classes: list[str]) -> None:
        self.classes = list(classes)
        self.blockSignals(True)
        self.clear()
        if self.none_text is not None:
            self.addItem(self.none_text, None)
        for index, name in enumerate(classes):
            self.addItem(f"{name} ({index})", index)
        searchable = len(classes) > _SEARCHABLE_FROM
        self.setEditable(searchable)
        if searchable:
            self.setInsertPolicy(QComboBox.NoInsert)
            completer = QCompleter(self.model(), self)
            completer.setFilterMode(Qt.MatchContains)
            completer.setCaseSensitivity(Qt.CaseInsensitive)
            completer.setCompletionMode(QCompleter.PopupCompletion)
            self.setCompleter(completer)
        self.blockSignals(False)

    def follow_classes(self, classes: list[str], default: int | None) -> None:
        """A new model: list its classes, keeping the chosen class when the list is the same."""
        if list(classes) != self.classes:
            self.set_classes(classes)
            self.set_class(default)

    def set_class(self, index: int | None) -> None:
        if self.findData(index) >= 0:
            select_quietly(self, index)

    def current_class(self) -> int | None:
        return self.currentData()


class StatusLine(QLabel):
    """One line under a view: what it shows (muted), or what went wrong (in red)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.info("")

    @property
    def is_error(self) -> bool:
        return self.property("role") == "error"

    def info(self, text: str) -> None:
        self._say(text, "muted")

    def error(self, text: str) -> None:
        self._say(text, "error")

    def _say(self, text: str, role: str) -> None:
        self.setText(text)
        self.setProperty("role", role)
        self.style().unpolish(self)
        self.style().polish(self)


class TaskStatus(QWidget):
    """A computation's progress bar and Cancel button while it runs, then its outcome or error."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(160)
        self.bar.setFixedHeight(10)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.label = StatusLine()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.label, 1)
        self.finished("")

    @property
    def is_running(self) -> bool:
        return not self.cancel_button.isHidden()

    @property
    def message(self) -> str:
        return self.label.text()

    @property
    def is_error(self) -> bool:
        return self.label.is_error

    def running(self, text: str) -> None:
        self.bar.setValue(0)
        self._show_progress(True)
        self.label.info(text)

    def progress(self, message: str, fraction: float) -> None:
        """A task's progress (the `TaskRunner.submit(on_progress=…)` signature); an empty message keeps the text."""
        if message:
            self.label.info(message)
        self.bar.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))

    def finished(self, text: str) -> None:
        self._show_progress(False)
        self.label.info(text)

    def failed(self, text: str) -> None:
        self._show_progress(False)
        self.label.error(text)

    def _show_progress(self, shown: bool) -> None:
        self.bar.setVisible(shown)
        self.cancel_button.setVisible(shown)


class StatusTask:
    """One computation of a view or page, submitted under its runner key (a newer request replaces an
    older one), with its progress, Cancel button and outcome on the view's TaskStatus line."""

    def __init__(self, runner: TaskRunner, key: str, action: str, status: TaskStatus) -> None:
        self.runner, self.key, self.action, self.status = runner, key, action, status

    def submit(
        self,
        text: str,
        function: Callable[[Task], Any],
        on_done: Callable[[Any], None],
        on_partial: Callable[[Any], None] | None = None,
    ) -> None:
        """Say `text`, then run `function(task)` on the runner; `on_done(result)` on the GUI thread."""
        self.status.running(text)
        self.runner.submit(
            function,
            key=self.key,
            on_done=on_done,
            on_error=self.failed,
            on_progress=self.status.progress,
            on_partial=on_partial,
        )

    def failed(self, error: Exception) -> None:
        self.status.failed(error_message(error, self.action))

    def running(self) -> bool:
        return self.runner.is_busy(self.key)

    def stop(self) -> None:
        """Stop without a word (the subject went away, the view is closing)."""
        self.runner.cancel(self.key)

    def cancel(self, text: str) -> None:
        """The user pressed Cancel: stop, and say `text` (what is shown now)."""
        self.runner.cancel(self.key)
        self.status.finished(text)
