"""Helpers for the Inspect tab's tests (no tests here): the tab on its own, with the shared state a
window would give it, and waiting for its background work.

Most tests drive the tab alone (creating the whole window costs seconds per test); the tests of what
the window adds (switching to the tab) use the `window` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.ui.document import Document
from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.tab import InspectTab
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.settings import Settings
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.viz.images import predict

CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}


def subject_for(classifier: Classifier, image: np.ndarray, target: int | None = None) -> InspectSubject:
    """What the tab would hand a view: the image prepared for the model, explaining `target` (default:
    the predicted class)."""
    x = classifier.preprocessing.tensor(image)
    if target is None:
        target = predict(classifier.module, x, classifier.classes, top=1)[0].index
    return InspectSubject(classifier, classifier.name, image, x, target)


def inspect_tab(qtbot: Any, prompts: Any, template: str = "lenet5") -> Iterator[InspectTab]:
    """An Inspect tab, shown, looking at `template` as the current design; shut down afterwards."""
    document = Document()
    document.replace(load_template(template))
    messages: list[str] = []
    context = StudioContext(document, prompts, Settings(), messages.append, StudioSession())
    tab = InspectTab(context)
    tab.resize(1180, 820)
    tab.show()
    qtbot.waitExposed(tab)
    settle(qtbot, tab)
    yield tab
    tab.shutdown()
    document.close()
    tab.close()
    tab.deleteLater()


def settle(qtbot: Any, tab: InspectTab, timeout: int = 20000) -> None:
    """Wait until the tab has loaded, predicted and computed everything it is about to."""
    qtbot.waitUntil(tab.is_idle, timeout=timeout)


def draw_stroke(pad: Any, points: list[tuple[float, float]]) -> None:
    """Press, drag through `points` (fractions of the pad's width and height) and release."""

    def at(point: tuple[float, float]) -> QPoint:
        return QPoint(round(pad.width() * point[0]), round(pad.height() * point[1]))

    QTest.mousePress(pad, Qt.LeftButton, Qt.NoModifier, at(points[0]))
    for point in points[1:]:
        QTest.mouseMove(pad, at(point))
    QTest.mouseRelease(pad, Qt.LeftButton, Qt.NoModifier, at(points[-1]))
