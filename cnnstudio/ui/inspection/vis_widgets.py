"""Small widgets the attribution, synthesis, adversarial and embedding views share: an image pane, a
colour bar, a class chooser and a line that shows a computation's progress, its Cancel button and its
outcome."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTextDocument, QTextOption
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.ui import style
from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.colormaps import colormap_table
from cnnstudio.viz.runtime import InspectError

SMOOTH_FROM = 64  # images at least this large are scaled smoothly (photos); smaller ones keep crisp pixels
_SEARCHABLE_FROM = 20  # class lists longer than this get a type-to-search box
_GAP = 4
_BAR_HEIGHT = 32


def enlarged(pixels: np.ndarray, side: int) -> np.ndarray:
    """Repeat each pixel so that the longer side is at least `side` (crisp, for tiny model inputs)."""
    factor = max(1, side // max(pixels.shape[:2]))
    return pixels.repeat(factor, axis=0).repeat(factor, axis=1) if factor > 1 else pixels


def error_message(error: Exception, action: str) -> str:
    """What to tell the user: an InspectError's own words, otherwise what failed and why in one line."""
    if isinstance(error, InspectError | ModelLoadError):
        return str(error)
    text = str(error).strip().splitlines()
    return f"{action} failed: {text[0] if text else type(error).__name__}"


@dataclass(frozen=True)
class ColorScale:
    """What the colours of a picture mean: a colour map spanning `low` … `high`, and a note on the unit."""

    colormap: str
    low: float
    high: float
    note: str = ""

    def labels(self) -> tuple[str, str, str]:
        """The texts under the bar's left end, middle and right end."""
        return f"{self.low:.3g}", self.note, f"{self.high:.3g}"


class ImagePane(QWidget):
    """An image scaled to fit the box (aspect ratio kept), a caption (rich text) right under it and,
    optionally, a colour bar under that.

    Image, caption and bar sit together at the top of the box, so panes side by side line up.
    """

    def __init__(
        self, caption: str = "", *, placeholder: str = "", minimum: int = 160, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self.pixels: np.ndarray | None = None
        self.scale: ColorScale | None = None
        self._image: QImage | None = None
        self._caption = QTextDocument()
        self._caption.setDefaultStyleSheet(f"body {{ color: {style.TEXT}; }}")
        self._caption.setDocumentMargin(2)
        option = QTextOption(Qt.AlignHCenter)
        option.setWrapMode(QTextOption.WordWrap)
        self._caption.setDefaultTextOption(option)
        self.set_caption(caption)
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    @property
    def caption_text(self) -> str:
        """The caption without its markup."""
        return self._caption.toPlainText()

    def set_image(self, pixels: np.ndarray | None) -> None:
        """Show uint8 (H, W) or (H, W, 3) pixels (None: the placeholder text)."""
        self.pixels = pixels
        self._image = None if pixels is None else to_qimage(pixels)
        self.update()

    def set_caption(self, text: str) -> None:
        self._caption.setHtml(f"<body>{text}</body>" if text else "")
        self.update()

    def set_scale(self, scale: ColorScale | None) -> None:
        """Show a colour bar for `scale` under the caption (None: no bar)."""
        self.scale = scale
        self.update()

    def set_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.update()

    def _below_image(self) -> float:
        """Height of the caption and colour bar under the image."""
        self._caption.setTextWidth(self.width())
        caption = self._caption.size().height() + _GAP if self._caption.toPlainText() else 0.0
        return caption + (_BAR_HEIGHT + _GAP if self.scale is not None else 0.0)

    def image_rect(self) -> QRectF:
        """Where the image is drawn: centred across, at the top, as large as fits above the caption."""
        if self._image is None:
            return QRectF()
        room = max(1.0, self.height() - self._below_image())
        scale = min(self.width() / self._image.width(), room / self._image.height())
        width, height = self._image.width() * scale, self._image.height() * scale
        return QRectF((self.width() - width) / 2, 0, width, height)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        if self._image is None:
            painter.setPen(QColor(style.MUTED))
            painter.drawText(self.rect().adjusted(8, 8, -8, -8), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            return
        smooth = max(self._image.width(), self._image.height()) >= SMOOTH_FROM
        painter.setRenderHint(QPainter.SmoothPixmapTransform, smooth)
        target = self.image_rect()
        painter.drawImage(target, self._image)
        painter.setPen(QPen(QColor(style.BORDER)))
        painter.drawRect(target.adjusted(-0.5, -0.5, 0.5, 0.5))
        top = target.bottom() + _GAP
        if self._caption.toPlainText():
            painter.save()
            painter.translate(0, top)
            self._caption.drawContents(painter)
            painter.restore()
            top += self._caption.size().height() + _GAP
        if self.scale is not None:
            _paint_bar(painter, QRectF(target.left(), top, target.width(), _BAR_HEIGHT), self.scale)


def _paint_bar(painter: QPainter, box: QRectF, scale: ColorScale) -> None:
    """A horizontal colour bar filling the top of `box`, with the scale's labels under it."""
    gradient = to_qimage(np.ascontiguousarray(colormap_table(scale.colormap)[None, :, :]))
    bar = QRectF(box.left(), box.top(), box.width(), 12)
    painter.drawImage(bar, gradient)
    painter.setPen(QPen(QColor(style.BORDER)))
    painter.drawRect(bar)
    painter.setPen(QColor(style.MUTED))
    text_box = QRectF(box.left(), box.top() + 14, box.width(), box.height() - 14)
    left, middle, right = scale.labels()
    painter.drawText(text_box, Qt.AlignLeft | Qt.AlignTop, left)
    painter.drawText(text_box, Qt.AlignHCenter | Qt.AlignTop, middle)
    painter.drawText(text_box, Qt.AlignRight | Qt.AlignTop, right)


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
        position = self.findData(index)
        if position >= 0:
            self.blockSignals(True)
            self.setCurrentIndex(position)
            self.blockSignals(False)

    def current_class(self) -> int | None:
        return self.currentData()


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
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
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
        return self.label.property("role") == "error"

    def running(self, text: str) -> None:
        self.bar.setValue(0)
        self.bar.show()
        self.cancel_button.show()
        self._say(text, "muted")

    def progress(self, message: str, fraction: float) -> None:
        """A task's progress (the `TaskRunner.submit(on_progress=…)` signature); an empty message keeps the text."""
        if message:
            self._say(message, "muted")
        self.bar.setValue(round(1000 * min(max(fraction, 0.0), 1.0)))

    def finished(self, text: str) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self._say(text, "muted")

    def failed(self, text: str) -> None:
        self.bar.hide()
        self.cancel_button.hide()
        self._say(text, "error")

    def _say(self, text: str, role: str) -> None:
        self.label.setText(text)
        self.label.setProperty("role", role)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "heading")
    return label


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    return label
