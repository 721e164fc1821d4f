import pytest

from cnnstudio.engine.config import ConfigError, TrainConfig


def test_defaults_are_valid_and_round_trip_through_a_dict():
    config = TrainConfig(epochs=3, optimizer="sgd", nesterov=True, head_lr=1e-4, augment="flip")
    assert TrainConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"optimizer": "adagrad"}, "optimizer must be one of sgd, adam, adamw, rmsprop"),
        ({"lr": 0}, "lr must lie in (0"),
        ({"lr": float("nan")}, "lr must be a number"),
        ({"epochs": 0}, "epochs must be a whole number of at least 1"),
        ({"batch_size": 2.5}, "batch_size must be a whole number"),
        ({"momentum": 1.0}, "momentum must lie in [0, 1)"),
        ({"label_smoothing": -0.1}, "label_smoothing"),
        ({"schedule": "linear"}, "schedule must be one of"),
        ({"nesterov": True, "optimizer": "adam"}, "nesterov needs the sgd optimizer"),
        ({"patience": 0}, "patience"),
        ({"grad_clip": 0}, "grad_clip"),
        ({"precision": "fp8"}, "precision"),
    ],
)
def test_invalid_options_name_the_option(changes, words):
    with pytest.raises(ConfigError, match=None) as caught:
        TrainConfig(**changes)
    assert words in str(caught.value)


def test_unknown_saved_options_are_refused():
    with pytest.raises(ConfigError, match="unknown training option"):
        TrainConfig.from_dict({"epochs": 2, "learning_rate": 0.1})
