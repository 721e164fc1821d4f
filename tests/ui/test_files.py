"""Open, save, recent files, unsaved-changes questions, exports and persisted layout."""

from __future__ import annotations

import json
import runpy

import torch
from PySide6.QtGui import QImage, QKeySequence
from ui_helpers import wait_analysis

from cnnstudio.graph.io import load_network
from cnnstudio.ui.prompts import SaveChoice


def test_save_and_reopen_gives_an_identical_graph(make_window, prompts, tmp_path, qtbot):
    window = make_window()
    controller = window.designer.controller
    controller.set_param("conv1", "kernel_size", [3, 5])
    controller.rename("relu1", "act1")
    controller.set_trainable("conv2", False)
    controller.move_layers({"fc1": ((0.0, 768.0), (37.5, 790.25))})
    path = tmp_path / "my net"
    prompts.script("save_path", str(path))
    assert window.actions_by_name["save"].trigger() is None
    saved = tmp_path / "my net.cnn.json"
    assert saved.is_file() and window.document.path == saved.resolve()
    assert not window.isWindowModified() and window.windowTitle().startswith("my net.cnn.json")
    original = window.document.graph.to_dict()

    other = make_window(start=False)
    other.start(str(saved))
    wait_analysis(qtbot, other)
    assert other.document.graph.to_dict() == original
    assert other.document.graph.edges == window.document.graph.edges
    assert not other.isWindowModified()
    assert other.designer.scene.nodes["conv1"].shape_text == window.designer.scene.nodes["conv1"].shape_text


def test_save_writes_to_the_same_file_without_asking(window, prompts, tmp_path):
    path = tmp_path / "net.cnn.json"
    prompts.script("save_path", str(path))
    window.save()
    window.designer.controller.set_param("fc3", "out_features", 2)
    assert window.isWindowModified()
    window.actions_by_name["save"].trigger()
    assert prompts.asked.count("save_path") == 1
    assert load_network(path).graph.node("fc3").param("out_features") == 2


def test_broken_file_shows_what_is_wrong_and_opens_nothing(window, prompts, tmp_path):
    before = window.document.graph.to_dict()
    cases = {
        "garbage.cnn.json": "{ not json",
        "foreign.cnn.json": json.dumps({"format": "somebody.else", "nodes": []}),
        "future.cnn.json": json.dumps({"format": "cnnstudio.network", "version": 99, "nodes": []}),
        "bad-node.cnn.json": json.dumps({"nodes": [{"id": "x", "type": "Conv2d", "pos": "here"}]}),
    }
    for index, (name, text) in enumerate(cases.items(), start=1):
        (tmp_path / name).write_text(text)
        prompts.script("open_path", str(tmp_path / name))
        window.actions_by_name["open"].trigger()
        assert len(prompts.errors) == index
        assert name in prompts.errors[-1][1]
        assert window.document.graph.to_dict() == before
        assert window.document.path is None
    assert "not valid JSON" in prompts.errors[0][1]
    assert "version" in prompts.errors[2][1]


def test_file_with_fixable_mistakes_opens_and_lists_them(window, prompts, tmp_path, qtbot):
    data = {
        "format": "cnnstudio.network",
        "version": 1,
        "name": "Oops",
        "nodes": [
            {"id": "input", "type": "Input", "params": {}},
            {"id": "mystery", "type": "Quantum2d", "params": {}},
            {"id": "relu", "type": "ReLU", "params": {}},
        ],
        "edges": [["input", "relu"], ["relu", "ghost"]],
    }
    path = tmp_path / "oops.cnn.json"
    path.write_text(json.dumps(data))
    window.open_file(path)
    wait_analysis(qtbot, window)
    assert window.document.graph.name == "Oops"
    problems = window.designer.problems
    messages = [problems.item(row, 2).text() for row in range(problems.rowCount())]
    assert any("ghost" in message for message in messages)
    assert any("Quantum2d" in message for message in messages)
    assert window.designer.scene.nodes["mystery"].has_error
    assert "problem" in window.statusBar().currentMessage()


def test_unsaved_changes_are_asked_about_on_close(make_window, prompts, tmp_path):
    window = make_window()
    window.designer.controller.set_param("conv1", "out_channels", 8)
    prompts.script("save_changes", SaveChoice.CANCEL)
    assert not window.close()
    assert window.isVisible()
    prompts.script("save_changes", SaveChoice.SAVE)
    prompts.script("save_path", None)  # the save dialog is cancelled: still not closed
    assert not window.close()
    prompts.script("save_changes", SaveChoice.SAVE)
    prompts.script("save_path", str(tmp_path / "kept.cnn.json"))
    assert window.close()
    assert load_network(tmp_path / "kept.cnn.json").graph.node("conv1").param("out_channels") == 8


def test_discarding_closes_without_saving(make_window, prompts, tmp_path):
    window = make_window()
    window.designer.controller.set_param("conv1", "out_channels", 8)
    prompts.script("save_changes", SaveChoice.DISCARD)
    assert window.close()
    assert prompts.asked == ["save_changes"]


