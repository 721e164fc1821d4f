"""Helpers for the GUI tests: scripted dialogs and driving widgets with the mouse."""

from __future__ import annotations

from collections import deque
from typing import Any

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from cnnstudio.ui.prompts import RestoreChoice, SaveChoice


class FakePrompts:
    """Scripted answers instead of modal dialogs; records what would have been shown."""

    def __init__(self) -> None:
        self.answers: dict[str, deque] = {}
        self.errors: list[tuple[str, str]] = []
        self.asked: list[str] = []

    def script(self, question: str, *answers: Any) -> None:
        self.answers.setdefault(question, deque()).extend(answers)

    def _answer(self, question: str, default: Any) -> Any:
        self.asked.append(question)
        queue = self.answers.get(question)
        return queue.popleft() if queue else default

    def open_path(self, title: str, directory: str, file_filter: str = "") -> str | None:
        return self._answer("open_path", None)

    def save_path(self, title: str, suggested: str, file_filter: str = "") -> str | None:
        return self._answer("save_path", None)

    def choose_directory(self, title: str, directory: str) -> str | None:
        return self._answer("choose_directory", None)

    def confirm(self, title: str, text: str) -> bool:
        return self._answer("confirm", False)

    def save_changes(self, document_name: str) -> SaveChoice:
        return self._answer("save_changes", SaveChoice.CANCEL)

    def restore(self, description: str) -> RestoreChoice:
        return self._answer("restore", RestoreChoice.LATER)

    def error(self, title: str, message: str) -> None:
        self.errors.append((title, message))

    def choose_template(self) -> str | None:
        return self._answer("choose_template", None)

    def choose_torchvision_model(self, names: list[str]) -> str | None:
        return self._answer("choose_torchvision_model", None)


def wait_analysis(qtbot: Any, window: Any, timeout: int = 20000) -> None:
    """Wait until the analysis describes the graph as it is now (and the views show it).

    Waits on the signal (a real event loop) rather than polling with qWait: QTest.qWait keeps the
    GIL, which would starve the analysis thread.
    """
    runner = window.document.analysis
    while not runner.is_current():
        with qtbot.waitSignal(runner.analyzed, timeout=timeout):
            pass


# ----- driving the canvas like a person
def viewport_point(view: Any, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def drag(widget: Any, start: QPoint, end: QPoint, steps: int = 6, button: Qt.MouseButton = Qt.LeftButton) -> None:
    """Press at `start`, move in steps, release at `end` (all in `widget` coordinates)."""
    QTest.mousePress(widget, button, Qt.NoModifier, start)
    for step in range(1, steps + 1):
        point = start + (end - start) * (step / steps)
        QTest.mouseMove(widget, point)
    QTest.mouseRelease(widget, button, Qt.NoModifier, end)


def double_click(widget: Any, point: QPoint) -> None:
    """A real double click: a click, then the second press that the platform reports as a double click."""
    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, point)
    QTest.mouseDClick(widget, Qt.LeftButton, Qt.NoModifier, point)
