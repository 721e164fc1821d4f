import json

import pytest

from cnnstudio.data.augment import parse_augment
from cnnstudio.engine.config import TrainConfig
from cnnstudio.experiments.knobs import apply_knobs
from cnnstudio.experiments.space import (
    DEFAULT_SPACE,
    SpaceError,
    augment_for_strength,
    default_space,
    load_space,
    parse_space,
    trial_setup,
)
from cnnstudio.graph.templates import load_template


class FixedTrial:
    """Answers every suggestion with the low end of its range (or the first choice)."""

    def suggest_float(self, name, low, high, *, step=None, log=False):
        return low

    def suggest_int(self, name, low, high, *, step=1, log=False):
        return low

    def suggest_categorical(self, name, choices):
        return choices[0]


def test_the_default_space_covers_training_and_design_knobs():
    space = default_space()
    names = {param.name for param in space.params}
    assert {"lr", "batch_size", "optimizer", "weight_decay", "schedule", "augment", "width", "dropout"} <= names
    assert parse_space(space.to_dict()).to_dict() == space.to_dict()
    assert next(param for param in space.params if param.name == "lr").log


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "expected a JSON object"),
        ({"params": {}}, "'params' is empty"),
        ({"params": {"learning_rate": {"kind": "float", "low": 0.1, "high": 1}}}, "params.learning_rate: unknown"),
        ({"params": {"lr": {"kind": "real", "low": 0.1, "high": 1}}}, "params.lr: kind must be one of"),
        ({"params": {"lr": {"kind": "float", "low": 1, "high": 0.1}}}, "params.lr: low (1) must be below high"),
        ({"params": {"lr": {"kind": "float", "low": 0, "high": 0.1, "log": True}}}, "a log scale needs low above 0"),
        ({"params": {"lr": {"kind": "float", "low": "a", "high": 0.1}}}, "params.lr: low must be a number"),
        ({"params": {"epochs": {"kind": "int", "low": 1.5, "high": 4}}}, "params.epochs: low must be a whole number"),
        ({"params": {"epochs": {"kind": "int", "low": 0, "high": 4}}}, "params.epochs: epochs must be a whole"),
        ({"params": {"lr": {"kind": "float", "low": 0.1, "high": 1, "lo": 2}}}, "unknown field(s) lo"),
        ({"params": {"optimizer": {"kind": "categorical", "choices": []}}}, "choices must be a non-empty list"),
        (
            {"params": {"optimizer": {"kind": "categorical", "choices": ["adam", "lion"]}}},
            "params.optimizer: choice 'lion': optimizer must be one of",
        ),
        ({"params": {"width": {"kind": "float", "low": -1, "high": 2}}}, "width multiplier must be a number above 0"),
        ({"params": {"dropout": {"kind": "float", "low": 0, "high": 1}}}, "dropout must lie in [0, 0.95]"),
        ({"params": {"lr": {"kind": "float", "low": 0.1, "high": 1}}, "fixed": {"lr": 0.1}}, "also in params"),
        ({"params": {"lr": {"kind": "float", "low": 0.1, "high": 1}}, "fixed": {"epochs": 0}}, "fixed.epochs"),
        ({"params": {"lr": {"kind": "float", "low": 0.1, "high": 1}}, "fixed": {"device": "cpu"}}, "fixed.device"),
        ({"version": 2, "params": {}}, "version 2 is not supported"),
        ({"params": {"lr": {}}, "extra": 1}, "unknown field(s) extra"),
    ],
)
def test_each_bad_field_is_named(document, message):
    with pytest.raises(SpaceError) as caught:
        parse_space(document, "space.json")
    assert message in str(caught.value)
    assert str(caught.value).startswith("space.json")


def test_a_space_file_that_cannot_be_read(tmp_path):
    broken = tmp_path / "space.json"
    broken.write_text("{lr: 1}")
    with pytest.raises(SpaceError, match="space.json: not a JSON search space"):
        load_space(broken)
    with pytest.raises(SpaceError, match="cannot read the search space"):
        load_space(tmp_path / "missing.json")
    broken.write_text(json.dumps(DEFAULT_SPACE))
    assert load_space(broken).to_dict() == default_space().to_dict()


def test_a_trial_becomes_a_design_and_a_config():
    space = parse_space(
        {
            "params": {
                "lr": {"kind": "float", "low": 0.01, "high": 0.1, "log": True},
                "batch_size": {"kind": "categorical", "choices": [16, 32]},
                "width": {"kind": "float", "low": 2.0, "high": 3.0},
                "dropout": {"kind": "float", "low": 0.25, "high": 0.5},
                "augment": {"kind": "float", "low": 0.5, "high": 1.0},
            },
            "fixed": {"epochs": 3},
        }
    )
    graph = load_template("lenet5")
    design, config = trial_setup(graph, TrainConfig(), space.fixed, space.suggest(FixedTrial()))
    assert (config.lr, config.batch_size, config.epochs) == (0.01, 16, 3)
    assert config.augment == augment_for_strength(0.5)
    assert design.nodes["conv1"].param("out_channels") == 12 and design.nodes["conv2"].param("out_channels") == 32
    dropout = next(node for node in design.nodes.values() if node.type == "Dropout")
    assert dropout.param("p") == 0.25
    assert design.inputs_of("fc3") == [dropout.id] and design.inputs_of(dropout.id) == ["relu4"]
    assert graph.nodes["conv1"].param("out_channels") == 6 and len(graph.nodes) == len(design.nodes) - 1


def test_existing_dropout_layers_are_set_and_the_classifying_conv_keeps_its_classes():
    graph = load_template("xo")
    graph.add_node("Dropout", {"p": 0.1}, node_id="drop")
    graph.disconnect("flatten", "votes")
    graph.connect("flatten", "drop")
    graph.connect("drop", "votes")
    design = apply_knobs(graph, {"dropout": 0.4, "width": 0.1})
    assert design.nodes["drop"].param("p") == 0.4
    assert len(design.nodes) == len(graph.nodes)
    assert design.nodes["features"].param("out_channels") == 1  # never below one channel


@pytest.mark.parametrize("strength", [0.0, 0.1, 0.5, 1.0])
def test_every_augmentation_strength_is_valid_augmentation_text(strength):
    text = augment_for_strength(strength)
    assert (text == "") == (strength == 0)
    assert len(parse_augment(text)) == (0 if strength == 0 else 3)
