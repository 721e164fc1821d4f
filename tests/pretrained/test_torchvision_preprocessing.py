"""torchvision's weights bring their own preprocessing; the pipeline reproduces `weights.transforms()` exactly.

The pipeline decodes files with PIL, so the comparison gives torchvision the same upright PIL image.
"""

import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.models import EfficientNet_B3_Weights, EfficientNet_V2_S_Weights, ResNet50_Weights

from cnnstudio.data.pipeline import decode
from cnnstudio.pretrained.torchvision_zoo import preprocessing_for, weights_preprocessing
from tests.data.helpers import write_phone_photo

# Three evaluation transforms that differ in every respect the pipeline describes.
WEIGHTS = {
    "resnet50 v2: resize 232, crop 224, bilinear": (ResNet50_Weights.IMAGENET1K_V2, (224, 232, "bilinear")),
    "efficientnet_b3: resize 320, crop 300, bicubic": (EfficientNet_B3_Weights.IMAGENET1K_V1, (300, 320, "bicubic")),
    "efficientnet_v2_s: resize 384, crop 384, bilinear": (
        EfficientNet_V2_S_Weights.IMAGENET1K_V1,
        (384, 384, "bilinear"),
    ),
}


@pytest.mark.parametrize("name", WEIGHTS)
def test_the_pipeline_equals_the_weights_own_transforms(name, chelsea, tmp_path):
    weights, (crop, resize, interpolation) = WEIGHTS[name]
    preprocessing = weights_preprocessing(weights)
    assert (preprocessing.crop, preprocessing.resize, preprocessing.interpolation) == (
        (crop, crop),
        resize,
        interpolation,
    )
    transforms = weights.transforms()
    jpeg, _ = write_phone_photo(tmp_path, chelsea, 8)  # a sideways phone photo: torchvision gets it upright
    for source in (Image.fromarray(chelsea), chelsea[:250, 40:], jpeg):
        ours = preprocessing.tensor(source)
        theirs = transforms(decode(source)).unsqueeze(0)
        assert ours.shape == theirs.shape == (1, 3, crop, crop)
        torch.testing.assert_close(ours, theirs, rtol=0, atol=1e-6)


def test_the_default_weights_give_the_classifier_s_preprocessing():
    assert preprocessing_for("resnet50") == weights_preprocessing(ResNet50_Weights.DEFAULT)
    # Designs of GoogLeNet have no `transform_input` layer: they are given [-1, 1] pixels directly.
    googlenet = preprocessing_for("googlenet")
    assert googlenet.mean == googlenet.std == (0.5, 0.5, 0.5) and googlenet.resize == 256


def test_a_different_interpolation_changes_the_pixels(chelsea):
    bicubic = weights_preprocessing(EfficientNet_B3_Weights.IMAGENET1K_V1)
    bilinear = dataclasses.replace(bicubic, interpolation="bilinear")
    assert not np.array_equal(bicubic.image_pixels(chelsea), bilinear.image_pixels(chelsea))
