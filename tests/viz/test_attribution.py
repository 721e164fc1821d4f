"""Grad-CAM finds the cat; occlusion and saliency point where the evidence is; long runs report and stop."""

import re
import threading

import cv2
import numpy as np
import pytest
import torch
import torchvision
from torch import nn

from cnnstudio.data.pipeline import display_image
from cnnstudio.progress import Cancelled
from cnnstudio.viz.activations import default_target_layer, list_layers
from cnnstudio.viz.attribution import grad_cam, occlusion, occlusion_batch, saliency, score_cam
from cnnstudio.viz.colormaps import overlay
from cnnstudio.viz.images import predict
from cnnstudio.viz.runtime import InspectError
from tests.viz.conftest import IMAGENET_SPEC

IMAGENET_CLASSES = torchvision.models.ResNet18_Weights.DEFAULT.meta["categories"]
CATS = {"tabby", "tiger cat", "Persian cat", "Siamese cat", "Egyptian cat"}
# Chelsea's face in the 300×451 photograph (rows, columns): from the ears down to the chin, between the
# left edge of the head and the dark background on the right (which starts near column 380).
CAT_ROWS, CAT_COLS = (40, 300), (90, 370)


def _peak_on_photo(heat: np.ndarray, photo: np.ndarray) -> tuple[int, int]:
    """The heat map's maximum on the photograph (the model saw the photo stretched to 224×224)."""
    on_photo = cv2.resize(heat.astype(np.float32), (photo.shape[1], photo.shape[0]), interpolation=cv2.INTER_LINEAR)
    return tuple(int(v) for v in np.unravel_index(np.argmax(on_photo), on_photo.shape))


@pytest.mark.parametrize("method", ["gradcam", "gradcam++"])
def test_grad_cam_puts_its_peak_on_the_cat(efficientnet, chelsea, method):
    x = IMAGENET_SPEC.tensor(chelsea)
    top = predict(efficientnet, x, IMAGENET_CLASSES, top=3)
    assert top[0].label in CATS and top[0].prob > 0.5
    layer = default_target_layer(list_layers(efficientnet, x))
    assert layer == "_bn1"  # the last 7×7 stage before global pooling
    cam = grad_cam(efficientnet, x, layer, method=method)
    assert cam.target == top[0].index and cam.raw.shape == (7, 7) and cam.heat.shape == (224, 224)
    assert cam.heat.min() >= 0 and cam.heat.max() == pytest.approx(1.0)
    row, col = _peak_on_photo(cam.heat, chelsea)
    assert CAT_ROWS[0] <= row < CAT_ROWS[1] and CAT_COLS[0] <= col < CAT_COLS[1], (row, col)
    picture = overlay(display_image(x, IMAGENET_SPEC), cam.heat, opacity=0.4)
    assert picture.shape == (224, 224, 3) and picture.dtype == np.uint8


def test_grad_cam_for_another_class_and_bad_layers(efficientnet, chelsea):
    x = IMAGENET_SPEC.tensor(chelsea)
    other = grad_cam(efficientnet, x, "_blocks.15", target=IMAGENET_CLASSES.index("plastic bag"))
    assert other.target == IMAGENET_CLASSES.index("plastic bag") and other.layer == "_blocks.15"
    with pytest.raises(InspectError, match="not 2-D maps"):
        grad_cam(efficientnet, x, "_fc")
    with pytest.raises(InspectError, match="no layer"):
        grad_cam(efficientnet, x, "nope")
    with pytest.raises(InspectError, match="out of range"):
        grad_cam(efficientnet, x, "_bn1", target=1000)


class _CornerDetector(nn.Module):
    """Class 1's score is the mean of the top-left 8×8 corner; class 0's the rest's negative mean."""

    def forward(self, x):
        corner = x[:, :, :8, :8].mean(dim=(1, 2, 3))
        return torch.stack([-x.mean(dim=(1, 2, 3)), corner], dim=1)


