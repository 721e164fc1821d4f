"""What a tab of the main window is, and the list of tabs.

A tab is a `StudioTab` subclass: it gets the shared `StudioContext` (the document, the dialogs, the
settings, the status bar, the session the tabs share), may handle the window's Edit and View actions,
persists its own layout (splitter sizes) and stops its background work on shutdown. To add a tab,
subclass StudioTab and add it to `TAB_ENTRIES` in cnnstudio/ui/window/tab_slots.py. Tabs never reach into each other:
what one tab produces for another goes through `context.session`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QSplitter, QStackedWidget, QTabWidget, QWidget

from cnnstudio.ui.document import Document
from cnnstudio.ui.prompts import Prompts
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.settings import Settings
from cnnstudio.ui.widgets.panes import FollowWidth

# The window's actions a tab may handle (its `action_handlers()` keys).
TAB_ACTIONS = ("cut", "copy", "paste", "duplicate", "delete", "select_all", "zoom_in", "zoom_out", "fit", "arrange")


@dataclass
class StudioContext:
    """What the window shares with its tabs."""

    document: Document
    prompts: Prompts
    settings: Settings
    show_message: Callable[[str], None]
    session: StudioSession


class StudioTab(QWidget):
    """Base class of the main window's tabs."""

    title = ""
    follow_width: FollowWidth | None = None  # side panes sized to the window until the user drags a handle

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context

    def action_handlers(self) -> dict[str, Callable[[], None]]:
        """The TAB_ACTIONS this tab handles while it is the current tab."""
        return {}

    def splitters(self) -> dict[str, QSplitter]:
        """The splitters whose sizes persist, by the name they are stored under."""
        return {}

    def page_stacks(self) -> dict[str, QTabWidget | QStackedWidget]:
        """The page widgets whose current page persists, by the name they are stored under."""
        return {}

    def save_state(self) -> dict[str, Any]:
        """Layout to persist (JSON-compatible): the splitters' sizes and current pages; subclasses add their own."""
        state: dict[str, Any] = {key: splitter.sizes() for key, splitter in self.splitters().items()}
        state.update({key: pages.currentIndex() for key, pages in self.page_stacks().items()})
        return self.follow_width.save(state) if self.follow_width is not None else state

    def restore_state(self, state: dict[str, Any]) -> None:
        """Apply what `save_state` returned in an earlier session (what does not fit is ignored)."""
        for key, splitter in self.splitters().items():
            sizes = state.get(key)
            if (
                isinstance(sizes, list)
                and len(sizes) == splitter.count()
                and all(isinstance(size, int) and not isinstance(size, bool) and size > 0 for size in sizes)
            ):
                splitter.setSizes(sizes)
        for key, pages in self.page_stacks().items():
            index = state.get(key)
            if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < pages.count():
                pages.setCurrentIndex(index)
        if self.follow_width is not None:
            self.follow_width.restore(state)

    def document_loaded(self) -> None:
        """A new design was opened, created or restored (e.g. to fit it in view)."""

    def shutdown(self) -> None:
        """Stop background work; the window is closing."""
