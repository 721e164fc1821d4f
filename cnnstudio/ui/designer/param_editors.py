"""One editor widget per parameter kind of the catalog, with the catalog's ranges.

Each editor emits `edited(value)` only when the user changes it (spin boxes when the value is
committed: Enter, focus out or an arrow step), and `set_value()` shows a value without emitting.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QToolButton,
    QWidget,
)

from cnnstudio.graph.catalog import BOOL, CHOICE, FLOAT, INT, OPTIONAL_PAIR, PADDING, PAIR, ParamSpec
from cnnstudio.graph.params import PADDING_WORDS, as_pair
from cnnstudio.ui import style

INT_LIMIT = 2**31 - 1


def _int_spin(spec: ParamSpec) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(
        int(spec.minimum) if spec.minimum is not None else -INT_LIMIT,
        int(spec.maximum) if spec.maximum is not None else INT_LIMIT,
    )
    spin.setKeyboardTracking(False)
    spin.setAccelerated(True)
    spin.setMinimumWidth(64)
    return spin


def _link_icon() -> QIcon:
    """A chain link: closed when height and width are linked, broken when not."""
    icon = QIcon()
    for state, gap in ((QIcon.On, 0.0), (QIcon.Off, 3.0)):
        pixmap = QPixmap(32, 32)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(QColor(style.ACCENT if not gap else style.MUTED), 3.0))
        painter.translate(16, 16)
        painter.rotate(-45)
        painter.drawRoundedRect(QRectF(-13 - gap, -5, 15, 10), 5, 5)
        painter.drawRoundedRect(QRectF(-2 + gap, -5, 15, 10), 5, 5)
        painter.end()
        icon.addPixmap(pixmap, QIcon.Normal, state)
    return icon


class FloatSpinBox(QDoubleSpinBox):
    """A spin box that shows floats compactly (1e-05, 0.75) and steps in proportion to the value."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.setDecimals(10)
        self.setRange(
            spec.minimum if spec.minimum is not None else -1e12, spec.maximum if spec.maximum is not None else 1e12
        )
        self.setKeyboardTracking(False)
        self.setStepType(QAbstractSpinBox.AdaptiveDecimalStepType)
        self.setMinimumWidth(80)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> object:
        stripped = text.strip()
        if stripped in ("", "-", ".", "-.", "e", "E") or stripped.lower().endswith(("e", "e-", "e+")):
            return QValidator.Intermediate, text, pos
        try:
            value = float(stripped)
        except ValueError:
            return QValidator.Invalid, text, pos
        if not math.isfinite(value):
            return QValidator.Invalid, text, pos
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.Acceptable if inside else QValidator.Intermediate), text, pos


class ParamEditor(QWidget):
    """Base: a row editor for one parameter."""

    edited = Signal(object)

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__()
        self.spec = spec
        self.setToolTip(spec.help)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._quiet = False

    def set_value(self, value: Any) -> None:
        self._quiet = True
        try:
            self._show(value)
        except (TypeError, ValueError, IndexError):
            pass  # an invalid value from a file: the analysis reports it; the editor keeps its last value
        finally:
            self._quiet = False

    def _show(self, value: Any) -> None:
        raise NotImplementedError

    def _emit(self, value: Any) -> None:
        if not self._quiet:
            self.edited.emit(value)


class IntEditor(ParamEditor):
    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.spin = _int_spin(spec)
        self._layout.addWidget(self.spin, 1)
        self.spin.valueChanged.connect(self._emit)

    def _show(self, value: Any) -> None:
        self.spin.setValue(int(value))


class FloatEditor(ParamEditor):
    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.spin = FloatSpinBox(spec)
        self._layout.addWidget(self.spin, 1)
        self.spin.valueChanged.connect(lambda value: self._emit(float(f"{value:.6g}")))

    def _show(self, value: Any) -> None:
        self.spin.setValue(float(value))


class BoolEditor(ParamEditor):
    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.check = QCheckBox()
        self._layout.addWidget(self.check, 1)
        self.check.toggled.connect(self._emit)

    def _show(self, value: Any) -> None:
        self.check.setChecked(bool(value))


