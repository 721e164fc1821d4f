"""The Data tab's parts on their own: specs and suggestions, and the sample grid with a dataset of MNIST's
size."""

from __future__ import annotations

import time
from typing import Any

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from cnnstudio.data import ImageDataset
from cnnstudio.ui.data.sample_grid import SampleGrid, SampleModel
from cnnstudio.ui.data.sources import builtin_source, captured_sources, suggest
from cnnstudio.ui.data.tile_grid import MIN_TILE, TileGrid


def test_specs_leave_out_defaults_and_keep_a_chosen_size() -> None:
    xo = builtin_source("xo")
    assert xo.spec({"size": 0, "count": 1000, "noise": 0.02}) == "xo"
    assert xo.spec({"size": 9, "count": 300, "noise": 0.1}) == "xo:size=9,count=300,noise=0.1"
    assert builtin_source("digits").spec({}) == "digits"


def test_suggestions_fit_the_design() -> None:
    assert suggest((1, 28, 28), 10)[0].key == "digits"
    assert suggest((1, 9, 9), 2)[0].key == "xo"
    assert suggest((3, 32, 32), 5) == (builtin_source("shapes"), {})
    source, values = suggest((3, 224, 224), 1000)  # ResNet-18: colour, a generated set that stays small
    assert source.key == "shapes" and values["count"] * 3 * 224 * 224 <= 100_000_000


def test_captured_sources_need_a_class_folder(tmp_path: Any) -> None:
    (tmp_path / "signs" / "left").mkdir(parents=True)
    (tmp_path / "empty").mkdir()
    (tmp_path / ".hidden" / "a").mkdir(parents=True)
    assert [source.title for source in captured_sources(tmp_path)] == ["signs"]
    assert captured_sources(tmp_path / "missing") == []


def test_grid_with_sixty_thousand_images_stays_fast(qtbot: Any) -> None:
    images = torch.randint(0, 255, (60_000, 1, 28, 28), dtype=torch.uint8)
    labels = torch.arange(60_000) % 10
    dataset = ImageDataset(images, labels, [str(d) for d in range(10)])
    grid = SampleGrid()
    qtbot.addWidget(grid)
    grid.resize(760, 500)
    grid.show()
    qtbot.waitExposed(grid)
    start = time.perf_counter()
    grid.model.set_samples(dataset)
    grid.view.scrollToBottom()
    grid.view.viewport().repaint()
    elapsed = time.perf_counter() - start
    assert grid.model.rowCount() == 60_000
    assert elapsed < 2.0, f"showing 60,000 images took {elapsed:.2f} s"
    model = SampleModel()
    model.set_samples(dataset, class_filter=7)
    assert model.rowCount() == 6000
    assert model.data(model.index(0), Qt.DisplayRole) == "7"


def test_load_status_estimates_the_time_left(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from cnnstudio.ui.data import load_status

    clock = [100.0]
    monkeypatch.setattr(load_status.time, "monotonic", lambda: clock[0])
    status = load_status.LoadStatus()
    qtbot.addWidget(status)
    status.loading("MNIST")
    assert status.bar.maximum() == 0  # busy until a fraction arrives
    status.progress("Downloading MNIST: a.gz (0.0 of 9.9 MB)", 0.0)
    clock[0] += 10
    status.progress("Downloading MNIST: a.gz (2.5 of 9.9 MB)", 0.25)
    assert status.message.text() == "Downloading MNIST: a.gz (2.5 of 9.9 MB) · about 30 s left"
    assert status.bar.value() == 250
    status.progress("Unpacking a.gz", 0.0)  # a new step starts its own estimate
    assert status.message.text() == "Unpacking a.gz"


def test_a_narrow_preview_shows_fewer_images_at_a_readable_size(qtbot: Any) -> None:
    grid = TileGrid()
    qtbot.addWidget(grid)
    digit = QImage(8, 8, QImage.Format_Grayscale8)
    grid.set_rows([("original", [digit] * 6), ("augmented", [digit] * 6)])
    grid.resize(560, 200)
    assert grid.columns() == 6  # room for all
    grid.resize(175, 260)  # the Data tab's preview in a 1024×640 window
    assert grid.columns() < 6 and grid.tile_side() >= MIN_TILE
