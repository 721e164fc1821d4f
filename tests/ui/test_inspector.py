"""The property inspector: one editor per parameter, applied immediately, with validation and explanations."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from ui_helpers import wait_analysis

from cnnstudio.ui.designer.param_editors import (
    BoolEditor,
    ChoiceEditor,
    FloatEditor,
    IntEditor,
    OptionalPairEditor,
    PaddingEditor,
    PairEditor,
)


def _inspect(window, node_id: str):
    window.designer.scene.select_nodes([node_id])
    inspector = window.designer.inspector
    assert inspector.node_id == node_id
    return inspector


def _type(spin, text: str) -> None:
    spin.lineEdit().selectAll()
    QTest.keyClicks(spin.lineEdit(), text)
    QTest.keyClick(spin.lineEdit(), Qt.Key_Return)


def test_editor_kinds_and_catalog_ranges(window):
    inspector = _inspect(window, "conv1")
    editors = inspector.editors
    assert isinstance(editors["out_channels"], IntEditor)
    assert editors["out_channels"].spin.minimum() == 1 and editors["out_channels"].spin.maximum() == 65536
    assert isinstance(editors["kernel_size"], PairEditor)
    assert isinstance(editors["padding"], PaddingEditor)
    assert isinstance(editors["bias"], BoolEditor)
    assert editors["out_channels"].spin.value() == 6 and editors["kernel_size"].height.value() == 5
    assert editors["padding"].height.value() == 2
    pool = _inspect(window, "pool1").editors
    assert isinstance(pool["stride"], OptionalPairEditor) and pool["stride"].auto.isChecked()
    assert not pool["stride"].height.isEnabled()


def test_typing_a_value_applies_it_as_one_undo_step(window, qtbot):
    inspector = _inspect(window, "conv1")
    _type(inspector.editors["out_channels"].spin, "32")
    graph = window.document.graph
    assert graph.node("conv1").param("out_channels") == 32
    assert window.document.undo_stack.count() == 1
    wait_analysis(qtbot, window)
    assert window.designer.scene.nodes["conv1"].shape_text == "32×28×28"
    assert inspector.number_labels["Output"].text() == "32×28×28"
    assert inspector.number_labels["Learnables"].text() == f"{32 * 25 + 32:,}"
    window.document.undo_stack.undo()
    assert inspector.editors["out_channels"].spin.value() == 6  # the editor follows the model


def test_unlinked_pair_sets_height_and_width(window):
    inspector = _inspect(window, "conv1")
    pair = inspector.editors["kernel_size"]
    pair.link.click()
    assert not pair.link.isChecked()
    _type(pair.width, "3")
    assert window.document.graph.node("conv1").param("kernel_size") == [5, 3]
    assert pair.height.value() == 5


def test_padding_same_and_pool_stride_auto(window, qtbot):
    inspector = _inspect(window, "conv2")
    padding = inspector.editors["padding"]
    padding.mode.setCurrentIndex(1)
    padding.mode.activated.emit(1)
    assert window.document.graph.node("conv2").param("padding") == "same"
    assert not padding.height.isEnabled()
    wait_analysis(qtbot, window)
    assert window.designer.scene.nodes["conv2"].shape_text == "16×14×14"
    pool = _inspect(window, "pool1").editors["stride"]
    pool.auto.click()
    _type(pool.height, "1")
    assert window.document.graph.node("pool1").param("stride") == 1
    pool.auto.click()
    assert window.document.graph.node("pool1").param("stride") is None


def test_float_and_choice_editors(window):
    controller = window.designer.controller
    controller.add_layer("LeakyReLU", QPointF(400, 0))
    node_id = window.designer.scene.selected_node_ids()[0]
    editor = window.designer.inspector.editors["negative_slope"]
    assert isinstance(editor, FloatEditor) and editor.spin.text() == "0.01"
    _type(editor.spin, "0.2")
    assert window.document.graph.node(node_id).param("negative_slope") == 0.2
    controller.add_layer("GELU", QPointF(400, 100))
    gelu = window.designer.scene.selected_node_ids()[0]
    choice = window.designer.inspector.editors["approximate"]
    assert isinstance(choice, ChoiceEditor)
    choice.combo.setCurrentIndex(1)
    choice.combo.activated.emit(1)
    assert window.document.graph.node(gelu).param("approximate") == "tanh"


def test_activation_layers_plot_their_function(window):
    inspector = _inspect(window, "relu1")
    assert inspector.plot.isVisible()
    x, y = inspector.plot.curve.getData()
    assert min(y) == 0.0 and max(y) == 5.0 and len(x) == len(y) > 100
    window.designer.controller.add_layer("Tanh", QPointF(400, 0))
    x, y = window.designer.inspector.plot.curve.getData()
    assert -1.0 < min(y) < -0.99 and 0.99 < max(y) < 1.0
    _inspect(window, "conv1")
    assert not inspector.plot.isVisible()


def test_conv_shows_its_output_size_arithmetic(window):
    inspector = _inspect(window, "conv2")
    text = inspector.arithmetic.text()
    assert "(14 − 5 + 2·0) / 1" in text and text.strip().endswith("= 10")
    assert inspector.number_labels["Input"].text() == "6×14×14"
    assert "FLOPs" in inspector.number_labels["FLOPs"].text()


def test_rename_validates_the_name(window):
    inspector = _inspect(window, "conv1")
    inspector.name_edit.setText("conv2")
    inspector.name_edit.editingFinished.emit()
    assert "already exists" in inspector.problem.text()
    assert inspector.name_edit.text() == "conv1"
    inspector.name_edit.setText("2bad")
    inspector.name_edit.editingFinished.emit()
    assert "identifier" in inspector.problem.text()
    inspector.name_edit.setText("stem")
    inspector.name_edit.editingFinished.emit()
    assert "stem" in window.document.graph.nodes and inspector.node_id == "stem"
    assert window.designer.scene.selected_node_ids() == ["stem"]


def test_freeze_checkbox(window, qtbot):
    inspector = _inspect(window, "conv1")
    assert inspector.trainable.isVisible() and inspector.trainable.isChecked()
    inspector.trainable.click()
    assert window.document.graph.node("conv1").trainable is False
    wait_analysis(qtbot, window)
    assert "frozen" in inspector.number_labels["Learnables"].text()
    assert not _inspect(window, "relu1").trainable.isVisible()  # nothing to train


def test_nothing_selected_shows_the_network_summary(window):
    window.designer.scene.clearSelection()
    inspector = window.designer.inspector
    assert inspector.node_id is None
    assert inspector.title.text() == "LeNet-5"
    assert inspector.number_labels["Learnables"].text() == "61,706"
    window.designer.scene.select_nodes(["conv1", "conv2"])
    assert inspector.title.text() == "2 layers selected"


def test_deleting_the_inspected_node_clears_the_inspector(window):
    inspector = _inspect(window, "relu2")
    window.designer.controller.delete_selection()
    assert inspector.node_id is None and not inspector.editors
