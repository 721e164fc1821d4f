"""A doodle drawn with the mouse on the Inspect tab's pad is classified by a network trained on Quick Draw
bitmaps, because the pad prepares it the way the data set's doodles were drawn."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt
from test_inspect_support import draw_stroke, inspect_tab, settle

from cnnstudio.data import load_data
from cnnstudio.data.drawing import QUICKDRAW_STYLE, drawing_input
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.evaluate import evaluate_run
from cnnstudio.engine.loop import train
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.ui.inspection.inputs import DRAW
from cnnstudio.ui.session import ModelChoice
from tests.data.quickdraw_files import write_quickdraw_folder
from tests.engine.conftest import small_net


@pytest.fixture(scope="module")
def doodle_run(tmp_path_factory):
    """A tiny network trained on generated circle and line bitmaps (Quick Draw's format)."""
    root = tmp_path_factory.mktemp("quickdraw")
    folder = write_quickdraw_folder(root / "doodles", per_class=150)
    data = load_data(str(folder), (1, 28, 28))
    config = TrainConfig(epochs=6, batch_size=32, lr=0.01, device="cpu", data=str(folder))
    events = list(train(small_net(size=28, classes=2), data, config, root / "run"))
    assert type(events[-1]).__name__ == "Finished"
    assert evaluate_run(root / "run").report.accuracy > 0.95
    return root / "run"


@pytest.fixture
def tab(qtbot, prompts):
    yield from inspect_tab(qtbot, prompts)


def top_label(tab) -> str:
    return tab.predictions.bars.predictions[0].label


def on_canvas(pad, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Points given as fractions of the pad's square canvas → fractions of the pad widget (draw_stroke's)."""
    square = pad._square()
    return [
        ((square.left() + x * square.width()) / pad.width(), (square.top() + y * square.height()) / pad.height())
        for x, y in points
    ]


def test_a_doodle_on_the_pad_is_classified_by_a_network_trained_on_quick_draw(tab, qtbot, doodle_run):
    tab.context.session.set_model(ModelChoice(load_run_classifier(doodle_run), "doodles", doodle_run))
    settle(qtbot, tab)
    assert tab.inputs.source == DRAW and tab.subject.classifier.classes == ["circle", "line"]
    pad = tab.inputs.pad
    # a small circle off-centre, as a user draws it: nothing like a 25-pixel bitmap until prepared
    ring = [(0.6 + 0.22 * math.cos(t / 16 * math.tau), 0.6 + 0.2 * math.sin(t / 16 * math.tau)) for t in range(17)]
    draw_stroke(pad, on_canvas(pad, ring))
    settle(qtbot, tab)
    assert top_label(tab) == "circle"
    spec = tab.subject.spec
    assert (tab.subject.x == drawing_input(pad.image(), spec, QUICKDRAW_STYLE)).all()

    qtbot.mouseClick(tab.inputs.clear_button, Qt.LeftButton)
    draw_stroke(pad, on_canvas(pad, [(0.2, 0.3), (0.45, 0.5), (0.7, 0.7)]))
    settle(qtbot, tab)
    assert top_label(tab) == "line"
