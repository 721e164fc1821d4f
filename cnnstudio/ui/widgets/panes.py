"""How a tab lays out its panes: side by side in a splitter that fills the tab, and panels that scroll
when the window is too small for them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget


def side_by_side(owner: QWidget, panes: Sequence[QWidget], sizes: Sequence[int], *, stretch: int = 1) -> QSplitter:
    """Fill `owner` (without margins) with a horizontal splitter of `panes` at `sizes` pixels; pane
    `stretch` takes what the window gains. Panes never collapse below their minimum width."""
    splitter = QSplitter(Qt.Horizontal)
    for pane in panes:
        splitter.addWidget(pane)
    splitter.setStretchFactor(stretch, 1)
    splitter.setChildrenCollapsible(False)
    splitter.setSizes(list(sizes))
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
    return splitter


def column(
    items: Sequence[QWidget | tuple[QWidget, int]], *, margins: tuple[int, int, int, int], spacing: int
) -> QWidget:
    """A widget holding `items` top to bottom; an item given as (widget, stretch) takes that share of the
    height the column gains."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(*margins)
    layout.setSpacing(spacing)
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        layout.addWidget(widget, stretch)
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
