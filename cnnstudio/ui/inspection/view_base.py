"""The base of the Inspect tab's views (feature maps, filters, arithmetic, Grad-CAM, …)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.tasks import TaskRunner


class InspectView(QWidget):
    """One page of the Inspect tab.

    The tab creates each view with the shared runner, then calls `set_subject` whenever the model, the
    input image or the target class changes (and `set_subject(None)` when there is nothing to show).
    A view computes on the runner (never on the GUI thread), shows progress and errors inside itself,
    and may postpone work while it is hidden (`showEvent` then catches up).
    """

    title = ""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.subject: InspectSubject | None = None

    def set_subject(self, subject: InspectSubject | None) -> None:
        self.subject = subject

    def shutdown(self) -> None:
        """Stop anything the view started outside the runner (the tab is closing)."""
