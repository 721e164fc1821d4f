"""EfficientNet-Lite0, offline: the design computes what the original architecture computes, and it
names real photographs correctly."""

import pytest
import torch

from cnnstudio.graph.templates import classifier_node
from cnnstudio.pretrained import ModelLoadError, efficientnet_lite
from tests.pretrained.helpers import CAT_CLASSES, CUP_CLASSES


def test_the_design_computes_exactly_what_the_original_architecture_computes(lite0):
    reference = efficientnet_lite.reference_model()
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = reference(x)
        actual = lite0.module(x)
    assert torch.allclose(actual, expected, atol=1e-4, rtol=1e-4)


def test_it_is_a_design_with_an_imagenet_head(lite0):
    graph = lite0.graph
    assert lite0.name == "EfficientNet-Lite0" and lite0.source == "efficientnet_lite0"
    assert classifier_node(graph) == "fc" and graph.nodes["fc"].params["out_features"] == 1000
    inputs = [node for node in graph.nodes.values() if node.type == "Input"]
    assert [inputs[0].param(p) for p in ("channels", "height", "width")] == [3, 224, 224]
    # TensorFlow's asymmetric padding of the stride-2 convolutions: a kernel one larger, zero first row/column.
    stem = graph.nodes["stem_conv"]
    assert (stem.param("kernel_size"), stem.param("stride"), stem.param("padding")) == (4, 2, 1)
    weight = lite0.module.stem_conv.weight
    assert not weight[:, :, 0, :].any() and not weight[:, :, :, 0].any() and weight[:, :, 1:, 1:].any()
    assert "asymmetric" in graph.description


def test_it_uses_the_efficientnet_lite_preprocessing(lite0):
    assert lite0.input_shape == (3, 224, 224)
    assert lite0.mean == (127 / 255,) * 3 and lite0.std == (128 / 255,) * 3  # (x − 127) / 128
    assert (lite0.resize, lite0.crop) == (256, (224, 224))
    assert len(lite0.classes) == 1000 and lite0.classes[281] == "tabby"


def test_it_names_a_cat_and_a_cup_of_coffee(lite0, photos):
    cat = lite0.top(lite0.predict(lite0.preprocessing.frame_tensor(photos["cat"]))[0], 5)
    coffee = lite0.top(lite0.predict(lite0.preprocessing.frame_tensor(photos["coffee"]))[0], 5)
    assert cat[0].label in CAT_CLASSES and len(CAT_CLASSES & {p.label for p in cat}) >= 3
    assert coffee[0].label == "espresso" and coffee[0].prob > 0.5
    assert CUP_CLASSES - {"espresso"} & {p.label for p in coffee}


def test_predict_takes_uint8_pixels_or_normalized_input(lite0, photos):
    pixels = torch.from_numpy(lite0.preprocessing.pixels(photos["coffee"])).permute(2, 0, 1)
    from_pixels = lite0.predict(pixels)  # one image [C, H, W] of uint8 pixels
    from_tensor = lite0.predict(lite0.preprocessing.normalize(pixels.unsqueeze(0)))
    assert from_pixels.shape == (1, 1000)
    assert torch.allclose(from_pixels, from_tensor) and torch.allclose(from_pixels.sum(), torch.tensor(1.0))


class _Payload:
    """Unpickling this would create a file: the signature of a weights file that runs code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_weights_that_would_run_code_are_refused_not_executed(tmp_path, monkeypatch):
    marker = tmp_path / "code-ran"
    malicious = tmp_path / "efficientnet-lite0.pth"
    torch.save({"_fc.weight": _Payload(marker)}, malicious)
    monkeypatch.setattr(efficientnet_lite, "weights_file", lambda: str(malicious))
    with pytest.raises(ModelLoadError, match="refused: it contains Python code"):
        efficientnet_lite.reference_model()
    assert not marker.exists()