def test_occlusion_finds_the_evidence_and_reports_progress_with_the_time_left():
    x = torch.ones(1, 1, 24, 24)
    reports = []
    result = occlusion(
        _CornerDetector(), x, target=1, patch=8, stride=4, batch=5, progress=lambda *report: reports.append(report)
    )
    assert result.heat.shape == (24, 24)
    row, col = np.unravel_index(np.argmax(result.heat), result.heat.shape)
    assert row < 8 and col < 8
    assert result.heat[16:, 16:].max() == 0  # covering the far corner changes nothing
    fractions = [fraction for _, fraction in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) == 1 + 5  # 25 windows / 5
    assert reports[0][0] == "Occlusion: 0 of 25 positions"
    assert re.fullmatch(r"Occlusion: 5 of 25 positions, about 0:\d\d left", reports[1][0])
    assert reports[-1][0] == "Occlusion: 25 of 25 positions"


def test_occlusion_runs_the_copies_in_batches_that_bound_the_memory(lite0, monkeypatch):
    """16 copies a pass whatever the model; now as many as fit the memory budget, and at most the fastest 16."""
    from cnnstudio.viz import attribution

    x = torch.zeros(1, 3, 224, 224)
    assert occlusion_batch(lite0.module, x) == 16
    wide = nn.Sequential(nn.Conv2d(3, 64, 3, padding=1), nn.ReLU())  # 64 MiB of output for a 512² image
    assert occlusion_batch(wide, torch.zeros(1, 3, 512, 512)) == 2
    monkeypatch.setattr(attribution, "OCCLUSION_MEMORY", 1 << 20)
    assert occlusion_batch(lite0.module, x) == 1


def test_occlusion_in_batches_equals_one_copy_at_a_time():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 12 * 12, 3))
    x = torch.rand(1, 3, 12, 12)
    one = occlusion(model, x, 2, patch=4, stride=2, batch=1).raw
    assert np.allclose(occlusion(model, x, 2, patch=4, stride=2).raw, one, atol=1e-6)


def test_occlusion_stops_when_cancelled():
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        occlusion(_CornerDetector(), torch.ones(1, 1, 24, 24), target=1, patch=8, stride=4, cancel=cancel)


@pytest.mark.parametrize("method", ["gradient", "guided"])
def test_saliency_is_strongest_where_the_class_looks(method):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), _CornerDetector())
    result = saliency(model, torch.rand(1, 1, 24, 24), target=1, method=method)
    assert result.heat.shape == (24, 24)
    assert result.heat[8:, 8:].max() < result.heat[:8, :8].max()


class _TwoRegions(nn.Module):
    """Its layer `maps` shows two fixed squares (top-left, bottom-right); the scores are _CornerDetector's."""

    def __init__(self):
        super().__init__()
        self.maps = nn.Identity()
        self.head = _CornerDetector()

    def forward(self, x):
        regions = torch.zeros(x.shape[0], 2, *x.shape[2:])
        regions[:, 0, :8, :8] = 1
        regions[:, 1, -8:, -8:] = 1
        self.maps(regions)
        return self.head(x)


def test_score_cam_weighs_each_map_by_the_score_of_the_input_it_masks():
    fractions = []
    result = score_cam(_TwoRegions(), torch.ones(1, 1, 24, 24), "maps", target=1, batch=1, progress=fractions.append)
    # masked by the top-left square, class 1 scores 1; by the other square 0: softmax weights e/(e+1), 1/(e+1)
    weight = np.e / (np.e + 1)
    np.testing.assert_allclose(result.raw[:8, :8], weight, rtol=1e-5)
    np.testing.assert_allclose(result.raw[-8:, -8:], 1 - weight, rtol=1e-5)
    assert result.raw[:8, -8:].max() == 0 and result.method == "scorecam" and result.layer == "maps"
    row, col = np.unravel_index(np.argmax(result.heat), result.heat.shape)
    assert row < 8 and col < 8 and result.heat.max() == pytest.approx(1.0)
    assert fractions == [0.5, 1.0]


def test_score_cam_on_a_design_and_its_limits(lenet):
    x = torch.rand(1, 1, 28, 28)
    result = score_cam(lenet, x, "relu2", batch=5)
    assert result.raw.shape == (10, 10) and result.heat.shape == (28, 28)
    assert result.target == predict(lenet, x)[0].index
    with pytest.raises(InspectError, match="not 2-D maps"):
        score_cam(lenet, x, "fc1")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        score_cam(lenet, x, "relu2", cancel=cancel)
