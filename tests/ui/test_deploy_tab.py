"""The Deploy tab: a quantize (and prune) job in the background with progress, the table and the scatter of
its variants, keeping a pruned run, and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cnnstudio.engine.run_folders import scan_runs
from cnnstudio.graph.templates import load_template
from cnnstudio.ui.deploy.tab import DeployTab, staging_dir
from cnnstudio.ui.document import Document
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.settings import Settings, runs_dir
from cnnstudio.ui.tabs import StudioContext
from tests.optimize.conftest import train_lenet


@pytest.fixture
def deploy(qtbot: Any, prompts: Any, user_dirs: dict[str, Path]) -> Any:
    """A Deploy tab over a runs folder holding one LeNet-5 trained 2 epochs on digits."""
    train_lenet(runs_dir() / "lenet", epochs=2)
    document = Document()
    document.replace(load_template("lenet5"))
    messages: list[str] = []
    tab = DeployTab(StudioContext(document, prompts, Settings(), messages.append, StudioSession()))
    tab.messages = messages
    tab.resize(1200, 640)
    tab.show()
    qtbot.waitExposed(tab)
    yield tab
    tab.shutdown()
    document.close()
    tab.close()
    tab.deleteLater()


def run_job(qtbot: Any, tab: DeployTab) -> None:
    progress: list[tuple[str, float]] = []
    tab.strip.progress = lambda message, fraction: progress.append((message, fraction))  # type: ignore[method-assign]
    tab.start_button.click()
    assert tab.strip.running and not tab.start_button.isEnabled()
    qtbot.waitUntil(tab.is_idle, timeout=60000)
    assert progress, "the job reported no progress"


def test_a_quantize_job_runs_in_the_background_and_fills_the_table_and_the_scatter(qtbot, deploy, tmp_path):
    assert deploy.runs.count() == 1 and deploy.quantize.isChecked()
    deploy.repeats = 3
    run_job(qtbot, deploy)
    assert deploy.table.rowCount() == 2
    assert [deploy.table.item(row, 0).text() for row in range(2)] == ["original", "int8"]
    assert all(deploy.table.item(row, column).text() for row in range(2) for column in range(8))
    assert len(deploy.plot.points.data) == 2 and [label.toPlainText() for label in deploy.plot.labels] == [
        "original",
        "int8",
    ]
    assert "Fastest at batch 32" in deploy.summary.text()
    image = tmp_path / "deploy.png"
    assert deploy.grab().save(str(image)) and image.stat().st_size > 0


def test_a_pruned_run_is_kept_into_the_runs_folder(qtbot, deploy):
    deploy.quantize.setChecked(False)
    deploy.prune.setChecked(True)
    deploy.finetune.setValue(1)
    run_job(qtbot, deploy)
    assert deploy.table.rowCount() == 2 and deploy.table.item(1, 0).text() == "pruned 50%"
    assert not deploy.keep_button.isEnabled()  # nothing selected
    deploy.table.selectRow(0)
    assert not deploy.keep_button.isEnabled()  # the original is no staged run
    deploy.table.selectRow(1)
    assert deploy.keep_button.isEnabled() and staging_dir() in Path(deploy.selected_row().path).parents
    deploy.keep_button.click()
    names = {record.design for record in scan_runs(runs_dir())}
    assert names == {"LeNet-5", "LeNet-5 pruned 50%"}
    assert deploy.runs.count() == 2 and "Training tab" in deploy.messages[-1]


def test_cancel_stops_the_job_and_says_so(qtbot, deploy):
    deploy.prune.setChecked(True)
    deploy.finetune.setValue(50)
    deploy.start_button.click()
    qtbot.waitUntil(lambda: "Fine-tuning" in deploy.strip.message.text(), timeout=60000)
    deploy.strip.cancel_button.click()
    qtbot.waitUntil(deploy.is_idle, timeout=30000)
    assert "Cancelled" in deploy.strip.message.text() and deploy.table.rowCount() == 0
