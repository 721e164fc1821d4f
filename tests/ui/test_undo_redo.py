"""Every kind of edit can be undone and redone, leaving the graph — and the canvas — exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF
from ui_helpers import wait_analysis

from cnnstudio.graph.templates import load_template
from cnnstudio.ui.prompts import SaveChoice


def _snapshot(window) -> str:
    return json.dumps(window.document.graph.to_dict(), sort_keys=True)


def _canvas(window) -> tuple:
    scene = window.designer.scene
    return (
        sorted((node_id, item.pos().x(), item.pos().y(), item.label) for node_id, item in scene.nodes.items()),
        sorted(scene.edges),
    )


def _edits(window) -> dict[str, Callable[[], None]]:
    designer = window.designer
    controller = designer.controller

    def paste() -> None:
        designer.scene.select_nodes(["conv2", "relu2"])
        controller.copy_selection()
        controller.paste()

    def delete() -> None:
        designer.scene.select_nodes(["pool1", "pool2"])
        designer.scene.edges[("fc1", "relu3")].setSelected(True)
        controller.delete_selection()

    def arrange() -> None:
        controller.move_layers({"fc1": (window.document.graph.node("fc1").pos, (400.0, 10.0))})
        window.document.undo_stack.setClean()  # the arrange below is the edit under test
        controller.arrange()

    return {
        "add": lambda: controller.add_layer("BatchNorm2d", QPointF(300, 100)),
        "append": lambda: (designer.scene.select_nodes(["fc3"]), controller.append_layer("Softmax")),
        "delete": delete,
        "connect": lambda: controller.connect_layers("input", "fc3"),
        "disconnect": lambda: controller.disconnect("conv1", "relu1"),
        "set param": lambda: controller.set_param("conv1", "kernel_size", [3, 5]),
        "rename": lambda: controller.rename("conv1", "first_conv"),
        "freeze": lambda: controller.set_trainable("conv2", False),
        "move": lambda: controller.move_layers({"relu1": ((0.0, 192.0), (120.0, 250.0))}),
        "paste": paste,
        "duplicate": lambda: (designer.scene.select_nodes(["fc1"]), controller.duplicate_selection()),
        "cut": lambda: (designer.scene.select_nodes(["relu3"]), controller.cut_selection()),
        "arrange": arrange,
        "template load": lambda: (
            window.prompts.script("save_changes", SaveChoice.DISCARD),
            window.prompts.script("choose_template", "resnet18"),
            window.new_from_template(),
        ),
    }


EDITS = [
    "add",
    "append",
    "delete",
    "connect",
    "disconnect",
    "set param",
    "rename",
    "freeze",
    "move",
    "paste",
    "duplicate",
    "cut",
    "arrange",
    "template load",
]


@pytest.mark.parametrize("edit", EDITS)
def test_edit_undo_redo(window, qtbot, edit):
    stack = window.document.undo_stack
    _edits(window)[edit]()
    before_index = stack.index() - 1 if edit == "arrange" else 0
    after = _snapshot(window)
    after_canvas = _canvas(window)
    assert stack.index() > before_index
    stack.setIndex(before_index)
    before = _snapshot(window)
    assert before != after, f"{edit} changed nothing"
    assert window.document.graph.name in ("LeNet-5", "ResNet-18")
    stack.setIndex(stack.count())
    assert _snapshot(window) == after
    assert _canvas(window) == after_canvas
    stack.setIndex(before_index)
    assert _snapshot(window) == before
    wait_analysis(qtbot, window)
    # the canvas shows the model again, shapes included
    scene = window.designer.scene
    assert set(scene.nodes) == set(window.document.graph.nodes)
    assert set(scene.edges) == set(window.document.graph.edges)
    assert all(item.shape_text != "…" for item in scene.nodes.values())


def test_whole_session_undoes_back_to_the_template(window, qtbot):
    start = _snapshot(window)
    edits = _edits(window)
    for name in EDITS[:-1]:
        if name != "arrange":
            edits[name]()
    stack = window.document.undo_stack
    assert stack.count() == len(EDITS) - 2
    while stack.canUndo():
        window.actions_by_name["undo"].trigger()
    assert _snapshot(window) == start
    assert not window.isWindowModified()
    while stack.canRedo():
        window.actions_by_name["redo"].trigger()
    wait_analysis(qtbot, window)
    assert window.isWindowModified()
    assert "first_conv" in window.designer.scene.nodes


def test_undo_text_names_the_edit(window):
    window.designer.controller.set_param("conv1", "out_channels", 8)
    assert window.actions_by_name["undo"].text() == "&Undo Set conv1.out_channels"


def test_spin_steps_merge_into_one_undo_step(window):
    controller = window.designer.controller
    for value in (7, 8, 9):
        controller.set_param("conv1", "out_channels", value)
    stack = window.document.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert window.document.graph.node("conv1").param("out_channels") == 6


def test_imported_model_load_is_undoable(make_window, prompts, qtbot):
    window = make_window()
    prompts.script("choose_torchvision_model", "resnet18")
    with qtbot.waitSignal(window.document.path_changed, timeout=30000):
        window.import_model()
    assert window.document.graph.name == "resnet18"
    assert window.document.path is None and window.isWindowModified()
    assert len(window.designer.scene.nodes) == len(window.document.graph.nodes) > 60
    window.document.undo_stack.undo()
    assert not window.document.graph.nodes
    window.document.undo_stack.redo()
    assert window.document.graph.to_dict() == window.document.graph.copy().to_dict()
    assert len(window.document.graph.nodes) > 60


def test_unsupported_model_import_shows_why(make_window, prompts, qtbot, monkeypatch):
    from cnnstudio.ui.window import file_actions

    window = make_window()

    def refuse(name: str, *, pretrained: str = "cached"):
        raise file_actions.ModelImportError(f"{name}: the operation getitem has no CNN Studio layer")

    monkeypatch.setattr(file_actions, "import_with_metadata", refuse)
    prompts.script("choose_torchvision_model", "vit_b_16")
    before = _snapshot(window)
    window.import_model()
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=10000)
    assert "getitem" in prompts.errors[0][1]
    assert _snapshot(window) == before


def test_template_load_keeps_undo_history_separate(window):
    load_template("resnet18")  # the template exists
    window.designer.controller.set_param("conv1", "out_channels", 8)
    window.prompts.script("save_changes", SaveChoice.CANCEL)
    window.prompts.script("choose_template", "resnet18")
    window.new_from_template()
    assert window.document.graph.name == "LeNet-5"  # cancelled: nothing changed
    assert window.document.graph.node("conv1").param("out_channels") == 8
