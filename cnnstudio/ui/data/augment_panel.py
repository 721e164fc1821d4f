"""The augmentation panel: a control for every augmentation the core offers, in step with the
session's augmentation text, and a live preview (original images above augmented copies).

The preview is computed in the background (the newest request wins) whenever an option, the data or the
random seed changes; only the newest preview is shown.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import DataError, ImageDataset
from cnnstudio.data.augment import (
    AUGMENTATIONS,
    AugmentInfo,
    AugmentOption,
    format_augment,
    parse_augment,
    preview_rows,
)
from cnnstudio.ui.data.tile_grid import TileGrid
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.images import to_qimage

COLUMNS = 6
AUGMENTED_ROWS = 3
PREVIEW_DELAY_MS = 120
_UNITS = {
    "flip": "probability",
    "crop": "pixels of shift",
    "rotate": "± degrees",
    "scale": "zoom range",
    "color": "strength",
    "erase": "probability",
}


class _Control:
    """The check box and value box(es) of one augmentation."""

    def __init__(self, info: AugmentInfo) -> None:
        self.info = info
        self.check = QCheckBox(info.name.capitalize())
        self.check.setToolTip(info.help)
        self.boxes: list[QSpinBox | QDoubleSpinBox] = []
        defaults = info.default if isinstance(info.default, tuple) else (info.default,)
        for default in defaults:
            box: QSpinBox | QDoubleSpinBox
            if info.integer:
                box = QSpinBox()
                box.setRange(int(info.minimum), int(info.maximum))
            else:
                box = QDoubleSpinBox()
                box.setDecimals(2)
                box.setRange(info.minimum, info.maximum)
                box.setSingleStep(0.05 if info.maximum <= 4 else 1.0)
            box.setValue(default)
            box.setToolTip(info.help)
            box.setButtonSymbols(QAbstractSpinBox.UpDownArrows)
            box.setKeyboardTracking(False)
            box.setEnabled(False)
            self.boxes.append(box)
        self.check.toggled.connect(lambda on: [box.setEnabled(on) for box in self.boxes])

    def option(self) -> AugmentOption | None:
        if not self.check.isChecked():
            return None
        values = [box.value() for box in self.boxes]
        if len(values) == 2:
            low, high = sorted(values)
            return AugmentOption(self.info.name, (low, high))
        return AugmentOption(self.info.name, int(values[0]) if self.info.integer else values[0])

    def show_option(self, option: AugmentOption | None) -> None:
        self.check.setChecked(option is not None)
        if option is not None:
            values = option.value if isinstance(option.value, tuple) else (option.value,)
            for box, value in zip(self.boxes, values, strict=True):
                box.setValue(value)

    def widgets(self) -> list[QWidget]:
        return [self.check, *self.boxes]


class AugmentPanel(QWidget):
    """`edited(text)` when the user changes an option (text as parse_augment reads it, "" for none)."""

    edited = Signal(str)
    preview_ready = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset: ImageDataset | None = None
        self.seed = 1
        self.controls = {name: _Control(info) for name, info in AUGMENTATIONS.items()}
        self.tasks = TaskRunner("cnnstudio-augment-preview", self)
        self.timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self._compute)

        grid = QGridLayout()
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        for row, control in enumerate(self.controls.values()):
            grid.addWidget(control.check, row, 0)
            boxes = QHBoxLayout()
            boxes.setSpacing(4)
            for index, box in enumerate(control.boxes):
                if index:
                    boxes.addWidget(QLabel("–"))
                box.setFixedWidth(66)
                boxes.addWidget(box)
            boxes.addStretch(1)
            grid.addLayout(boxes, row, 1)
            unit = QLabel(_UNITS.get(control.info.name, control.info.param))
            unit.setProperty("role", "muted")
            unit.setMinimumWidth(1)  # clipped rather than widening the tab when it is narrow
            grid.addWidget(unit, row, 2)
        self.text_label = QLabel()
        self.text_label.setProperty("role", "muted")
        self.text_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.new_random = QPushButton("New random")
        self.new_random.setToolTip("Draw new random augmentations of the same images")
        controls = QVBoxLayout()
        controls.addLayout(grid)
        controls.addWidget(self.text_label)
        controls.addWidget(self.error_label)
        controls.addWidget(self.new_random, 0, Qt.AlignLeft)
        controls.addStretch(1)
        self.tiles = TileGrid()

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addSpacing(12)
        layout.addWidget(self.tiles, 1)

        for control in self.controls.values():
            control.check.toggled.connect(self._user_edit)
            for box in control.boxes:
                box.valueChanged.connect(self._user_edit)
        self.new_random.clicked.connect(self._reseed)
        self._show_text()

    # ----- options
    def options(self) -> list[AugmentOption]:
        return [option for control in self.controls.values() if (option := control.option()) is not None]

    def text(self) -> str:
        """The options as text; "" when there are none (the session's "no augmentation")."""
        options = self.options()
        return format_augment(options) if options else ""

    def set_text(self, text: str) -> None:
        """Show the options of `text` (from the session); a text that cannot be read is reported."""
        try:
            options = {option.name: option for option in parse_augment(text)}
        except DataError as error:
            self._show_error(f"The augmentation “{text}” cannot be shown: {error}")
            return
        if text == self.text():
            return
        for control in self.controls.values():
            for widget in control.widgets():
                widget.blockSignals(True)
            control.show_option(options.get(control.info.name))
            for box in control.boxes:
                box.setEnabled(control.check.isChecked())
            for widget in control.widgets():
                widget.blockSignals(False)
        self._changed()

    def _user_edit(self) -> None:
        self._changed()
        self.edited.emit(self.text())

    def _changed(self) -> None:
        self.error_label.hide()
        self._show_text()
        self.timer.start()

    def _show_text(self) -> None:
        text = self.text()
        self.new_random.setEnabled(bool(text))
        self.text_label.setText(
            f"As text: {text}" if text else "No augmentation: training uses the images as they are."
        )

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    # ----- preview
    def set_dataset(self, dataset: ImageDataset | None) -> None:
        self.dataset = dataset
        if dataset is None:
            self.tasks.cancel()
            self.tiles.set_rows([], "The preview appears once the data is loaded.")
        else:
            self.timer.start()

    def _reseed(self) -> None:
        self.seed += 1
        self.timer.start()

    def _compute(self) -> None:
        dataset, options, seed = self.dataset, self.options(), self.seed
        if dataset is None or len(dataset) == 0:
            return
        self.tasks.submit(
            lambda task: preview_rows(dataset, options, COLUMNS, AUGMENTED_ROWS, seed, task.report),
            key="preview",
            on_done=self._show_preview,
            on_error=lambda error: self._show_error(f"The preview failed: {error}"),
        )

    def _show_preview(self, pixel_rows: list[np.ndarray]) -> None:
        """The originals' row, then the augmented rows (each [COLUMNS, H, W, C] uint8)."""
        captions = ("original", "augmented")  # the later augmented rows need no caption of their own
        rows = [
            (captions[index] if index < len(captions) else "", [to_qimage(image) for image in row])
            for index, row in enumerate(pixel_rows)
        ]
        self.tiles.set_rows(rows)
        self.preview_ready.emit()

    def shutdown(self) -> None:
        self.timer.stop()
        self.tasks.shutdown()
