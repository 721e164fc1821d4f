"""FGSM and PGD change the prediction with a perturbation no larger than epsilon."""

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.viz.adversarial import adversarial_example
from tests.viz.conftest import IMAGENET_SPEC


def _pixels(result, spec):
    return spec.denormalize(result.adversarial)


def test_fgsm_flips_a_pretrained_prediction_within_epsilon(efficientnet, chelsea):
    x = IMAGENET_SPEC.tensor(chelsea)
    epsilon = 2 / 255
    result = adversarial_example(efficientnet, x, IMAGENET_SPEC, epsilon=epsilon)
    assert result.before[0].index == 285 and not result.targeted
    assert result.after[0].index != result.before[0].index
    change = (_pixels(result, IMAGENET_SPEC) - IMAGENET_SPEC.denormalize(x).clamp(0, 1)).abs().max()
    assert float(change) <= epsilon + 1e-6 and result.linf == pytest.approx(float(change), abs=1e-6)
    assert result.perturbation.shape == result.image.shape == (224, 224, 3)
    assert result.perturbation.min() < 20 and result.perturbation.max() > 235  # magnified to the full range


def test_targeted_pgd_moves_towards_the_chosen_class():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3))
    spec = Preprocessing((1, 4, 4), (0.0,), (1.0,))
    x = torch.full((1, 1, 4, 4), 0.5)
    progress = []
    fgsm = adversarial_example(model, x, spec, epsilon=0.05, target=2)
    pgd = adversarial_example(model, x, spec, epsilon=0.05, steps=5, target=2, progress=progress.append)
    assert progress == [0.2, 0.4, 0.6, 0.8, 1.0]
    before = {p.index: p.prob for p in pgd.before}
    after = {p.index: p.prob for p in pgd.after}
    assert after[2] > before[2] and pgd.targeted and pgd.label == 2
    assert float((pgd.adversarial - x).abs().max()) <= 0.05 + 1e-6
    assert np.isclose(pgd.linf, 0.05) and np.isclose(fgsm.linf, 0.05)