class ChoiceEditor(ParamEditor):
    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.combo = QComboBox()
        for choice in spec.choices:
            self.combo.addItem(str(choice), choice)
        self._layout.addWidget(self.combo, 1)
        self.combo.activated.connect(lambda index: self._emit(self.combo.itemData(index)))

    def _show(self, value: Any) -> None:
        index = self.combo.findData(value)
        if index < 0:
            raise ValueError(value)
        self.combo.setCurrentIndex(index)


class PairEditor(ParamEditor):
    """Height × width spin boxes; while linked (the chain button), both follow each other."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.height = _int_spin(spec)
        self.width = _int_spin(spec)
        self.height.setToolTip(f"{spec.name}: height")
        self.width.setToolTip(f"{spec.name}: width")
        self.link = QToolButton(checkable=True, checked=True, autoRaise=True, toolTip="Keep height and width equal")
        self.link.setIcon(_link_icon())
        times = QLabel("×")
        self._layout.addWidget(self.height, 1)
        self._layout.addWidget(times)
        self._layout.addWidget(self.width, 1)
        self._layout.addWidget(self.link)
        self.height.valueChanged.connect(lambda value: self._changed(self.height, value))
        self.width.valueChanged.connect(lambda value: self._changed(self.width, value))

    def _changed(self, source: QSpinBox, value: int) -> None:
        if self._quiet:
            return
        if self.link.isChecked():
            other = self.width if source is self.height else self.height
            self._quiet = True
            other.setValue(value)
            self._quiet = False
        self._emit(self.value())

    def value(self) -> Any:
        height, width = self.height.value(), self.width.value()
        return height if height == width else [height, width]

    def _show(self, value: Any) -> None:
        height, width = as_pair(value)
        self.height.setValue(height)
        self.width.setValue(width)
        self.link.setChecked(height == width)

    def set_enabled(self, enabled: bool) -> None:
        for widget in (self.height, self.width, self.link):
            widget.setEnabled(enabled)


class PaddingEditor(PairEditor):
    """A padding: a number / pair, or the words 'same' or 'valid'."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.mode = QComboBox()
        self.mode.addItems(["pixels", *PADDING_WORDS])
        self.mode.setToolTip("'same' keeps the size (stride 1); 'valid' adds no padding")
        self._layout.insertWidget(0, self.mode)
        self.mode.activated.connect(self._mode_changed)

    def _mode_changed(self, index: int) -> None:
        self.set_enabled(index == 0)
        self._emit(self.value())

    def value(self) -> Any:
        return super().value() if self.mode.currentIndex() == 0 else self.mode.currentText()

    def _show(self, value: Any) -> None:
        if isinstance(value, str):
            self.mode.setCurrentText(value)
            self.set_enabled(False)
        else:
            self.mode.setCurrentIndex(0)
            self.set_enabled(True)
            super()._show(value)


class OptionalPairEditor(PairEditor):
    """A pooling stride: 'auto' (= the kernel size) or a number / pair."""

    def __init__(self, spec: ParamSpec) -> None:
        super().__init__(spec)
        self.auto = QCheckBox("auto", toolTip="Same as the kernel size")
        self._layout.insertWidget(0, self.auto)
        self.auto.toggled.connect(self._auto_toggled)

    def _auto_toggled(self, auto: bool) -> None:
        self.set_enabled(not auto)
        self._emit(self.value())

    def value(self) -> Any:
        return None if self.auto.isChecked() else super().value()

    def _show(self, value: Any) -> None:
        self.auto.setChecked(value is None)
        self.set_enabled(value is not None)
        if value is not None:
            super()._show(value)


_EDITORS = {
    INT: IntEditor,
    FLOAT: FloatEditor,
    BOOL: BoolEditor,
    CHOICE: ChoiceEditor,
    PAIR: PairEditor,
    PADDING: PaddingEditor,
    OPTIONAL_PAIR: OptionalPairEditor,
}


def editor_for(spec: ParamSpec) -> ParamEditor:
    """The editor widget for a parameter of the catalog."""
    editor = _EDITORS[spec.kind](spec)
    editor.setFocusPolicy(Qt.StrongFocus)
    return editor
