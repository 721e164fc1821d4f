"""The Training tab in the main window, without a worker process: refusing to train with a clear
message, the runs list, results, sending the model to Inspect, export and deletion."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from test_training_helpers import make_run
from ui_helpers import double_click, wait_analysis

from cnnstudio.data import load_data
from cnnstudio.engine import TrainConfig, train
from cnnstudio.engine import loop as loop_module
from cnnstudio.engine.events import Started
from cnnstudio.graph import network_from_dict
from cnnstudio.ui.session import DataChoice
from cnnstudio.ui.settings import runs_dir
from cnnstudio.ui.training.plot_hover import readout_html


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("runs")
    return {
        "first": make_run(root, "2026-01-02_10-00-00_LeNet-5", epochs=2),
        "second": make_run(root, "2026-01-03_10-00-00_LeNet-5", epochs=1, lr=3e-3),
        "stopped": make_run(root, "2026-01-04_10-00-00_LeNet-5", epochs=2, stop_early=True),
    }


@pytest.fixture
def runs(trained, user_dirs):
    """The trained runs, copied into this test's runs folder."""
    root = runs_dir()
    return {key: shutil.copytree(path, root / path.name) for key, path in trained.items()}


def training_tab(window):
    window.show_tab("Training")
    return window.tab("Training")


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)


def row_point(table, row: int):
    return table.visualItemRect(table.item(row, 0)).center()


def test_train_refuses_with_a_clear_message_and_starts_nothing(window, qtbot):
    tab = training_tab(window)
    window.session.set_data(None)
    click(qtbot, tab.controls.train_button)
    assert tab.banner.isVisible() and "No data to train on" in tab.banner.text()
    assert "Data tab" in tab.banner.text()
    tab.banner.message.linkActivated.emit("Data")  # the link in the message
    assert window.current_tab() is window.tab("Data")

    window.show_tab("Training")
    window.session.set_data(DataChoice("digits", None, "Digits"))
    qtbot.keyClicks(tab.form.augment, "flop")
    click(qtbot, tab.controls.train_button)
    assert "A hyperparameter is not valid" in tab.banner.text() and "flop" in tab.banner.text()
    tab.form.augment.clear()

    window.document.graph.set_param("conv2", "kernel_size", 40)  # larger than its input
    wait_analysis(qtbot, window)
    click(qtbot, tab.controls.train_button)
    assert "The design cannot be trained" in tab.banner.text() and "conv2" in tab.banner.text()
    assert "error" in tab.controls.design_label.text()
    assert tab.runner.state == "idle" and tab.controls.train_button.isEnabled()
    assert multiprocessing.active_children() == []


def test_a_run_trains_a_copy_of_the_design_fitted_to_the_datas_classes(window, qtbot, monkeypatch):
    tab = training_tab(window)
    requests = []
    monkeypatch.setattr(tab.runner, "start", requests.append)  # capture the request instead of training
    tab.form.epochs.setValue(3)
    window.session.set_data(DataChoice("xo", load_data("xo", (1, 28, 28)), "X's and O's"))
    click(qtbot, tab.controls.train_button)
    (request,) = requests
    assert request.data == "xo" and request.config.data == "xo" and request.config.epochs == 3
    assert Path(request.run_dir).parent == runs_dir() and Path(request.run_dir).name.endswith("_LeNet-5")
    assert network_from_dict(request.design).graph.nodes["fc3"].param("out_features") == 2
    assert window.document.graph.nodes["fc3"].param("out_features") == 10  # the design itself is unchanged
    assert tab.runs.table.item(0, 1).text() == "LeNet-5" and tab.runs.table.item(0, 3).text() == "0 / 3"

    started = Started(request.run_dir, "cpu", "fp32", 3, 0, 50, 32, 1600, 400, ["X", "O"], 1000, 1000)
    tab.runner.events_received.emit([started])  # what the worker would report first
    assert tab.banner.isVisible() and "fc3 now outputs 2 classes" in tab.banner.text()
    assert tab.progress.epoch_bar.maximum() == 3 and "1,600 training" in tab.progress.details.text()


