"""The Data tab in a small window (1024×640): the dataset list shows every entry in full and keeps its width
from one data set to the next, the notes read as written, and a failed load leaves no numbers of the data
set shown before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem
from test_data_tab import LOAD_TIMEOUT, choose_and_wait, click_source, data_tab
from test_designer_layout import small_window


def cut_entries(chooser: Any) -> list[str]:
    """The list entries whose title or line of facts is wider than the list."""
    option = QStyleOptionViewItem()
    option.font = chooser.list.font()
    delegate, room = chooser.list.itemDelegate(), chooser.list.viewport().width()
    return [
        chooser.list.item(row).text()
        for row in range(chooser.list.count())
        if delegate.sizeHint(option, chooser.list.indexFromItem(chooser.list.item(row))).width() > room
    ]


def test_the_list_shows_every_entry_and_keeps_its_width(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = small_window(make_window, qtbot)
    tab = data_tab(qtbot, window)
    tab.dataset_root = tmp_path / "no-datasets"  # MNIST fails to load: its message must not widen anything
    assert cut_entries(tab.chooser) == []
    assert not tab.chooser.list.horizontalScrollBar().isVisible()
    sizes = tab.splitter.sizes()
    choose_and_wait(qtbot, tab, "xo")
    assert tab.splitter.sizes() == sizes
    choose_and_wait(qtbot, tab, "shapes")  # its size option reads "network's input size"
    assert tab.splitter.sizes() == sizes
    with qtbot.waitSignal(tab.load_failed, timeout=LOAD_TIMEOUT):
        click_source(qtbot, tab, "mnist")
    assert tab.splitter.sizes() == sizes
    choose_and_wait(qtbot, tab, "digits")  # the fit notice offers to change the input
    assert tab.banner.isVisible() and tab.splitter.sizes() == sizes


def test_the_changes_made_read_as_written(qtbot: Any, window: Any) -> None:
    tab = data_tab(qtbot, window)
    choose_and_wait(qtbot, tab, "xo")  # drawn at LeNet-5's 28×28, which the note says
    text = tab.details.adaptations.text()
    assert "the network's input size" in text and "&#" not in text
    assert tab.details.adaptations.textFormat() == Qt.PlainText


def test_a_failed_load_shows_nothing_of_the_data_before(qtbot: Any, make_window: Any, tmp_path: Path) -> None:
    window = small_window(make_window, qtbot)
    tab = data_tab(qtbot, window)
    choose_and_wait(qtbot, tab, "xo")
    assert tab.grid.train_button.text().startswith("Training (")
    assert tab.histogram.plot.isVisible()
    tab.dataset_root = tmp_path / "no-datasets"
    with qtbot.waitSignal(tab.load_failed, timeout=LOAD_TIMEOUT):
        click_source(qtbot, tab, "mnist")
    assert (tab.grid.train_button.text(), tab.grid.val_button.text()) == ("Training", "Validation")
    assert not tab.histogram.plot.isVisible()  # no axes left of the data set before
    assert tab.histogram.empty.isVisible()
    qtbot.wait(50)
    # the long message scrolls inside its box: the panels under it keep the height they need
    augment = tab.augment
    assert augment.height() >= augment.minimumSizeHint().height()
    assert tab.grid.height() >= tab.grid.minimumSizeHint().height()
