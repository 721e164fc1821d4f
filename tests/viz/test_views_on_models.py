"""Every view works on an untrained design, on a design mid-training and on a pretrained network."""

import numpy as np
import pytest
import torch

from cnnstudio.viz.activations import capture, default_target_layer, layer_input, list_layers
from cnnstudio.viz.adversarial import adversarial_example
from cnnstudio.viz.arithmetic import explain_conv, explain_pool, following_activation
from cnnstudio.viz.attribution import grad_cam, occlusion, saliency
from cnnstudio.viz.embedding import extract_features
from cnnstudio.viz.featuremaps import layer_strip, render_feature_maps
from cnnstudio.viz.filters import conv_layers, kernels_of, render_kernels
from cnnstudio.viz.images import predict
from cnnstudio.viz.synthesis import deep_dream, maximize_activation
from cnnstudio.viz.weightstats import weight_histograms
from tests.viz.conftest import IMAGENET_SPEC, LENET_SPEC

# (fixture, spec, input size used, a convolution whose input is the network input, a pooling layer)
MODELS = {
    "untrained design": ("lenet", LENET_SPEC, 28, "conv1", "pool1"),
    "design mid-training": ("training_lenet", LENET_SPEC, 28, "conv1", "pool1"),
    "pretrained EfficientNet-Lite0": ("efficientnet", IMAGENET_SPEC, 96, "_conv_stem", "_avg_pooling"),
}


@pytest.mark.parametrize("which", MODELS)
def test_every_view(request, which):
    fixture, spec, size, first_conv, pool = MODELS[which]
    model = request.getfixturevalue(fixture)
    was_training = model.training
    gradients = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    torch.manual_seed(0)
    x = torch.rand(1, spec.channels, size, size) * 2 - 1

    assert len(predict(model, x, top=3)) == 3
    layers = list_layers(model, x)
    target = default_target_layer(layers)
    spatial = [layer.name for layer in layers if layer.is_spatial]
    values = capture(model, x, spatial)
    view = render_feature_maps(values[target][0], sort="mean", hide_dead=False, scale=2)
    assert view.tiles.image.dtype == np.uint8 and view.tiles.count == values[target].shape[1]
    assert layer_strip({name: values[name][0] for name in spatial}).tiles.count == len(spatial)

    kernels = render_kernels(kernels_of(model, conv_layers(model)[0]))
    assert kernels.tiles.image.ndim == 3

    conv = dict(model.named_modules())[first_conv]
    with torch.no_grad():
        real = conv(x)[0]
    explanation = explain_conv(conv, x, 1, 2, 3, activation=None)
    assert explanation.value == pytest.approx(float(real[1, 2, 3]), abs=1e-4)
    if which != "pretrained EfficientNet-Lite0":
        assert following_activation(model, x, first_conv) is not None
    pool_input = layer_input(model, x, pool)
    with torch.no_grad():
        pooled = dict(model.named_modules())[pool](pool_input)[0]
    assert explain_pool(dict(model.named_modules())[pool], pool_input, 5, 0, 0).value == pytest.approx(
        float(pooled[5, 0, 0]), abs=1e-5
    )

    for method in ("gradcam", "gradcam++"):
        assert grad_cam(model, x, target, method=method).heat.shape == (size, size)
    assert occlusion(model, x, patch=size // 2, stride=size // 2).heat.shape == (size, size)
    for method in ("gradient", "guided"):
        assert saliency(model, x, method=method).heat.shape == (size, size)

    units_layer = spatial[len(spatial) // 2]
    climb = [s.objective[0] for s in maximize_activation(model, spec, [0], units_layer, steps=4, size=(size, size))]
    assert climb[-1] >= climb[0]
    dream = list(deep_dream(model, x, spec, units_layer, octaves=1, steps=2))
    assert dream[-1].images.shape == (1, size, size, 3)

    adversarial = adversarial_example(model, x, spec, epsilon=0.05)
    assert adversarial.linf <= 0.05 + 1e-6
    assert extract_features(model, [x.repeat(2, 1, 1, 1)]).shape[0] == 2
    assert weight_histograms(model)

    assert model.training == was_training
    for parameter, before in zip(
        model.parameters(), gradients, strict=True
    ):  # views leave the weights' gradients alone
        assert (parameter.grad is None and before is None) or torch.equal(parameter.grad, before)