def test_the_curves_reach_the_last_batch_of_a_real_run(window, qtbot, monkeypatch):
    """LeNet-5 on digits, 2 epochs of batches of 64: the curves used to end near epoch 1.3 while the validation
    points reached 2, because the throttled batch messages (10 a second) skipped the last batches of an epoch
    that takes less than 0.1 s. The run's events reach the tab as its worker delivers them."""
    monkeypatch.setattr(loop_module, "BATCH_EVENT_INTERVAL", 1e9)  # as where an epoch is faster than it
    tab = training_tab(window)
    graph = window.document.graph
    assert graph.name == "LeNet-5"
    run_dir = runs_dir() / "lenet"
    events = list(
        train(graph, load_data("digits", (1, 28, 28)), TrainConfig(epochs=2, batch_size=64, data="digits"), run_dir)
    )
    assert events[-1].kind == "finished" and events[-1].reason == "completed"
    tab.runner.events_received.emit(events)
    plots = tab.plots
    assert list(plots.series.x.values) == [1 / 22, 1.0, 2.0] and plots.series.step.values[-1] == events[-1].step
    curves = (plots.loss_raw, plots.loss_smoothed, plots.accuracy_raw, plots.accuracy_smoothed, plots.lr_curve)
    assert all(curve.getOriginalDataset()[0][-1] == 2.0 for curve in curves)
    assert list(plots.loss_val.getOriginalDataset()[0]) == [1.0, 2.0]
    qtbot.waitUntil(lambda: tab.results.currentIndex() == 1, timeout=60_000)  # the run is evaluated in the background


def test_at_1024_by_640_the_plots_keep_most_of_the_height(window, qtbot):
    tab = training_tab(window)
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.height() == 640)
    qtbot.wait(50)
    assert tab.views.height() >= 2.5 * tab.runs.height() and tab.plots.loss_plot.vb.height() >= 80


def test_validations_every_n_batches_are_plotted_at_their_fractional_epoch(window, qtbot):
    tab = training_tab(window)
    config = TrainConfig(epochs=2, batch_size=64, data="digits", val_every=10)  # 22 batches an epoch
    events = list(train(window.document.graph, load_data("digits", (1, 28, 28)), config, runs_dir() / "often"))
    assert events[-1].kind == "finished"
    tab.runner.events_received.emit(events)
    expected = [10 / 22, 20 / 22, 1.0, 1 + 8 / 22, 1 + 18 / 22, 2.0]
    for points in (tab.plots.loss_val, tab.plots.accuracy_val):
        assert list(points.getOriginalDataset()[0]) == pytest.approx(expected)
    assert "validation at epoch 1.36" in readout_html(tab.plots.series, 1.36)
    qtbot.waitUntil(lambda: tab.results.currentIndex() == 1, timeout=60_000)  # the run is evaluated in the background


def test_the_runs_list_shows_every_run_and_overlays_the_selected_ones(runs, window, qtbot):
    (runs_dir() / "broken").mkdir()
    tab = training_tab(window)
    table = tab.runs.table
    assert table.rowCount() == 4
    rows = {table.item(row, 0).text(): row for row in range(4) if table.item(row, 0).text().startswith("2026-01")}
    assert [table.item(row, 5).text() for row in rows.values()] == ["stopped", "completed", "completed"]
    broken = next(row for row in range(4) if table.item(row, 5).text() == "damaged")
    assert "no metrics.json" in table.item(broken, 0).toolTip()
    first = rows["2026-01-02 10:00:00"]
    assert [table.item(first, column).text() for column in (1, 2, 3)] == ["LeNet-5", "digits", "2 / 2"]

    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=row_point(table, first))
    assert tab.plots.overlay_count == 5
    assert tab.runs.buttons["results"].isEnabled() and not tab.runs.buttons["resume"].isEnabled()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, Qt.ControlModifier, row_point(table, rows["2026-01-03 10:00:00"]))
    assert tab.plots.overlay_count == 10 and len(tab.runs.selected()) == 2
    assert not tab.runs.buttons["results"].isEnabled()  # buttons act on one run
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=row_point(table, rows["2026-01-04 10:00:00"]))
    assert tab.runs.buttons["resume"].isEnabled()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=row_point(table, broken))
    assert [key for key, button in tab.runs.buttons.items() if button.isEnabled()] == ["delete", "reveal"]


