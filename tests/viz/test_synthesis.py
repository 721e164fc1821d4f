"""Activation maximization climbs monotonically; DeepDream runs by octaves; both stop when asked."""

import numpy as np
import pytest
import torch

from cnnstudio.viz.runtime import InspectError
from cnnstudio.viz.synthesis import GallerySection, channel_gallery, deep_dream, gallery_size, maximize_activation
from tests.viz.conftest import IMAGENET_SPEC, LENET_SPEC


def _objectives(steps) -> np.ndarray:
    return np.array([step.objective for step in steps])


def _assert_climbs(objectives: np.ndarray) -> None:
    """Never down from one step to the next, and up over the run."""
    assert (np.diff(objectives, axis=0) >= 0).all(), objectives
    assert (objectives[-1] > objectives[0]).all()


@pytest.mark.parametrize("parameterization", ["fourier", "pixel"])
def test_maximizing_channels_of_an_untrained_design_climbs_monotonically(lenet, parameterization):
    steps = list(
        maximize_activation(lenet, LENET_SPEC, [0, 3, 7], "conv2", steps=25, parameterization=parameterization, seed=3)
    )
    assert [step.step for step in steps] == list(range(1, 26))
    assert steps[-1].images.shape == (3, 28, 28, 3) and steps[-1].images.dtype == np.uint8
    objectives = _objectives(steps)
    _assert_climbs(objectives)
    increasing = (np.diff(objectives, axis=0) > 0).mean()
    assert increasing > 0.7  # most steps are accepted; only overshooting ones are undone
    again = _objectives(
        maximize_activation(lenet, LENET_SPEC, [0, 3, 7], "conv2", steps=25, parameterization=parameterization, seed=3)
    )
    np.testing.assert_array_equal(objectives, again)  # a fixed seed gives the same run


def test_maximizing_a_class_of_a_model_mid_training(training_lenet):
    objectives = _objectives(maximize_activation(training_lenet, LENET_SPEC, [4], None, steps=20))
    _assert_climbs(objectives)
    assert training_lenet.training


def test_maximizing_channels_of_a_pretrained_network(efficientnet):
    steps = list(
        maximize_activation(efficientnet, IMAGENET_SPEC, [0, 5], "_blocks.3", steps=12, size=(48, 48), every=4)
    )
    assert [step.step for step in steps] == [4, 8, 12]
    _assert_climbs(_objectives(steps))
    assert steps[-1].images.shape == (2, 48, 48, 3)


def test_regularized_maximization_with_jitter_and_blur_still_rises(lenet):
    steps = list(
        maximize_activation(
            lenet,
            LENET_SPEC,
            [1],
            "conv1",
            steps=30,
            parameterization="pixel",
            jitter=2,
            blur_every=4,
            decay=1e-4,
            seed=0,
        )
    )
    assert steps[-1].objective[0] > steps[0].objective[0]


def test_stopping_early_is_cancelling(lenet):
    generator = maximize_activation(lenet, LENET_SPEC, [0], "conv1", steps=1000)
    first = next(generator)
    generator.close()  # what the GUI does on Cancel: no more work is done
    assert first.step == 1 and first.steps == 1000


def test_bad_units_are_refused(lenet):
    with pytest.raises(InspectError, match="out of range"):
        next(maximize_activation(lenet, LENET_SPEC, [6], "conv1"))
    with pytest.raises(InspectError, match="at least one"):
        next(maximize_activation(lenet, LENET_SPEC, [], "conv1"))


def test_deep_dream_goes_through_the_octaves_at_full_size(efficientnet, chelsea):
    x = IMAGENET_SPEC.tensor(chelsea)
    small = torch.nn.functional.interpolate(x, size=(96, 96), mode="bilinear", align_corners=False)
    steps = list(deep_dream(efficientnet, small, IMAGENET_SPEC, "_blocks.4", octaves=2, steps=2, strength=0.05))
    assert [step.step for step in steps] == [1, 2, 3, 4] and steps[-1].steps == 4
    assert all(step.images.shape == (1, 96, 96, 3) for step in steps)
    assert steps[-1].objective[0] > steps[0].objective[0]
    original = np.asarray(small.mul(0.5).add(0.5).clamp(0, 1).mul(255).round()[0].permute(1, 2, 0), dtype=np.uint8)
    assert np.abs(steps[-1].images[0].astype(int) - original).mean() > 1  # the picture changed


def test_deep_dream_of_one_channel_on_a_small_design(lenet):
    x = torch.randn(1, 1, 28, 28)
    steps = list(deep_dream(lenet, x, LENET_SPEC, "relu1", channel=2, octaves=2, steps=3, jitter=0))
    assert len(steps) == 6 and steps[-1].images.shape == (1, 28, 28, 3)


def test_gallery_size_shrinks_the_input_keeping_its_aspect():
    assert gallery_size(IMAGENET_SPEC, 112) == (112, 112)
    assert gallery_size(LENET_SPEC, 112) == (28, 28)  # never enlarged


def test_channel_gallery_fills_each_section_a_chunk_at_a_time(lenet):
    sections = [GallerySection("conv1", 3), GallerySection("conv2", 2)]
    steps = list(channel_gallery(lenet, LENET_SPEC, sections, steps=4, chunk=2, every=2))
    assert [(step.section, step.first, len(step.images)) for step in steps] == [
        (0, 0, 2),
        (0, 0, 2),
        (0, 2, 1),
        (0, 2, 1),
        (1, 0, 2),
        (1, 0, 2),
    ]
    assert [step.step for step in steps] == [2, 4, 6, 8, 10, 12] and {step.steps for step in steps} == {12}
    assert steps[0].images.shape[1:] == (28, 28, 3) and steps[0].images.dtype == np.uint8
