"""The Results view of a multi-label run: the per-label page instead of a confusion matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ui_helpers import double_click

from cnnstudio.data import load_data
from cnnstudio.engine.evaluate import RunEvaluation
from cnnstudio.engine.events import Finished, Started
from cnnstudio.engine.multilabel import label_report
from cnnstudio.ui.training.plots import TrainingPlots
from cnnstudio.ui.training.progress import ProgressPanel
from cnnstudio.ui.training.results import ResultsPanel


def multilabel_results() -> RunEvaluation:
    """Generated multi-shapes images scored by probabilities that get a few labels wrong."""
    data = load_data("multishapes:count=60").train
    targets = data.labels.numpy()
    rng = np.random.default_rng(0)
    probabilities = np.clip(targets * 0.7 + rng.uniform(0.0, 0.6, targets.shape), 0, 1)
    report = label_report(probabilities, targets, data.classes, thresholds=0.5)
    return RunEvaluation(Path("2026-12-04_10-00-00_LeNet-5"), "LeNet-5", "best", 3, "multishapes", report, data)


def test_a_multilabel_run_shows_each_labels_scores_and_the_images_with_a_wrong_label(qtbot):
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.resize(1000, 640)
    panel.show()
    results = multilabel_results()
    report = results.report
    panel.show_results(results)
    page = panel.labels
    assert panel.currentWidget() is page
    assert page.per_label.rowCount() == len(report.classes) == 4
    first = report.per_label[0]
    assert page.per_label.item(0, 0).text() == first.name
    assert page.per_label.item(0, 1).text() == f"{first.auroc:.3f}"
    assert page.per_label.item(0, 6).text() == "0.50"
    assert f"macro AUROC <b>{report.macro_auroc:.3f}</b>" in page.summary.text()
    assert 0 < len(report.mistakes) < report.count
    assert page.gallery.count() == len(report.mistakes)
    assert f"({len(report.mistakes)}, most confident first)" in page.gallery_title.text()
    worst = report.mistakes[0]
    carried = " + ".join(report.classes[i] for i in worst.true) or "none"
    first_item = page.gallery.item(0)
    assert first_item.text().endswith(f"\n{worst.confidence:.0%}") and f"carries {carried};" in first_item.toolTip()

    sent = []
    panel.image_activated.connect(sent.append)
    double_click(page.gallery.viewport(), page.gallery.visualItemRect(page.gallery.item(0)).center())
    assert len(sent) == 1 and np.array_equal(sent[0], results.image(worst.index))


def test_a_label_present_in_every_image_has_no_auroc_and_says_why(qtbot):
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    data = load_data("multishapes:count=20").train
    targets = data.labels.numpy().copy()
    targets[:, 0] = 1
    report = label_report(np.full(targets.shape, 0.9), targets, data.classes)
    panel.show_results(RunEvaluation(Path("run"), "LeNet-5", "last", 1, "multishapes", report, data))
    cell = panel.labels.per_label.item(0, 1)
    assert cell.text() == "—" and "every validation image carries this label" in cell.toolTip()


def test_a_multilabel_run_plots_and_reports_its_macro_auroc_not_an_accuracy(qtbot):
    plots, progress = TrainingPlots(), ProgressPanel()
    qtbot.addWidget(plots)
    qtbot.addWidget(progress)
    started = Started("run", "cpu", "fp32", 3, 0, 10, 32, 320, 80, ["a", "b"], 1000, 1000, task="multi-label")
    plots.begin(started.epochs, started.task)
    progress.started(started)
    progress.finished(Finished("completed", 3, 30, 2, 0.4, 0.91, 12.0, "run"))
    assert "Macro AUROC (%)" in plots.accuracy_plot.titleLabel.text
    assert "best validation macro AUROC 91.0% after epoch 2" in progress.details.text()
    plots.begin(3)
    assert "Accuracy (%)" in plots.accuracy_plot.titleLabel.text