def test_a_runs_results_show_its_confusion_matrix_per_class_metrics_and_images(runs, window, qtbot):
    tab = training_tab(window)
    table = tab.runs.table
    row = tab.runs.row_of(runs["first"])
    double_click(table.viewport(), row_point(table, row))
    assert tab.views.currentWidget() is tab.results
    qtbot.waitUntil(lambda: tab.results.currentIndex() == 1, timeout=30000)
    results = tab.results
    report = results.results.report
    assert results.confusion.rowCount() == results.confusion.columnCount() == 10
    assert results.per_class.rowCount() == 10 and results.per_class.item(0, 0).text() == "0"
    assert f"{report.accuracy:.1%}" in results.summary.text()
    assert results.gallery.count() == len(report.misclassified) > 0  # starts with the mistakes

    true, predicted = next((t, p) for t in range(10) for p in range(10) if t != p and report.confusion[t][p])
    cell = results.confusion.item(true, predicted)
    qtbot.mouseClick(results.confusion.viewport(), Qt.LeftButton, pos=results.confusion.visualItemRect(cell).center())
    assert results.gallery.count() == report.confusion[true][predicted] == int(cell.text())
    assert f"true {true}, predicted {predicted}" in results.gallery_title.text()
    diagonal = results.confusion.item(3, 3)
    qtbot.mouseClick(
        results.confusion.viewport(), Qt.LeftButton, pos=results.confusion.visualItemRect(diagonal).center()
    )
    assert results.gallery.count() == report.confusion[3][3]

    with qtbot.waitSignal(window.session.inspect_image) as shown:
        item = results.gallery.item(0)
        point = results.gallery.visualItemRect(item).center()
        double_click(results.gallery.viewport(), point)
    image = shown.args[0]
    assert image.shape == (28, 28, 3) and image.dtype == np.uint8
    click(qtbot, results.show_mistakes)
    assert results.gallery.count() == len(report.misclassified)


def test_a_run_goes_to_inspect_and_exports_in_the_engines_formats(runs, window, prompts, qtbot, tmp_path):
    tab = training_tab(window)
    table = tab.runs.table
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=row_point(table, tab.runs.row_of(runs["second"])))
    with qtbot.waitSignal(window.session.model_changed, timeout=30000):
        click(qtbot, tab.runs.buttons["open"])
    model = window.session.model
    assert model.run_dir == runs["second"] and "LeNet-5" in model.title
    assert model.classifier.classes == [str(digit) for digit in range(10)]
    assert window.current_tab() is window.tab("Inspect")

    window.show_tab("Training")
    assert tab.controls.export_button.isEnabled()
    prompts.script("save_path", str(tmp_path / "lenet"))
    code = next(action for action in tab.controls.export_menu.actions() if action.text().startswith("PyTorch code"))
    code.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "lenet.py").is_file() and (tmp_path / "lenet.pt").is_file(), timeout=30000)
    assert "class" in (tmp_path / "lenet.py").read_text()
    prompts.script("save_path", str(tmp_path / "lenet.pt" / "x.py"))  # a file where a folder must be
    code.trigger()
    qtbot.waitUntil(lambda: bool(prompts.errors), timeout=30000)
    assert prompts.errors[-1][0].startswith("Cannot export") and "lenet.pt" in prompts.errors[-1][1]


def test_deleting_a_run_asks_first(runs, window, prompts, qtbot, monkeypatch):
    tab = training_tab(window)
    table = tab.runs.table
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=row_point(table, tab.runs.row_of(runs["stopped"])))
    prompts.script("confirm", False)
    click(qtbot, tab.runs.buttons["delete"])
    assert runs["stopped"].is_dir() and table.rowCount() == 3
    prompts.script("confirm", True)
    click(qtbot, tab.runs.buttons["delete"])
    assert not runs["stopped"].exists() and table.rowCount() == 2


def test_the_form_and_layout_are_remembered(make_window, qtbot):
    window = make_window()
    tab = training_tab(window)
    tab.form.epochs.setValue(17)
    tab.plots.slider.setValue(80)
    window.save_layout()
    again = training_tab(make_window())
    assert again.form.epochs.value() == 17 and again.plots.smoothing == pytest.approx(0.8)
