"""The inspector's activation curves: torch's own functions with the layer's parameters."""

import numpy as np

from cnnstudio.graph import NetworkGraph
from cnnstudio.pytorch.activation_curves import X_RANGE, activation_curve


def node(layer_type, **params):
    graph = NetworkGraph()
    return graph.add_node(layer_type, params)


def test_curves_follow_the_layers_parameters():
    x, y = activation_curve(node("LeakyReLU", negative_slope=0.2))
    assert (x[0], x[-1]) == X_RANGE and len(x) == 201
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.2 * x), rtol=1e-6)
    x, y = activation_curve(node("ELU", alpha=2.0))
    np.testing.assert_allclose(y, np.where(x > 0, x, 2.0 * np.expm1(x)), rtol=1e-5, atol=1e-6)


def test_no_curve_for_layers_that_are_not_elementwise_or_have_bad_parameters():
    assert activation_curve(node("Conv2d", out_channels=4, kernel_size=3)) is None
    assert activation_curve(node("Softmax")) is None
    assert activation_curve(node("ELU", alpha="steep")) is None
