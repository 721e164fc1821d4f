"""The base of the Inspect tab's views (feature maps, filters, arithmetic, Grad-CAM, …), and of those that
compute only while they are shown."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
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

    def subject_to_compute(self) -> InspectSubject | None:
        """The subject if the view should compute it now: None when there is nothing to compute, and while the
        view is hidden (it computes when shown)."""
        subject = self.subject if self.subject is not None and self.computable(self.subject) else None
        self._stale = subject is not None and not self.isVisible()
        return None if self._stale else subject

    def computable(self, subject: InspectSubject) -> bool:
        """Whether the view has something to compute for `subject` (always, by default)."""
        return True

    def subject_changed(self, previous: InspectSubject | None) -> None:
        """The subject was replaced: drop work and results that no longer fit (nothing by default)."""

    def refresh(self) -> None:
        """Compute what the view shows for `self.subject` (None: show that there is nothing)."""
        raise NotImplementedError
