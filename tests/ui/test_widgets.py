"""The widgets several tabs share: pixels → Qt images and thumbnails, the prediction bars, the read-only table,
the eliding label."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView

from cnnstudio.pretrained.predictions import Prediction
from cnnstudio.ui.widgets.eliding_label import ElidingLabel
from cnnstudio.ui.widgets.images import channels_last, thumbnail, to_qimage
from cnnstudio.ui.widgets.prediction_bars import PredictionBars
from cnnstudio.ui.widgets.tables import ReadOnlyTable


@pytest.mark.parametrize("order, pixel", [("RGB", (200, 10, 30)), ("BGR", (30, 10, 200))])
def test_colour_orders_give_the_same_colour(qapp, order, pixel):
    array = np.zeros((4, 6, 3), dtype=np.uint8)
    array[1, 2] = pixel
    image = to_qimage(array, order)
    assert (image.width(), image.height()) == (6, 4)
    assert QColor(image.pixel(2, 1)).getRgb()[:3] == (200, 10, 30)


def test_grey_rgba_and_channel_first_pixels(qapp):
    grey = np.full((3, 5, 1), 77, dtype=np.uint8)
    assert QColor(to_qimage(grey).pixel(0, 0)).getRgb()[:3] == (77, 77, 77)
    rgba = np.zeros((2, 2, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 3] = 255, 128
    assert QColor(to_qimage(rgba, "RGBA").pixelColor(1, 1)).alpha() == 128
    first = np.zeros((3, 2, 4), dtype=np.uint8)
    first[1] = 90  # the green plane
    assert QColor(to_qimage(channels_last(first)).pixel(3, 1)).getRgb()[:3] == (0, 90, 0)


def test_a_copied_image_outlives_its_array_and_bad_pixels_are_refused(qapp):
    array = np.full((2, 2, 3), 9, dtype=np.uint8)
    image = to_qimage(array)
    array[:] = 250
    assert QColor(image.pixel(0, 0)).getRgb()[:3] == (9, 9, 9)
    with pytest.raises(ValueError, match="uint8"):
        to_qimage(np.zeros((2, 2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="RGB"):
        to_qimage(np.zeros((2, 2, 4), dtype=np.uint8))


@pytest.mark.parametrize(
    "shape, box, expected",
    [
        ((8, 8), (64, None), (64, 64)),
        ((28, 28), (64, None), (56, 56)),
        ((200, 100, 3), (64, None), (32, 64)),
        ((480, 640, 3), (72, 54), (72, 54)),
    ],
)
def test_thumbnails_are_crisp_or_shrunk(qapp, shape, box, expected):
    pixmap = thumbnail(np.zeros(shape, dtype=np.uint8), *box)
    assert (pixmap.width(), pixmap.height()) == expected


def predictions(*probs):
    return [Prediction(f"class {index}", prob, index) for index, prob in enumerate(probs)]


def test_fixed_rows_keep_their_height_and_cut_the_list(qtbot):
    bars = PredictionBars(rows=3)
    qtbot.addWidget(bars)
    height = bars.height()
    bars.set_predictions(predictions(0.5, 0.2, 0.1, 0.1, 0.1))
    assert bars.labels() == ["class 0", "class 1", "class 2"] and bars.height() == height
    bars.set_predictions([])
    assert bars.height() == height


def test_rows_follow_the_predictions_and_a_click_names_the_class(qtbot):
    bars = PredictionBars(clickable=True)
    qtbot.addWidget(bars)
    bars.resize(300, 40)
    bars.set_predictions(predictions(0.6, 0.3, 0.1), target=0)
    bars.show()
    qtbot.waitExposed(bars)
    assert bars.height() > 2 * bars.row_rect(1).height()
    with qtbot.waitSignal(bars.class_clicked) as clicked:
        qtbot.mouseClick(bars, Qt.LeftButton, pos=bars.row_rect(2).center().toPoint())
    assert clicked.args == [2]
    with qtbot.assertNotEmitted(bars.class_clicked):
        qtbot.mouseClick(bars, Qt.LeftButton, pos=QPoint(10, bars.height() + 50))


def test_a_read_only_table_selects_whole_rows_and_cannot_be_edited(qtbot):
    table = ReadOnlyTable(("Name", "Size", "Note"), stretch=2)
    qtbot.addWidget(table)
    table.setRowCount(2)
    table.set_row(0, ("a.png", "12", "fine"), tooltips=("/data/a.png", "", ""), data="a")
    table.set_row(1, ("b.png", "7", "too small"), data="b")
    table.resize(400, 200)
    table.show()
    qtbot.waitExposed(table)
    header = table.horizontalHeader()
    assert header.sectionResizeMode(2) == QHeaderView.Stretch
    assert header.sectionResizeMode(0) == QHeaderView.ResizeToContents
    assert table.verticalHeader().isHidden()

    cell = table.visualItemRect(table.item(1, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=cell)
    assert [item.text() for item in table.selectedItems()] == ["b.png", "7", "too small"]
    assert {item.data(Qt.UserRole) for item in table.selectedItems()} == {"b"}
    assert table.item(0, 0).toolTip() == "/data/a.png"

    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=cell)
    qtbot.keyClicks(table.viewport(), "99")
    assert table.item(1, 1).text() == "7"
    assert table.editTriggers() == QAbstractItemView.NoEditTriggers


def test_a_long_label_ends_in_an_ellipsis_with_the_whole_text_as_tooltip(qtbot):
    text = "on cpu (fp32) · 1,438 training + 359 validation images · batch 32 · 61.7 k learnables"
    label = ElidingLabel(text)
    qtbot.addWidget(label)
    label.resize(label.fontMetrics().horizontalAdvance(text) // 2, 24)
    label.show()
    label.grab()  # paints once: the tooltip follows what was painted
    assert label.displayed_text().endswith("…") and len(label.displayed_text()) < len(text)
    assert label.toolTip() == text
    assert label.minimumSizeHint().width() == 0
    label.resize(label.fontMetrics().horizontalAdvance(text) + 20, 24)
    label.grab()
    assert label.displayed_text() == text and label.toolTip() == ""
