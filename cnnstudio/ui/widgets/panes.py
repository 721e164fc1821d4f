"""How the window lays out its parts: panes side by side in a splitter that fills the tab, widgets and
layouts stacked or in a row (with their stretch), and panels that scroll when the window is too small."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLayout, QScrollArea, QSplitter, QVBoxLayout, QWidget

Item = QWidget | QLayout | tuple[QWidget | QLayout, int]  # a widget or layout, or one with its stretch
Margins = tuple[int, int, int, int] | None  # None: the style's


def side_by_side(owner: QWidget, panes: Sequence[QWidget], sizes: Sequence[int], *, stretch: int = 1) -> QSplitter:
    """Fill `owner` (without margins) with a horizontal splitter of `panes` at `sizes` pixels; pane
    `stretch` takes what the window gains. Panes never collapse below their minimum width."""
    splitter = QSplitter(Qt.Horizontal)
    for pane in panes:
        splitter.addWidget(pane)
    splitter.setStretchFactor(stretch, 1)
    splitter.setChildrenCollapsible(False)
    splitter.setSizes(list(sizes))
    vertical(owner, [splitter], margins=(0, 0, 0, 0))
    return splitter


def side_widths(width: int, left: tuple[float, int, int], right: tuple[float, int, int]) -> list[int]:
    """Widths of three panes side by side in `width` pixels: the outer panes take their (share, least, most)
    of it, the middle one the rest, so a small window keeps most of its room for the middle pane."""
    sides = [min(max(round(width * share), least), most) for share, least, most in (left, right)]
    return [sides[0], max(width - sum(sides), 0), sides[1]]


class FollowWidth(QObject):
    """Sizes `splitter`'s panes with `sizes(width)` whenever the splitter is resized, until they are set
    otherwise (the user drags a handle, a program sets them, a layout of an earlier session is restored): the
    default layout suits every window size, instead of the middle pane alone absorbing what a small window
    lacks. Only sizes that were chosen persist (`save` and `restore` the tab's state, which stores the
    splitter's sizes under `key`)."""

    def __init__(self, splitter: QSplitter, sizes: Callable[[int], list[int]], key: str = "main") -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.sizes = sizes
        self.key = key
        self._applied: list[int] | None = None  # the sizes as this object last set them
        self.active = True
        splitter.installEventFilter(self)
        splitter.splitterMoved.connect(lambda *args: self.stop())

    def stop(self) -> None:
        self.active = False

    def _following(self) -> bool:
        """Still the default layout: nothing else has set the sizes since they were last applied here."""
        if self.active and self._applied is not None and self.splitter.sizes() != self._applied:
            self.stop()
        return self.active

    def save(self, state: dict[str, Any]) -> dict[str, Any]:
        """`state` without the splitter's sizes while they are the default (which follows the window)."""
        if self._following():
            state.pop(self.key, None)
        return state

    def restore(self, state: dict[str, Any]) -> None:
        """Keep the sizes of an earlier session's `state` (applied by the tab) if it has them."""
        if self.key in state:
            self.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() == QEvent.Resize and self._following():
            handles = (self.splitter.count() - 1) * self.splitter.handleWidth()
            self.splitter.setSizes(self.sizes(event.size().width() - handles))
            self._applied = self.splitter.sizes()
        return False


def fill(layout: QBoxLayout, items: Sequence[Item], *, margins: Margins = None, spacing: int = -1) -> QBoxLayout:
    """Add `items` to `layout` in order; an item given as (item, stretch) takes that share of the room the
    layout gains. spacing -1 keeps the style's."""
    if margins is not None:
        layout.setContentsMargins(*margins)
    if spacing >= 0:
        layout.setSpacing(spacing)
    for item in items:
        part, stretch = item if isinstance(item, tuple) else (item, 0)
        if isinstance(part, QLayout):
            layout.addLayout(part, stretch)
        else:
            layout.addWidget(part, stretch)
    return layout


def vertical(owner: QWidget, items: Sequence[Item], *, margins: Margins = None, spacing: int = -1) -> QBoxLayout:
    """Lay out `owner` as `items` top to bottom (see `fill`)."""
    return fill(QVBoxLayout(owner), items, margins=margins, spacing=spacing)


def horizontal(items: Sequence[Item], *, margins: Margins = None, spacing: int = -1) -> QBoxLayout:
    """A layout of `items` left to right (see `fill`)."""
    return fill(QHBoxLayout(), items, margins=margins, spacing=spacing)


def column(items: Sequence[Item], *, margins: tuple[int, int, int, int], spacing: int) -> QWidget:
    """A widget holding `items` top to bottom."""
    holder = QWidget()
    vertical(holder, items, margins=margins, spacing=spacing)
    return holder


class ScrollPanel(QScrollArea):
    """`content` in a vertical scroll area at least as wide as the content needs: a panel that is too
    tall for the window scrolls, and none is ever cut or scrolled sideways."""

    def __init__(self, content: QWidget, *, frame: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        if not frame:
            self.setFrameShape(QFrame.NoFrame)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        content = self.widget()
        width = content.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())
