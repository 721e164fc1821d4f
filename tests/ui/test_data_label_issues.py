"""The Data tab's gallery of suspected label errors: found in the background with the followed run, ranked,
and each decision (relabel, exclude, keep) written to the overrides file that the next load applies."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from cnnstudio.data import load_data
from cnnstudio.data.bundled import load_digits
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.loop import train
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.ui.data.label_issues import LabelIssuesPanel
from cnnstudio.ui.document import Document
from cnnstudio.ui.session import DataChoice, ModelChoice, StudioSession
from cnnstudio.ui.settings import Settings
from cnnstudio.ui.tabs import StudioContext
from tests.engine.test_label_issues import mlp

pytest.importorskip("cleanlab", reason="needs cleanlab (pip install 'cnnstudio[labels]')")
PER_CLASS = 60


@pytest.fixture(scope="module")
def mislabelled(tmp_path_factory):
    """A folder of 600 digits, one sub-folder per class, 30 of them in the wrong folder; a run trained on it."""
    root = tmp_path_factory.mktemp("mislabelled")
    digits, rng = load_digits(), np.random.default_rng(1)
    chosen = np.concatenate([digits.indices(label)[:PER_CLASS] for label in range(10)])
    wrong = set(rng.choice(chosen, 30, replace=False).tolist())
    for index in chosen.tolist():
        label = digits.label(index)
        folder = root / "digits" / str((label + 1 + index % 9) % 10 if index in wrong else label)
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(digits.pixels(index)[:, :, 0]).save(folder / f"{index}.png")
    spec = str(root / "digits")
    data = load_data(spec, (1, 8, 8))
    config = TrainConfig(epochs=10, batch_size=64, lr=0.01, device="cpu", data=spec)
    assert type(list(train(mlp(), data, config, root / "run"))[-1]).__name__ == "Finished"
    wrong_sources = {f"{(digits.label(i) + 1 + i % 9) % 10}/{i}.png" for i in wrong}
    return spec, root / "run", data, wrong_sources


@pytest.fixture
def panel(qtbot, prompts, mislabelled):
    spec, run, data, _ = mislabelled
    session = StudioSession()
    session.set_data(DataChoice(spec, data, "digits"))
    session.set_model(ModelChoice(load_run_classifier(run), "mlp · run", run))
    document = Document()
    widget = LabelIssuesPanel(StudioContext(document, prompts, Settings(), lambda message: None, session))
    widget.resize(760, 640)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.shutdown()
    document.close()
    widget.close()


def test_the_gallery_ranks_the_suspects_and_writes_the_decisions(panel, qtbot, mislabelled, tmp_path):
    spec, _, _, wrong = mislabelled
    qtbot.mouseClick(panel.find_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.is_busy() and panel.find_button.isEnabled(), timeout=60000)
    assert panel.result is not None and panel.result.method == "3-fold", panel.strip.message.text()
    cards = panel.cards
    assert len(cards) == min(24, len(panel.result.issues)) and len(cards) >= 20
    assert sum(card.issue.source in wrong for card in cards) >= 18  # most of the shown suspects are the moved ones
    scores = [card.issue.score for card in cards]
    assert scores == sorted(scores)
    screenshot = os.environ.get("CNNSTUDIO_SCREENSHOT_DIR")
    if screenshot:
        qtbot.wait(300)  # the new cards are laid out
        panel.grab().save(os.path.join(screenshot, "data-label-issues.png"))

    first, second, third = cards[:3]
    qtbot.mouseClick(first.relabel_button, Qt.LeftButton)
    qtbot.mouseClick(second.exclude_button, Qt.LeftButton)
    qtbot.mouseClick(third.keep_button, Qt.LeftButton)
    assert first.state.text() == f"relabelled as {first.issue.suggested_label}"
    document = json.loads(panel.result.overrides.read_text())
    assert document["images"] == {
        first.issue.source: {"action": "relabel", "label": first.issue.suggested_label},
        second.issue.source: {"action": "exclude"},
        third.issue.source: {"action": "keep"},
    }
    reloaded = load_data(spec, (1, 8, 8))
    assert any("1 relabelled, 1 excluded, 1 kept as labelled" in note for note in reloaded.adaptations)
    sources = reloaded.train.sources + reloaded.val.sources
    assert second.issue.source not in sources and len(sources) == 10 * PER_CLASS - 1
    panel.result.overrides.unlink()


def test_without_a_trained_run_the_gallery_says_what_to_do(qtbot, prompts):
    document = Document()
    widget = LabelIssuesPanel(StudioContext(document, prompts, Settings(), lambda message: None, StudioSession()))
    qtbot.mouseClick(widget.find_button, Qt.LeftButton)
    assert "Train a model on this data first" in widget.strip.message.text()
    widget.shutdown()
    document.close()
