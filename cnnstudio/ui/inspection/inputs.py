"""Where the inspected image comes from: the current data's validation set, an image file (opened or
dropped on the tab), a webcam snapshot, or the drawing pad. Each source keeps its own last image, so
switching back and forth shows what it showed before."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import ImageDataset
from cnnstudio.data.pipeline import ImageError, decode_pixels
from cnnstudio.ui.inspection.data.dataset_browser import DatasetBrowser
from cnnstudio.ui.inspection.data.drawing_pad import DrawingPad
from cnnstudio.ui.inspection.image_widgets import ImageCanvas
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import TaskRunner

DATASET, FILE, WEBCAM, DRAW = range(4)
SOURCE_LABELS = ("Dataset", "File", "Webcam", "Draw")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
IMAGE_FILTER = "Images (" + " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES) + ");;All files (*)"
KEY = "input-file"


def is_image_file(path: str) -> bool:
    return Path(path).suffix.lower() in IMAGE_SUFFIXES


def _describe(pixels: np.ndarray) -> str:
    kind = "grey" if pixels.ndim == 2 else "colour"
    return f"{pixels.shape[1]}×{pixels.shape[0]} {kind}"


class InputPanel(QWidget):
    """The image source buttons, the image (or the pad) and the source's controls.

    `image_changed(pixels, caption)`: uint8 (H, W) or (H, W, 3) pixels, or None (with the reason as
    the caption) when the chosen source has no image yet.
    """

    image_changed = Signal(object, str)

    def __init__(self, context: StudioContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self._source = DRAW
        self._images: dict[int, tuple[np.ndarray, str]] = {}

        self.buttons = QButtonGroup(self)
        self.buttons.setExclusive(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        for index, label in enumerate(SOURCE_LABELS):
            button = QToolButton()
            button.setText(label)
            button.setCheckable(True)
            button.setMinimumWidth(52)
            self.buttons.addButton(button, index)
            row.addWidget(button)
        row.addStretch(1)

        self.canvas = ImageCanvas("No image", minimum=150, preferred=230)
        self.pad = DrawingPad()
        self.picture_stack = QStackedWidget()
        self.picture_stack.addWidget(self.canvas)
        self.picture_stack.addWidget(self.pad)
        self.caption_label = QLabel()
        self.caption_label.setWordWrap(True)
        self.caption_label.setProperty("role", "muted")

        self.browser = DatasetBrowser(runner)
        self.browser.image_chosen.connect(lambda pixels, caption: self._keep(DATASET, pixels, caption))
        self.controls = QStackedWidget()
        self.controls.addWidget(self.browser)
        self.controls.addWidget(self._file_controls())
        self.controls.addWidget(self._webcam_controls())
        self.controls.addWidget(self._draw_controls())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        heading = QLabel("Input")
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        layout.addLayout(row)
        layout.addWidget(self.picture_stack, 1)
        layout.addWidget(self.caption_label)
        layout.addWidget(self.controls)

        self.pad.changed.connect(self._drawn)
        self.buttons.idClicked.connect(self.set_source)
        self.set_source(DRAW)

    # ----- the source controls
    def _file_controls(self) -> QWidget:
        widget = QWidget()
        self.open_button = QPushButton("Open image…")
        self.open_button.clicked.connect(self.ask_file)
        hint = QLabel("or drop an image file on this tab")
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.open_button)
        layout.addWidget(hint, 1)
        return widget

    def _webcam_controls(self) -> QWidget:
        hint = QLabel("Take a snapshot in the Webcam tab and send it to Inspect.")
        hint.setWordWrap(True)
        hint.setProperty("role", "muted")
        return hint

    def _draw_controls(self) -> QWidget:
        widget = QWidget()
        self.ink_combo = QComboBox()
        self.ink_combo.addItems(["White ink", "Black ink"])
        self.ink_combo.setToolTip("White ink on black, as MNIST digits are, or black ink on white")
        self.ink_combo.currentIndexChanged.connect(lambda index: self.pad.set_inverted(index == 1))
        self.pen_spin = QSpinBox()
        self.pen_spin.setRange(4, 60)
        self.pen_spin.setValue(22)
        self.pen_spin.setPrefix("pen ")
        self.pen_spin.setToolTip("Stroke width, in pixels of the 280×280 drawing")
        self.pen_spin.valueChanged.connect(self.pad.set_pen_width)
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(self.pad.clear)
        layout = QHBoxLayout(widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ink_combo, 1)
        layout.addWidget(self.pen_spin)
        layout.addWidget(self.clear_button)
        return widget

    # ----- choosing the source
    @property
    def source(self) -> int:
        return self._source

    def set_source(self, source: int) -> None:
        self._source = source
        self.buttons.button(source).setChecked(True)
        self.picture_stack.setCurrentWidget(self.pad if source == DRAW else self.canvas)
        self.controls.setCurrentIndex(source)
        for index in range(self.controls.count()):  # the stack takes the height of the shown controls only
            policy = QSizePolicy.Preferred if index == source else QSizePolicy.Ignored
            self.controls.widget(index).setSizePolicy(policy, policy)
        self.controls.adjustSize()
        if source == DRAW:
            self._drawn()
        elif source in self._images:
            self._emit(*self._images[source])
        elif source == DATASET and self.browser.current_index() is not None:
            self.browser.show_current()
        else:
            reason = {
                DATASET: "No data yet: choose a dataset in the Data tab.",
                FILE: "Open an image file, or drop one on this tab.",
                WEBCAM: "No snapshot yet: take one in the Webcam tab.",
            }[source]
            self.canvas.set_image(None)
            self.canvas.set_placeholder(reason)
            self.caption_label.setText(reason)
            self.image_changed.emit(None, reason)

    def current(self) -> tuple[np.ndarray, str] | None:
        """The image of the chosen source and its caption (None when it has none)."""
        if self._source == DRAW:
            return self.pad.image(), "Drawing"
        return self._images.get(self._source)

    # ----- images arriving
    def _keep(self, source: int, pixels: np.ndarray, caption: str) -> None:
        """Remember the newest image of a source; show it if that source is the chosen one."""
        self._images[source] = (pixels, caption)
        if source == self._source:
            self._emit(pixels, caption)

    def _show(self, source: int, pixels: np.ndarray, caption: str) -> None:
        """An image the user just asked for (a file, a snapshot): show it, switching to its source."""
        self._keep(source, pixels, caption)
        if source != self._source:
            self.set_source(source)

    def _emit(self, pixels: np.ndarray, caption: str) -> None:
        self.canvas.set_image(pixels)
        self.caption_label.setText(caption)
        self.image_changed.emit(pixels, caption)

    def _drawn(self) -> None:
        if self._source == DRAW:
            self.caption_label.setText("Drawing: draw with the mouse, every view follows")
            self.image_changed.emit(self.pad.image(), "Drawing")

    def show_snapshot(self, pixels: np.ndarray) -> None:
        """A webcam snapshot (H×W×3 uint8) to inspect: shown, and the source switched to it."""
        try:
            image = np.ascontiguousarray(decode_pixels(pixels))
        except ImageError as error:
            self.caption_label.setText(f"The snapshot cannot be shown: {error}")
            return
        self._show(WEBCAM, image, f"Webcam snapshot · {_describe(image)}")

    def set_dataset(self, dataset: ImageDataset | None, title: str) -> None:
        """The validation images to browse (None: no data, and nothing to show from it)."""
        if dataset is None:
            self._images.pop(DATASET, None)
        self.browser.set_dataset(dataset, title)
        if dataset is None and self._source == DATASET:
            self.set_source(DATASET)  # says that there is no data

    def ask_file(self) -> None:
        path = self.context.prompts.open_path("Open an image to inspect", "", IMAGE_FILTER)
        if path:
            self.open_file(path)

    def open_file(self, path: str) -> None:
        """Read an image file (on the runner) and show it."""
        self.caption_label.setText(f"Reading {Path(path).name}…")

        def done(pixels: np.ndarray) -> None:
            self._show(FILE, pixels, f"{Path(path).name} · {_describe(pixels)}")

        def failed(error: Exception) -> None:
            message = f"{error}. Choose a PNG, JPEG, BMP, GIF, TIFF or WebP image."
            self.caption_label.setText(message)
            self.context.show_message(message)

        self.runner.submit(lambda task: decode_pixels(path), key=KEY, on_done=done, on_error=failed)
