"""The hyperparameter form: defaults, what it produces, augmentation shared with the session."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from cnnstudio.data import DataError
from cnnstudio.engine.config import TrainConfig
from cnnstudio.ui.session import StudioSession
from cnnstudio.ui.training.form import HyperparameterForm


@pytest.fixture
def session():
    return StudioSession()


@pytest.fixture
def form(qtbot, session):
    widget = HyperparameterForm(session)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def choose(combo, value) -> None:
    combo.setCurrentIndex(combo.findData(value))


def type_into(qtbot, box, text: str) -> None:
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), text)
    qtbot.keyClick(box.lineEdit(), Qt.Key_Return)


def test_the_defaults_are_the_engines_and_every_field_explains_itself(form):
    assert form.config("digits") == TrainConfig(data="digits")
    fields = (
        form.optimizer,
        form.lr,
        form.momentum,
        form.schedule,
        form.warmup,
        form.epochs,
        form.batch_size,
        form.weight_decay,
        form.label_smoothing,
        form.augment,
        form.val_share,
        form.val_every,
        form.patience,
        form.device,
        form.precision,
        form.compile_box,
        form.seed,
    )
    assert all(len(field.toolTip()) > 30 for field in fields)
    assert [form.device.itemData(i) for i in range(2)] == ["auto", "cpu"]


def test_the_form_produces_the_config_a_person_typed(form, qtbot):
    choose(form.optimizer, "sgd")
    assert form.momentum.isEnabled()
    type_into(qtbot, form.lr, "0.05")
    type_into(qtbot, form.epochs, "30")
    type_into(qtbot, form.batch_size, "128")
    type_into(qtbot, form.weight_decay, "5e-4")
    type_into(qtbot, form.label_smoothing, "0.1")
    type_into(qtbot, form.patience, "5")
    type_into(qtbot, form.val_share, "10")
    type_into(qtbot, form.val_every, "25")
    type_into(qtbot, form.seed, "7")
    choose(form.schedule, "cosine")
    choose(form.device, "cpu")
    choose(form.precision, "off")
    assert not form.config("xo").compile
    choose(form.compile_box, "on")
    config = form.config("xo:count=500")
    assert config.compile
    assert (config.optimizer, config.lr, config.epochs, config.batch_size) == ("sgd", 0.05, 30, 128)
    assert config.weight_decay == pytest.approx(5e-4) and config.label_smoothing == pytest.approx(0.1)
    assert (config.patience, config.val_fraction, config.seed, config.val_every) == (5, 0.1, 7, 25)
    assert (config.schedule, config.device, config.precision, config.data) == ("cosine", "cpu", "off", "xo:count=500")
    choose(form.optimizer, "adam")
    assert not form.momentum.isEnabled()


def test_augmentation_is_shared_with_the_session_both_ways(form, session, qtbot):
    qtbot.keyClicks(form.augment, "flip,crop:4")
    assert session.augment == "flip,crop:4" and form.augment_problem.isHidden()
    assert form.config("digits").augment == "flip,crop:4"
    session.set_augment("rotate:10")
    assert form.augment.text() == "rotate:10"


def test_an_unknown_augmentation_is_explained_and_not_passed_on(form, session, qtbot):
    qtbot.keyClicks(form.augment, "flop")
    assert form.augment_problem.isVisible() and "Unknown augmentation 'flop'" in form.augment_problem.text()
    assert session.augment == ""
    with pytest.raises(DataError, match="flop"):
        form.config("digits")
    form.augment.clear()
    qtbot.keyClicks(form.augment, "flip")
    assert form.augment_problem.isHidden() and session.augment == "flip"


def test_remembered_values_come_back_and_nonsense_is_ignored(form, session, qtbot):
    type_into(qtbot, form.epochs, "12")
    choose(form.schedule, "onecycle")
    values = form.values()
    other = HyperparameterForm(session)
    qtbot.addWidget(other)
    other.restore(values)
    assert other.config("digits") == form.config("digits")
    other.restore({"epochs": -3, "optimizer": "magic"})
    assert other.epochs.value() == 12
    other.restore({"device": "cuda:7"})  # a GPU this computer does not have
    assert other.device.currentData() == "auto"
