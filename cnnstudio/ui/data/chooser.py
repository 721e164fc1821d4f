"""The dataset chooser: built-in datasets, webcam captures and image folders, with the chosen
dataset's description, its spec options and the validation split."""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.data import DatasetInfo, SpecOption
from cnnstudio.graph.describe import format_shape
from cnnstudio.ui import style
from cnnstudio.ui.data.sources import NETWORK_SIZE, SIZE_OPTION, Source

SOURCE_ROLE = Qt.UserRole + 1
SUBTITLE_ROLE = Qt.UserRole + 2
SECTION_ROLE = Qt.UserRole + 3
# Ranges of the spin boxes for the generated datasets' options (the catalog gives the defaults).
OPTION_RANGES: dict[str, tuple[float, float]] = {
    SIZE_OPTION: (NETWORK_SIZE, 512),
    "count": (2, 20_000),
    "noise": (0.0, 0.5),
}
DEFAULT_VAL_PERCENT = 20
# The list is as wide as its longest title or line of facts, up to this (a long folder path is elided).
MAX_LIST_WIDTH = 340
TEXT_MARGINS = 18  # left and right of an entry's text


def subtitle(source: Source) -> str:
    info = source.info
    if info is None:
        return "webcam capture · image folder" if source.captured else str(source.folder)
    where = "offline" if info.offline else f"download {info.download_mb} MB"
    return f"{where} · {format_shape(info.native_shape)} · {len(info.classes)} classes"


def describe(source: Source) -> str:
    """The rich-text description under the list."""
    info = source.info
    if info is None:
        kind = "Captured with the webcam" if source.captured else "An image folder"
        return (
            f"<b>{html.escape(source.title)}</b><br>{kind}: one sub-folder of images per class, read from<br>"
            f"<span style='color:{style.MUTED}'>{html.escape(str(source.folder))}</span>"
        )
    classes = html.escape(", ".join(info.classes))
    download = "no download needed" if info.offline else f"downloaded once ({info.download_mb} MB)"
    return (
        f"<b>{info.title}</b><br>{info.description}<br>"
        f"<span style='color:{style.MUTED}'>Classes: {classes}<br>"
        f"Native size {format_shape(info.native_shape)} · {download}<br>Source: {info.source}</span>"
    )


