"""What this half's views share: computing only while shown, and a line for errors and progress."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import InspectView
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.viz.runtime import InspectError


def error_text(error: Exception) -> str:
    """A computation's failure as a message for the user: InspectError messages are written for
    them; anything else is named with its type so it can be reported."""
    if isinstance(error, InspectError):
        return str(error)
    return f"Could not compute this view: {type(error).__name__}: {error}"


class StatusLine(QLabel):
    """One line under a view: what it shows, or what went wrong (in red)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)

    def info(self, text: str) -> None:
        self.setStyleSheet(f"color: {style.MUTED};")
        self.setText(text)

    def error(self, text: str) -> None:
        self.setStyleSheet(f"color: {style.ERROR};")
        self.setText(text)


class LazyView(InspectView):
    """A view that computes on `refresh()` while it is shown; a subject that arrives while it is
    hidden is computed when it is shown (drawing on the pad updates only the page being looked at).

    `set_subject` first calls `subject_changed(previous)` (the view may be hidden) so the view can drop
    work and results that no longer fit, then refreshes now or when the view is next shown.
    """

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(runner, parent)
        self._stale = False

    def set_subject(self, subject: InspectSubject | None) -> None:
        previous = self.subject
        super().set_subject(subject)
        self.subject_changed(previous)
        self.request_refresh()

    def request_refresh(self) -> None:
        if self.isVisible():
            self._stale = False
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def model_changed(self, previous: InspectSubject | None) -> bool:
        """Whether the current subject's model differs from `previous`'s."""
        if previous is None or self.subject is None:
            return previous is not self.subject
        return (
            previous.classifier is not self.subject.classifier
            or previous.classifier.module is not self.subject.classifier.module
        )

    def subject_changed(self, previous: InspectSubject | None) -> None:
        """The subject was replaced: drop work and results that no longer fit (nothing by default)."""

    def refresh(self) -> None:
        """Compute what the view shows for `self.subject` (None: show that there is nothing)."""
        raise NotImplementedError
