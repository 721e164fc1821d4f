"""Any picture made ready for any model, shown back, and the model's predictions for it."""

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.viz.images import (
    InputSpec,
    class_index,
    display_image,
    load_image,
    predict,
    prepare_image,
    probabilities,
)
from cnnstudio.viz.runtime import InspectError


def test_colour_photo_for_a_grayscale_model_and_back():
    photo = np.zeros((40, 60, 3), dtype=np.uint8)
    photo[:, :30] = 255
    spec = InputSpec(1, 28, 28, (0.5,), (0.5,))
    x = prepare_image(photo, spec)
    assert x.shape == (1, 1, 28, 28) and x.dtype == torch.float32
    assert float(x.max()) == pytest.approx(1.0) and float(x.min()) == pytest.approx(-1.0)
    shown = display_image(x, spec)
    assert shown.shape == (28, 28, 3) and shown[0, 0].tolist() == [255, 255, 255] and shown[0, -1].tolist() == [0, 0, 0]


def test_grayscale_drawing_for_an_rgb_model_with_imagenet_statistics():
    drawing = np.full((10, 10), 0.25)  # a float drawing pad in [0, 1]
    spec = InputSpec(3, 8, 8, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    x = prepare_image(drawing, spec)
    assert x.shape == (1, 3, 8, 8)
    np.testing.assert_allclose(spec.denormalize(x)[0, :, 0, 0].numpy(), [64 / 255] * 3, atol=1e-6)


def test_crop_keeps_the_centre_and_stretch_keeps_everything(tmp_path):
    picture = np.zeros((20, 40, 3), dtype=np.uint8)
    picture[:, :10] = 255  # a white band on the left quarter
    path = tmp_path / "band.png"
    Image.fromarray(picture).save(path)
    spec = InputSpec(3, 20, 20)
    stretched = prepare_image(path, spec, resize="stretch")
    cropped = prepare_image(path, spec, resize="crop")
    assert float(stretched[0, 0, 10, 0]) == pytest.approx(1.0)  # the band is still visible
    assert float(cropped.max()) == 0.0  # the centre square has no band
    rgba = np.zeros((5, 5, 4), dtype=np.uint8)
    assert load_image(rgba).shape == (5, 5, 3)


def test_unreadable_images_give_a_message(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png")
    with pytest.raises(InspectError, match="cannot read"):
        prepare_image(broken, InputSpec(1, 4, 4))
    with pytest.raises(InspectError, match="resize"):
        prepare_image(np.zeros((4, 4)), InputSpec(1, 4, 4), resize="squash")


def test_predictions_of_a_design_that_ends_with_softmax():
    torch.manual_seed(0)
    model = build_module(load_template("xo"))  # ends with a Softmax: its output already is probabilities
    x = torch.randn(1, 1, 9, 9)
    predictions = predict(model, x, ["X", "O"])
    with torch.no_grad():
        expected = model(x)[0]
    assert [p.label for p in predictions] == (["X", "O"] if expected[0] > expected[1] else ["O", "X"])
    assert sum(p.prob for p in predictions) == pytest.approx(1.0)
    assert predictions[0].prob == pytest.approx(float(expected.max()))
    scores = torch.tensor([[2.0, -1.0, 0.5]])
    torch.testing.assert_close(probabilities(scores), scores.softmax(1))


def test_a_spec_from_a_classifier_s_preprocessing():
    class Preprocessing:
        input_shape = (3, 224, 224)
        mean = [0.5, 0.5, 0.5]
        std = (0.25,)

    assert InputSpec.like(Preprocessing()) == InputSpec(3, 224, 224, (0.5, 0.5, 0.5), (0.25,))


def test_class_names_and_indices():
    classes = ["cat", "dog"]
    assert class_index("Dog", classes, 2) == 1 and class_index("0", classes, 2) == 0
    with pytest.raises(InspectError, match="no class named"):
        class_index("bird", classes, 2)
    with pytest.raises(InspectError, match="out of range"):
        class_index(5, None, 3)