def test_new_design_and_title(window, prompts):
    assert window.windowTitle() == "Untitled (LeNet-5)[*] — CNN Studio"
    window.designer.controller.set_param("conv1", "out_channels", 8)
    assert window.isWindowModified()
    prompts.script("save_changes", SaveChoice.DISCARD)
    window.actions_by_name["new"].trigger()
    assert [node.type for node in window.document.graph.nodes.values()] == ["Input"]
    assert not window.isWindowModified() and not window.document.undo_stack.canUndo()


def test_recent_files_persist_and_reopen(make_window, prompts, tmp_path, qtbot):
    window = make_window()
    path = tmp_path / "recent.cnn.json"
    prompts.script("save_path", str(path))
    window.save_as()
    window.shutdown()

    again = make_window()
    again._fill_recent_menu()
    entries = [action for action in again.recent_menu.actions() if action.toolTip() == str(path.resolve())]
    assert entries
    entries[0].trigger()
    assert again.document.path == path.resolve()
    path.unlink()
    again._fill_recent_menu()
    next(a for a in again.recent_menu.actions() if a.toolTip() == str(path.resolve())).trigger()
    assert "no longer exists" in prompts.errors[-1][1]
    assert str(path.resolve()) not in again.settings.recent_files()


def test_window_geometry_and_splitters_persist(make_window, user_dirs):
    window = make_window()
    window.resize(760, 610)  # inside the offscreen screen (800×800): restoreGeometry keeps windows on screen
    window.designer.splitter.setSizes([150, 400, 210])
    window.designer.panels.setCurrentIndex(1)
    sizes = window.designer.splitter.sizes()
    window.shutdown()
    assert (user_dirs["config"] / "settings.json").is_file()

    again = make_window(resize=False)
    assert (again.width(), again.height()) == (760, 610)
    assert again.designer.splitter.sizes() == sizes
    assert again.designer.panels.currentIndex() == 1


def test_damaged_settings_file_gives_defaults(make_window, user_dirs):
    user_dirs["config"].mkdir(parents=True, exist_ok=True)
    (user_dirs["config"] / "settings.json").write_text("[[[ not settings")
    window = make_window()
    assert window.document.graph.name == "LeNet-5"
    assert window.settings.recent_files() == []


def test_exports(window, prompts, tmp_path, qtbot):
    prompts.script("save_path", str(tmp_path / "lenet"), str(tmp_path / "lenet.png"), str(tmp_path / "table"))
    window.actions_by_name["export_code"].trigger()
    qtbot.waitUntil(lambda: (tmp_path / "lenet.py").is_file(), timeout=10000)
    qtbot.waitUntil(lambda: not window.tasks.is_busy())
    namespace = runpy.run_path(str(tmp_path / "lenet.py"))  # the exported code is runnable Python
    model = namespace["LeNet5"]()
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)
    window.actions_by_name["export_image"].trigger()
    image = QImage(str(tmp_path / "lenet.png"))
    assert not image.isNull() and image.height() > image.width()
    window.actions_by_name["export_csv"].trigger()
    rows = (tmp_path / "table.csv").read_text().splitlines()
    assert rows[0].startswith("name,type,output_shape") and rows[-1].startswith("total,") and "61706" in rows[-1]
    assert not prompts.errors


def test_export_code_of_invalid_design_explains(window, prompts, qtbot):
    window.designer.controller.disconnect("flatten", "fc1")
    wait_analysis(qtbot, window)
    window.actions_by_name["export_code"].trigger()
    assert prompts.errors and "errors" in prompts.errors[0][1]
    assert "save_path" not in prompts.asked


def test_save_to_unwritable_place_shows_error(window, prompts, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    prompts.script("save_path", str(blocker / "inside.cnn.json"))
    assert not window.save_as()
    assert prompts.errors and prompts.errors[0][0] == "Cannot save"
    assert window.document.path is None


def test_shortcuts_are_standard(window):
    expected = {
        "new": QKeySequence.New,
        "open": QKeySequence.Open,
        "save": QKeySequence.Save,
        "undo": QKeySequence.Undo,
        "redo": QKeySequence.Redo,
        "copy": QKeySequence.Copy,
        "paste": QKeySequence.Paste,
        "cut": QKeySequence.Cut,
        "select_all": QKeySequence.SelectAll,
        "quit": QKeySequence("Ctrl+Q"),
    }
    for name, standard in expected.items():
        keys = [standard] if isinstance(standard, QKeySequence) else QKeySequence.keyBindings(standard)
        assert window.actions_by_name[name].shortcuts()[:1] == keys[:1], name
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&Network", "&View", "&Help"]


def test_missing_path_on_start_falls_back_to_default(make_window, prompts, tmp_path):
    window = make_window(path=str(tmp_path / "nope.cnn.json"))
    assert prompts.errors and "no such file" in prompts.errors[0][1]
    assert window.document.graph.name == "LeNet-5"
