"""The Data tab, driven as a person would: choose datasets, filter, change options, drop a folder,
augment, and fit the design to the data."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from ui_helpers import double_click, wait_analysis

from cnnstudio.graph.templates import input_shape
from cnnstudio.ui.data.augment_panel import AUGMENTED_ROWS
from cnnstudio.ui.settings import captures_dir

LOAD_TIMEOUT = 30000


def data_tab(qtbot: Any, window: Any) -> Any:
    """Show the Data tab and wait for its first load (digits for LeNet-5)."""
    tab = window.tab("Data")
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        window.show_tab("Data")
    return tab


def click_source(qtbot: Any, tab: Any, key: str) -> None:
    chooser = tab.chooser
    item = chooser.item(key)
    assert item is not None, f"{key} is not in the chooser"
    chooser.list.scrollToItem(item)
    qtbot.mouseClick(chooser.list.viewport(), Qt.LeftButton, pos=chooser.list.visualItemRect(item).center())


def choose_and_wait(qtbot: Any, tab: Any, key: str) -> None:
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        click_source(qtbot, tab, key)


def type_value(qtbot: Any, box: Any, text: str) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


def choose_combo(qtbot: Any, combo: Any, text: str) -> None:
    """Pick an entry with the keyboard, as a person would without opening the list."""
    index = combo.findText(text)
    assert index >= 0, f"{text!r} not among {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setFocus()
    while combo.currentIndex() != index:
        qtbot.keyClick(combo, Qt.Key_Down if combo.currentIndex() < index else Qt.Key_Up)


def make_image_folder(root: Path, broken: bool = True) -> Path:
    """Two classes of small PNGs (4 and 3 images) and, optionally, one damaged file."""
    rng = np.random.default_rng(0)
    for name, count in (("cats", 4), ("dogs", 3)):
        (root / name).mkdir(parents=True)
        for index in range(count):
            pixels = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{index}.png")
    if broken:
        (root / "dogs" / "broken.png").write_bytes(b"this is not a png")
    return root


def test_digits_grid_histogram_details_filter_and_split(qtbot: Any, window: Any) -> None:
    choice = window.session.data  # chosen for LeNet-5 at start, loaded only once the tab is shown
    assert choice is not None and choice.spec == "digits" and choice.split is None
    assert window.tab("Data").result is None
    tab = data_tab(qtbot, window)
    split = window.session.data.split
    assert window.session.data.spec == "digits"
    assert len(split.train) + len(split.val) == 1797
    assert split.image_shape == (1, 28, 28)  # fitted to LeNet-5's input
    assert tab.grid.model.rowCount() == len(split.train)
    assert tab.grid.count_label.text() == f"{len(split.train):,} images"
    assert len(tab.histogram.counts["train"]) == 10
    assert sum(tab.histogram.counts["train"]) + sum(tab.histogram.counts["val"]) == 1797
    bars = [item for item in tab.histogram.plot.getPlotItem().items if type(item).__name__ == "BarGraphItem"]
    widths = [list(bar.opts["width"]) for bar in bars]  # the plot is built once the tab is shown
    assert widths == [tab.histogram.counts["train"], tab.histogram.counts["val"]]
    assert tab.details.classes.text().startswith("10:")
    assert tab.details.native.text() == "1×8×8 (grayscale)"
    assert tab.details.fitted.text() == "1×28×28 (grayscale)"
    assert "resized 8×8 → 28×28" in tab.details.adaptations.text()
    assert tab.details.no_skipped.isVisible()
    icon = tab.grid.model.data(tab.grid.model.index(0), Qt.DecorationRole)
    assert (icon.width(), icon.height()) == (56, 56)  # enlarged by whole pixels

    threes = int((split.train.labels == 3).sum())
    choose_combo(qtbot, tab.grid.class_filter, f"3 ({threes:,})")
    model = tab.grid.model
    assert model.rowCount() == threes
    assert {model.data(model.index(row)) for row in range(model.rowCount())} == {"3"}
    assert tab.grid.count_label.text() == f"{threes:,} of {len(split.train):,} images"

    qtbot.mouseClick(tab.grid.val_button, Qt.LeftButton)
    assert tab.grid.dataset() is split.val
    assert model.rowCount() == len(split.val)  # the filter starts again from all classes
    assert tab.grid.class_filter.currentText() == f"All classes ({len(split.val):,})"

    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        type_value(qtbot, tab.chooser.val_percent, "50")
    split = window.session.data.split
    assert abs(len(split.val) - 1797 / 2) < 10
    assert tab.grid.val_button.text() == f"Validation ({len(split.val):,})"
    assert model.rowCount() == len(split.val)  # still showing the validation images
    assert sum(tab.histogram.counts["val"]) == len(split.val)


def test_xo_with_options(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    choose_and_wait(qtbot, tab, "xo")
    assert window.session.data.spec == "xo"
    assert len(window.session.data.split.classes) == 2
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        type_value(qtbot, tab.chooser.option_boxes["count"], "200")
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        type_value(qtbot, tab.chooser.option_boxes["size"], "12")
    choice = window.session.data
    assert choice.spec == "xo:size=12,count=200"
    assert len(choice.split.train) + len(choice.split.val) == 200
    assert tab.details.native.text() == "1×12×12 (grayscale)"
    assert choice.split.image_shape == (1, 28, 28)


def test_image_folder_lists_the_broken_file(qtbot: Any, window: Any, tmp_path: Path) -> None:
    tab = data_tab(qtbot, window)
    folder = make_image_folder(tmp_path / "pets")
    window.prompts.script("choose_directory", str(folder))
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(tab.chooser.folder_button, Qt.LeftButton)
    assert "choose_directory" in window.prompts.asked
    choice = window.session.data
    assert Path(choice.spec) == folder.resolve() and choice.title == "pets"
    assert choice.split.classes == ["cats", "dogs"]
    assert len(choice.split.train) + len(choice.split.val) == 7
    assert tab.details.skipped.isVisible() and tab.details.skipped.rowCount() == 1
    assert tab.details.skipped.item(0, 0).text() == str(Path("dogs") / "broken.png")
    assert tab.details.skipped.item(0, 1).text()  # the reason
    assert tab.details.native.text() == "3×12×16 (RGB)"
    assert tab.chooser.item(str(folder.resolve())) is not None  # listed under "Image folders"


def drop(tab: Any, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    point = QPointF(tab.width() / 2, tab.height() / 2)
    enter = QDragEnterEvent(point.toPoint(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(tab, QDropEvent(point, Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))


def test_drop_a_folder(qtbot: Any, window: Any, tmp_path: Path) -> None:
    tab = data_tab(qtbot, window)
    folder = make_image_folder(tmp_path / "dropped", broken=False)
    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        drop(tab, [folder])
    assert window.session.data.split.classes == ["cats", "dogs"]
    assert tab.details.no_skipped.isVisible()

    drop(tab, [folder / "cats" / "0.png"])  # a file, not a folder: explained, nothing changes
    assert "Drop a folder" in window.statusBar().currentMessage()
    assert window.session.data.split.classes == ["cats", "dogs"]


def test_captured_datasets_are_listed(qtbot: Any, window: Any) -> None:
    make_image_folder(captures_dir() / "hand signs", broken=False)
    tab = data_tab(qtbot, window)
    key = str(captures_dir() / "hand signs")
    choose_and_wait(qtbot, tab, key)
    assert window.session.data.split.classes == ["cats", "dogs"]
    assert "webcam" in tab.chooser.description.text().lower()


def test_offline_mnist_says_what_to_do(qtbot: Any, window: Any, tmp_path: Path) -> None:
    tab = data_tab(qtbot, window)
    tab.dataset_root = tmp_path / "no-datasets"
    with qtbot.waitSignal(tab.load_failed, timeout=LOAD_TIMEOUT) as failed:
        click_source(qtbot, tab, "mnist")
    message = failed.args[0]
    assert message.startswith("MNIST is not on this computer")
    assert "X's and O's (xo), Shapes (shapes) or Digits (8×8) (digits)" in message
    assert tab.status.isVisible() and tab.status.message.text() == message
    assert tab.status.retry_button.isVisible()
    assert window.session.data.spec == "mnist" and window.session.data.split is None
    assert tab.grid.model.rowCount() == 0
    assert not tab.chooser.val_percent.isEnabled()  # MNIST brings its own test split


def test_augmentation_follows_and_sets_the_session(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    panel = tab.augment
    qtbot.waitUntil(lambda: len(panel.tiles.rows) == 1, timeout=LOAD_TIMEOUT)  # no augmentation: originals only
    assert not panel.new_random.isEnabled()
    with qtbot.waitSignal(panel.preview_ready, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(panel.controls["flip"].check, Qt.LeftButton)
    assert window.session.augment == "flip:0.5"
    before = [image.copy() for image in panel.tiles.rows[1][1]]
    with qtbot.waitSignal(panel.preview_ready, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(panel.controls["rotate"].check, Qt.LeftButton)
    assert window.session.augment == "flip:0.5,rotate:15"
    assert panel.tiles.rows[0][0] == "original" and len(panel.tiles.rows) == 1 + AUGMENTED_ROWS
    assert [image for image in panel.tiles.rows[1][1]] != before  # rotated now
    rotated = [image.copy() for image in panel.tiles.rows[1][1]]
    with qtbot.waitSignal(panel.preview_ready, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(panel.new_random, Qt.LeftButton)
    assert [image for image in panel.tiles.rows[1][1]] != rotated  # new random draws, same originals

    with qtbot.waitSignal(panel.preview_ready, timeout=LOAD_TIMEOUT):
        window.session.set_augment("rotate:30,scale:0.8-1.2")  # e.g. edited in the Training tab
    assert not panel.controls["flip"].check.isChecked()
    assert panel.controls["rotate"].boxes[0].value() == 30
    assert [box.value() for box in panel.controls["scale"].boxes] == pytest.approx([0.8, 1.2])
    assert window.session.augment == "rotate:30,scale:0.8-1.2"

    window.session.set_augment("spin:3")
    assert panel.error_label.isVisible() and "spin" in panel.error_label.text()


def test_fit_notice_and_apply_to_design(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    assert tab.banner.isVisible() and not tab.banner.apply_button.isEnabled()  # digits: resized, nothing to do
    choose_and_wait(qtbot, tab, "shapes")
    banner = tab.banner
    assert banner.isVisible()
    assert "5" in banner.body.text() and "re-target" in banner.body.text()
    assert "converted RGB → grayscale" in banner.body.text()
    assert banner.match_input.isChecked()  # 28×28 stays 28×28: only the channels change
    document = window.document

    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        qtbot.mouseClick(banner.apply_button, Qt.LeftButton)
    wait_analysis(qtbot, window)
    assert input_shape(document.graph) == (3, 28, 28)
    assert document.analysis.analysis.output_shape == (5,)
    assert window.session.data.split.image_shape == (3, 28, 28)
    assert not banner.isVisible()

    with qtbot.waitSignal(tab.loaded, timeout=LOAD_TIMEOUT):
        document.undo_stack.undo()
    wait_analysis(qtbot, window)
    assert input_shape(document.graph) == (1, 28, 28)
    assert document.analysis.analysis.output_shape == (10,)
    assert banner.isVisible() and banner.apply_button.isEnabled()


def test_retarget_only_keeps_the_input(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    choose_and_wait(qtbot, tab, "shapes")
    banner = tab.banner
    qtbot.mouseClick(banner.keep_input, Qt.LeftButton)
    qtbot.mouseClick(banner.apply_button, Qt.LeftButton)
    wait_analysis(qtbot, window)
    assert input_shape(window.document.graph) == (1, 28, 28)
    assert window.document.analysis.analysis.output_shape == (5,)
    # the classes fit now; the colour images are still converted, which the notice keeps saying
    assert banner.isVisible() and "converted RGB → grayscale" in banner.body.text()
    assert "Needs a change" not in banner.body.text()
    assert not banner.apply_button.isEnabled()  # nothing to apply until "match the data" is chosen
    assert window.document.undo_stack.undoText() == "Fit the design to Shapes"


def test_cancel_a_slow_load(qtbot: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    tab = data_tab(qtbot, window)

    def endless_download(request: Any, progress: Any) -> None:
        done = 0.0
        while True:  # until the progress callback raises because Cancel was pressed
            done = min(done + 0.001, 0.99)
            progress(f"Downloading MNIST: train-images ({done * 10:.1f} of 9.9 MB)", done)
            time.sleep(0.002)

    monkeypatch.setattr("cnnstudio.ui.data.tab.run_load", endless_download)
    click_source(qtbot, tab, "mnist")
    qtbot.waitUntil(lambda: "Downloading MNIST" in tab.status.message.text(), timeout=LOAD_TIMEOUT)
    assert tab.status.cancel_button.isVisible() and tab.status.bar.isVisible()
    assert window.session.data.spec == "mnist" and window.session.data.split is None
    qtbot.mouseClick(tab.status.cancel_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in tab.status.message.text(), timeout=LOAD_TIMEOUT)
    assert not tab.tasks.is_busy()
    assert tab.status.retry_button.isVisible() and not tab.status.cancel_button.isVisible()
    assert tab.grid.model.rowCount() == 0 and window.session.data.split is None


def test_double_click_a_sample_to_inspect_it(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    view = tab.grid.view
    with qtbot.waitSignal(window.session.inspect_image, timeout=5000) as sent:
        double_click(view.viewport(), view.visualRect(tab.grid.model.index(0)).center())
    image = sent.args[0]
    assert image.shape == (28, 28, 3) and image.dtype == np.uint8
    expected = window.session.data.split.train.images[0, 0].numpy()
    assert (image[..., 0] == expected).all() and (image[..., 2] == expected).all()
    assert window.current_tab().title == "Inspect"
