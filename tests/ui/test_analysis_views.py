"""The analysis table, problems list and code view follow the design live."""

from __future__ import annotations

import ast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import wait_analysis

from cnnstudio.graph.io import save_network
from cnnstudio.graph.templates import load_template
from cnnstudio.ui.app import main


def test_analysis_table_rows_totals_and_selection(window, qtbot):
    designer = window.designer
    table = designer.table
    model = table.model
    assert model.rowCount() == 13
    assert [model.data(model.index(0, c)) for c in range(3)] == ["input", "Input", "1×28×28  (784)"]
    conv1_row = model.row_of("conv1")
    assert model.data(model.index(conv1_row, 3)) == "156"
    assert "61,706" in table.totals.text() and "FLOPs" in table.totals.text()
    designer.panels.setCurrentWidget(table)
    index = model.index(model.row_of("fc2"), 0)
    QTest.mouseClick(table.view.viewport(), Qt.LeftButton, Qt.NoModifier, table.view.visualRect(index).center())
    assert designer.scene.selected_node_ids() == ["fc2"]
    designer.scene.select_nodes(["conv2"])
    assert table.current_node() == "conv2"
    # live: a parameter change updates the table
    designer.controller.set_param("fc2", "out_features", 50)
    wait_analysis(qtbot, window)
    assert model.data(model.index(model.row_of("fc2"), 2)).startswith("50 ")
    assert table.current_node() == "conv2"


def test_code_view_shows_the_generated_module_and_saves_it(window, qtbot, prompts, tmp_path):
    designer = window.designer
    code = designer.code
    with qtbot.waitSignal(code.generated, timeout=20000):
        designer.panels.setCurrentWidget(code)
    source = code.source()
    tree = ast.parse(source)
    assert any(isinstance(node, ast.ClassDef) and node.name == "LeNet5" for node in tree.body)
    assert "nn.Conv2d(1, 6, kernel_size=5, padding=2)" in source
    assert code.editor.isReadOnly()
    code.copy_button.click()
    assert QApplication.clipboard().text() == source
    prompts.script("save_path", str(tmp_path / "lenet.py"))
    code.save_button.click()
    assert (tmp_path / "lenet.py").read_text() == source
    # the code follows edits while visible
    with qtbot.waitSignal(code.generated, timeout=20000):
        designer.controller.set_param("conv1", "out_channels", 8)
    assert "nn.Conv2d(1, 8, kernel_size=5, padding=2)" in code.source()
    # an invalid design explains instead of generating
    with qtbot.waitSignal(code.generated, timeout=20000):
        designer.controller.disconnect("flatten", "fc1")
    assert code.source().startswith("# The design has errors") and not code.save_button.isEnabled()


def test_main_opens_the_window_and_returns_when_it_closes(qapp, qtbot, tmp_path):
    path = tmp_path / "net.cnn.json"
    graph = load_template("lenet5")
    graph.name = "From argv"
    save_network(graph, path)
    seen = {}

    def close_windows() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isWindow() and widget.isVisible() and hasattr(widget, "document"):
                seen["title"] = widget.windowTitle()
                widget.close()

    QTimer.singleShot(300, close_windows)
    assert main([str(path)]) == 0
    assert seen["title"].startswith("net.cnn.json")