class _TwoLineDelegate(QStyledItemDelegate):
    """A dataset's title over a muted line of facts; section headings in small capitals."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        if index.data(SECTION_ROLE):
            return QSize(0, 26)
        title, facts = self._fonts(option.font)
        width = max(
            QFontMetrics(title).horizontalAdvance(index.data()),
            QFontMetrics(facts).horizontalAdvance(index.data(SUBTITLE_ROLE)),
        )
        return QSize(width + TEXT_MARGINS, 40)

    @staticmethod
    def _fonts(font: QFont) -> tuple[QFont, QFont]:
        """The title's font (bold) and the facts' (smaller)."""
        title, facts = QFont(font), QFont(font)
        title.setBold(True)
        facts.setPointSizeF(font.pointSizeF() * 0.88)
        return title, facts

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painter.save()
        rect: QRect = option.rect
        font = QFont(option.font)
        if index.data(SECTION_ROLE):
            font.setPointSizeF(font.pointSizeF() * 0.85)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(option.palette.placeholderText().color())
            painter.drawText(rect.adjusted(8, 6, -8, 0), Qt.AlignLeft | Qt.AlignVCenter, index.data().upper())
            painter.restore()
            return
        selected = bool(option.state & QStyle.State_Selected)
        if selected:
            painter.fillRect(rect, option.palette.highlight())
        elif option.state & QStyle.State_MouseOver:
            painter.fillRect(rect, option.palette.alternateBase())
        text_color = option.palette.highlightedText().color() if selected else option.palette.text().color()
        muted = text_color if selected else option.palette.placeholderText().color()
        title_font, facts_font = self._fonts(font)
        painter.setFont(title_font)
        painter.setPen(text_color)
        top = rect.adjusted(10, 3, -8, -rect.height() // 2)
        painter.drawText(
            top,
            Qt.AlignLeft | Qt.AlignBottom,
            painter.fontMetrics().elidedText(index.data(), Qt.ElideRight, top.width()),
        )
        painter.setFont(facts_font)
        painter.setPen(muted)
        bottom = rect.adjusted(10, rect.height() // 2 + 1, -8, -3)
        painter.drawText(
            bottom,
            Qt.AlignLeft | Qt.AlignTop,
            painter.fontMetrics().elidedText(index.data(SUBTITLE_ROLE), Qt.ElideMiddle, bottom.width()),
        )
        painter.restore()


class DataChooser(QWidget):
    """Signals: source_chosen(Source) when the user picks a dataset, settings_changed() when an
    option or the validation split changes, folder_requested() for the "Image folder…" button."""

    source_chosen = Signal(object)
    settings_changed = Signal()
    folder_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sources: dict[str, Source] = {}
        self.option_boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        self.list = QListWidget()
        self.list.setItemDelegate(_TwoLineDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.setVerticalScrollMode(QListWidget.ScrollPerPixel)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)  # entries are as wide as the list
        self.folder_button = QPushButton("Image folder…")
        self.folder_button.setToolTip("Choose a folder with one sub-folder of images per class")
        drop_hint = QLabel("or drop a folder on this tab")
        drop_hint.setProperty("role", "muted")
        drop_hint.setAlignment(Qt.AlignCenter)

        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.RichText)
        self.description.setTextInteractionFlags(Qt.TextSelectableByMouse)
        card = QFrame()
        card.setProperty("role", "card")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(10, 8, 10, 8)
        card_layout.addWidget(self.description)

        self.options_form = QFormLayout()
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.val_percent = QSpinBox()
        self.val_percent.setRange(0, 90)
        self.val_percent.setSingleStep(5)
        self.val_percent.setSuffix(" %")
        self.val_percent.setValue(DEFAULT_VAL_PERCENT)
        self.val_percent.setKeyboardTracking(False)
        self.val_percent.setToolTip("Share of each class held out to measure accuracy on images not trained on")
        self.val_note = QLabel()
        self.val_note.setProperty("role", "muted")
        self.val_note.setWordWrap(True)
        split_form = QFormLayout()
        split_form.setContentsMargins(0, 0, 0, 0)
        split_form.addRow("Validation", self.val_percent)
        options_heading = QLabel("Options")
        options_heading.setProperty("role", "heading")
        self.options_heading = options_heading

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        heading = QLabel("Dataset")
        heading.setProperty("role", "heading")
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.folder_button)
        layout.addWidget(drop_hint)
        layout.addWidget(card)
        layout.addWidget(options_heading)
        layout.addLayout(self.options_form)
        layout.addLayout(split_form)
        layout.addWidget(self.val_note)

        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        self.folder_button.clicked.connect(self.folder_requested)
        self.val_percent.valueChanged.connect(lambda value: self.settings_changed.emit())

    # ----- the list
    def set_sources(self, sections: list[tuple[str, list[Source]]]) -> None:
        """Fill the list with titled sections (empty sections are left out); keeps the selection."""
        current = self.current()
        self.list.clear()
        self.sources = {}
        for title, sources in sections:
            if not sources:
                continue
            heading = QListWidgetItem(title)
            heading.setData(SECTION_ROLE, True)
            heading.setFlags(Qt.NoItemFlags)
            self.list.addItem(heading)
            for source in sources:
                item = QListWidgetItem(source.title)
                item.setData(SOURCE_ROLE, source.key)
                item.setData(SUBTITLE_ROLE, subtitle(source))
                item.setToolTip(source.info.description if source.info else str(source.folder))
                self.list.addItem(item)
                self.sources[source.key] = source
        if current is not None:
            self._select_item(current.key)

    def preferred_width(self) -> int:
        """The width at which every list entry shows in full (no cut facts), up to MAX_LIST_WIDTH for the
        list; the chooser can still be made narrower, where the entries elide."""
        delegate, option = self.list.itemDelegate(), QStyleOptionViewItem()
        option.font = self.list.font()
        widest = max(
            (
                delegate.sizeHint(option, self.list.indexFromItem(self.list.item(row))).width()
                for row in range(self.list.count())
            ),
            default=0,
        )
        chrome = self.list.verticalScrollBar().sizeHint().width() + 2 * self.list.frameWidth()
        margins = self.layout().contentsMargins()
        list_width = min(widest + chrome, MAX_LIST_WIDTH) + margins.left() + margins.right()
        return max(list_width, self.minimumSizeHint().width())

    def item(self, key: str) -> QListWidgetItem | None:
        """The list entry of a source (by its key: a dataset name or a folder path)."""
        for row in range(self.list.count()):
            if self.list.item(row).data(SOURCE_ROLE) == key:
                return self.list.item(row)
        return None

    def _select_item(self, key: str) -> None:
        item = self.item(key)
        if item is not None:
            self.list.setCurrentItem(item)

    def current(self) -> Source | None:
        item = self.list.currentItem()
        return self.sources.get(item.data(SOURCE_ROLE)) if item is not None else None

    def show_source(self, source: Source, values: dict[str, int | float] | None = None) -> None:
        """Select `source` and show its description and options (no signal: the caller loads)."""
        self._select_item(source.key)
        self.description.setText(describe(source))
        self._build_options(source.info, values or {})
        own_split = source.has_own_test_split
        self.val_percent.setEnabled(not own_split)
        self.val_note.setText(f"{source.title} has its own test split, used for validation." if own_split else "")
        self.val_note.setVisible(own_split)

    def _clicked(self, item: QListWidgetItem) -> None:
        source = self.sources.get(item.data(SOURCE_ROLE))
        if source is not None:
            self.show_source(source)
            self.source_chosen.emit(source)

    # ----- options
    def _build_options(self, info: DatasetInfo | None, values: dict[str, int | float]) -> None:
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_boxes = {}
        options = info.options if info is not None else ()
        self.options_heading.setVisible(bool(options))
        for option in options:
            box = self._option_box(option, values.get(option.name))
            self.option_boxes[option.name] = box
            self.options_form.addRow(option.name.capitalize(), box)

    def _option_box(self, option: SpecOption, value: float | None) -> QSpinBox | QDoubleSpinBox:
        low, high = OPTION_RANGES.get(option.name, (0, 1_000_000))
        box: QSpinBox | QDoubleSpinBox
        if isinstance(option.default, int):
            box = QSpinBox()
            box.setRange(int(low), int(high))
            box.setGroupSeparatorShown(True)
            box.setSingleStep(100 if option.name == "count" else 1)
        else:
            box = QDoubleSpinBox()
            box.setRange(low, high)
            box.setDecimals(3)
            box.setSingleStep(0.01)
        if option.name == SIZE_OPTION:
            box.setSpecialValueText("network's input size")
            box.setSuffix(" px")
            value = NETWORK_SIZE if value is None else value
        box.setValue(option.default if value is None else value)
        box.setToolTip(option.help)
        box.setKeyboardTracking(False)
        box.setButtonSymbols(QAbstractSpinBox.UpDownArrows)
        box.valueChanged.connect(lambda v: self.settings_changed.emit())
        return box

    def values(self) -> dict[str, int | float]:
        return {name: box.value() for name, box in self.option_boxes.items()}

    def val_fraction(self) -> float:
        return self.val_percent.value() / 100
