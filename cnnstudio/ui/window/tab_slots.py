"""The window's tabs, each built the first time it is shown or asked for.

A new session shows the Designer; the Training, Inspect and Webcam tabs (and the libraries behind them:
pyqtgraph plots, torchvision's model tables, the inspector's views) cost start-up time that most
sessions spend later or never. Each page of the tab bar is a `TabSlot` that imports and constructs its
tab on first use. The Designer and the Data tab are built at once: the Data tab chooses the data for the
design as soon as one is loaded, which the other tabs read from the session.

A tab built late reads the session's and the document's current state in its constructor (tabs never
rely on having seen earlier signals), and gets back the layout it saved in an earlier session.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cnnstudio.ui.tabs import StudioContext, StudioTab


@dataclass(frozen=True)
class TabEntry:
    """A tab of the window: its title, where its class lives, and whether it is built at start-up."""

    title: str
    module: str
    class_name: str
    eager: bool = False


TAB_ENTRIES = (
    TabEntry("Designer", "cnnstudio.ui.designer.tab", "DesignerTab", eager=True),
    TabEntry("Data", "cnnstudio.ui.data.tab", "DataTab", eager=True),
    TabEntry("Training", "cnnstudio.ui.training.tab", "TrainingTab"),
    TabEntry("Experiments", "cnnstudio.ui.experiments.tab", "ExperimentsTab"),
    TabEntry("Inspect", "cnnstudio.ui.inspection.tab", "InspectTab"),
    TabEntry("Webcam", "cnnstudio.ui.webcam.tab", "WebcamTab"),
    TabEntry("Deploy", "cnnstudio.ui.deploy.tab", "DeployTab"),
)


class TabSlot(QWidget):
    """One page of the tab bar; `tab` is None until `build()` (or the page is shown) creates it."""

    def __init__(self, entry: TabEntry, context: StudioContext, state: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.context = context
        self.tab: StudioTab | None = None
        self._state = dict(state or {})
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        if entry.eager:
            self.build()

    def build(self) -> StudioTab:
        """The tab, constructed (with its saved layout) the first time it is needed."""
        if self.tab is None:
            tab_class = getattr(importlib.import_module(self.entry.module), self.entry.class_name)
            self.tab = tab_class(self.context)
            self._layout.addWidget(self.tab)
            self.tab.restore_state(self._state)
            if self.isVisible():  # built while its page is being shown: show it now, not an event later
                self.tab.show()
        return self.tab

    def restore_state(self, state: dict[str, Any]) -> None:
        """The layout of an earlier session: applied now if the tab exists, else when it is built."""
        self._state = dict(state)
        if self.tab is not None:
            self.tab.restore_state(state)

    def save_state(self) -> dict[str, Any]:
        """The tab's layout, or the one it was given if it was never built (so it is not forgotten)."""
        return self.tab.save_state() if self.tab is not None else dict(self._state)

    def showEvent(self, event: QShowEvent) -> None:
        self.build()
        super().showEvent(event)
