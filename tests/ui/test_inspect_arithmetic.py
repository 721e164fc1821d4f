"""The arithmetic pages: the numbers shown for a clicked output equal what the layer really computes,
and the grid editor reproduces the classic lessons' numbers."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt
from test_inspect_support import draw_stroke, inspect_tab, settle

from cnnstudio.ui.inspection.arithmetic.arithmetic_view import ArithmeticView
from cnnstudio.ui.inspection.arithmetic.grid_editor import GridEditorView
from cnnstudio.ui.inspection.inputs import FILE
from cnnstudio.ui.inspection.model_source import EFFICIENTNET
from cnnstudio.viz.arithmetic import ConvExplanation, PoolExplanation


@pytest.fixture
def tab(qtbot, prompts):
    yield from inspect_tab(qtbot, prompts)


def show_arithmetic(qtbot, tab) -> ArithmeticView:
    view = tab.view(ArithmeticView)
    tab.show_view(view)
    settle(qtbot, tab)
    return view


def shown_number(text: str) -> float:
    """The number a label shows ("= −0.1234" → -0.1234)."""
    return float(text.split()[-1].replace("−", "-"))


def click_output(qtbot, tab, view, row: int, col: int) -> None:
    qtbot.mouseClick(view.output_canvas, Qt.LeftButton, pos=view.output_canvas.widget_point(row, col))
    settle(qtbot, tab)


def test_a_clicked_convolution_output_shows_the_layers_own_value(tab, qtbot):
    draw_stroke(tab.inputs.pad, [(0.25, 0.2), (0.5, 0.8), (0.75, 0.2)])
    view = show_arithmetic(qtbot, tab)
    view.layer_combo.setCurrentIndex(view.layer_combo.findData("conv2"))
    settle(qtbot, tab)
    view.channel_spin.setValue(9)
    settle(qtbot, tab)
    click_output(qtbot, tab, view, 3, 6)

    model, x = tab.subject.classifier.module, tab.subject.x
    with torch.no_grad():
        conv2 = model.conv2(model.pool1(model.relu1(model.conv1(x))))[0, 9, 3, 6].item()
    explanation = view.panel.explanation()
    assert isinstance(explanation, ConvExplanation)
    assert (explanation.out_channel, explanation.row, explanation.col) == (9, 3, 6)
    assert explanation.pre_activation == pytest.approx(conv2, abs=1e-5)
    assert len(explanation.channels) == 6  # one row of products per input channel
    assert "output channel 9, row 3, column 6" in view.panel.heading.text()
    assert shown_number(view.panel.value_label.text()) == pytest.approx(max(conv2, 0.0), rel=1e-3, abs=1e-4)
    assert "ReLU" in view.panel.steps.text()
    assert "✓" in view.panel.check_label.text()
    assert view.input_canvas.image_shape() == (14, 14)
    assert explanation.box == (3, 6, 7, 10)  # rows 3…7, columns 6…10 of pool1's 14×14 output


def test_a_clicked_max_pooling_output_shows_its_window_and_winner(tab, qtbot):
    draw_stroke(tab.inputs.pad, [(0.2, 0.5), (0.8, 0.5)])
    view = show_arithmetic(qtbot, tab)
    view.layer_combo.setCurrentIndex(view.layer_combo.findData("pool1"))
    settle(qtbot, tab)
    view.channel_spin.setValue(2)
    settle(qtbot, tab)
    click_output(qtbot, tab, view, 7, 5)

    model, x = tab.subject.classifier.module, tab.subject.x
    with torch.no_grad():
        relu1 = model.relu1(model.conv1(x))[0, 2]
        pooled = model.pool1(relu1[None])[0]
    explanation = view.panel.explanation()
    assert isinstance(explanation, PoolExplanation) and explanation.kind == "max"
    np.testing.assert_allclose(explanation.window, relu1[14:16, 10:12].numpy(), rtol=1e-6)
    assert explanation.value == pytest.approx(float(pooled[7, 5]))
    assert float(relu1[explanation.winner]) == explanation.value
    assert shown_number(view.panel.value_label.text()) == pytest.approx(float(pooled[7, 5]), rel=1e-3, abs=1e-4)
    assert "✓" in view.panel.check_label.text()


def test_efficientnets_first_convolution_on_a_photo_is_explained_for_each_colour(tab, qtbot, prompts, tmp_path):
    skimage_data = pytest.importorskip("skimage.data")
    photo = tmp_path / "coffee.png"
    Image.fromarray(skimage_data.coffee()).save(photo)
    tab.model_source.combo.setCurrentIndex(EFFICIENTNET)
    prompts.script("open_path", str(photo))
    tab.inputs.set_source(FILE)
    qtbot.mouseClick(tab.inputs.open_button, Qt.LeftButton)
    settle(qtbot, tab)
    view = show_arithmetic(qtbot, tab)
    assert view.values.layer == "stem_conv"
    click_output(qtbot, tab, view, 40, 71)

    module = tab.subject.classifier.module
    with torch.no_grad():
        actual = module.get_submodule("stem_conv")(tab.subject.x)[0, 0, 40, 71].item()
    explanation = view.panel.explanation()
    assert [channel.input_channel for channel in explanation.channels] == [0, 1, 2]
    assert explanation.pre_activation == pytest.approx(actual, abs=1e-4)
    assert explanation.activation is None  # BatchNorm comes next, not an activation
    assert "✓" in view.panel.check_label.text()


def hand_convolution(image: np.ndarray, kernels: np.ndarray, bias: np.ndarray, stride: int, mean: bool) -> np.ndarray:
    """Convolution written out with loops, as on a blackboard."""
    out_channels, _, size, _ = kernels.shape
    rows = (image.shape[1] - size) // stride + 1
    cols = (image.shape[2] - size) // stride + 1
    output = np.zeros((out_channels, rows, cols))
    for o, r, c in itertools.product(range(out_channels), range(rows), range(cols)):
        patch = image[:, r * stride : r * stride + size, c * stride : c * stride + size]
        total = float((patch * kernels[o]).sum())
        output[o, r, c] = (total / kernels[o].size if mean else total) + bias[o]
    return output


def test_the_cs231n_preset_reproduces_the_demo_and_explains_a_clicked_number(tab, qtbot):
    editor = tab.view(GridEditorView)
    tab.show_view(editor)
    editor.preset_combo.setCurrentIndex(0)
    image = np.stack([table.values("") for table in editor.input_tables])
    kernels = np.stack([np.stack([table.values("") for table in tables]) for tables in editor.kernel_tables])
    assert image.shape == (3, 7, 7) and kernels.shape == (2, 3, 3, 3)
    assert np.all(image[:, 0] == 0) and np.all(image[:, :, -1] == 0)  # the zero padding is drawn in
    expected = hand_convolution(image, kernels, np.array([1.0, 0.0]), stride=2, mean=False)
    assert [grid.values().shape for grid in editor.output_grids] == [(3, 3), (3, 3)]
    for grid, plane in zip(editor.output_grids, expected, strict=True):
        np.testing.assert_array_equal(grid.values(), plane)
    # W0 at row 0, column 0 worked by hand: channel sums 2 + 1 + 2, plus the bias 1.
    assert editor.output_grids[0].text_at(0, 0) == "6"

    grid = editor.output_grids[1]
    qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.cell_rect(2, 1).center().toPoint())
    explanation = editor.panel.explanation()
    assert (explanation.out_channel, explanation.row, explanation.col) == (1, 2, 1)
    assert explanation.value == expected[1, 2, 1]
    assert shown_number(editor.panel.value_label.text()) == expected[1, 2, 1]
    patch = {(r, c) for r in range(4, 7) for c in range(2, 5)}  # stride 2: rows 4…6, columns 2…4
    marked = {
        (r, c)
        for r in range(7)
        for c in range(7)
        if editor.input_tables[0].item(r, c).background().color().name() != "#ffffff"
    }
    assert marked == patch


def test_the_x_and_o_preset_gives_the_lectures_numbers(tab, qtbot):
    editor = tab.view(GridEditorView)
    tab.show_view(editor)
    editor.preset_combo.setCurrentIndex(1)
    assert editor.mean_box.isChecked()
    diagonal = editor.output_grids[0].values()
    assert diagonal.shape == (7, 7)
    # The lecture's filtered X: 0.77 at the corner, 1.00 where the diagonal matches, −0.11, 0.55, 0.33 …
    assert diagonal[0, 0] == pytest.approx(7 / 9) and diagonal[1, 1] == 1.0
    assert diagonal[0, 1] == pytest.approx(-1 / 9) and diagonal[0, 4] == pytest.approx(5 / 9)
    assert diagonal[0, 3] == pytest.approx(3 / 9) and diagonal[6, 6] == pytest.approx(7 / 9)
    assert editor.output_grids[1].values()[3, 3] == 1.0  # the centre of the X matches the X feature

    grid = editor.output_grids[0]
    qtbot.mouseClick(grid, Qt.LeftButton, pos=grid.cell_rect(1, 1).center().toPoint())
    explanation = editor.panel.explanation()
    assert explanation.divisor == 9 and explanation.total == 9
    assert editor.panel.value_label.text() == "= 1"
    assert "÷ 9 (the number of products)" in editor.panel.steps.text()


def test_typed_numbers_are_checked_and_the_output_follows_the_settings(tab, qtbot):
    editor = tab.view(GridEditorView)
    tab.show_view(editor)
    editor.preset_combo.setCurrentIndex(0)
    table = editor.input_tables[1]
    table.item(2, 3).setText("two")
    assert editor.result is None
    assert "Input channel 1, row 2, column 3: “two” is not a number" in editor.status.text()
    assert "Fix the numbers" in editor.panel.heading.text()

    table.item(2, 3).setText("2.5")
    assert editor.result is not None and editor.output_grids[0].values().shape == (3, 3)
    editor.stride_spin.setValue(1)
    assert editor.output_grids[0].values().shape == (5, 5)
    editor.height_spin.setValue(4)
    assert editor.output_grids[0].values().shape == (2, 5)
    editor.size_spin.setValue(7)  # taller than the input now
    assert editor.result is None and "does not fit" in editor.status.text()
