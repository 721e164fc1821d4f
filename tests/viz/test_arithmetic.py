"""The explained numbers equal what the layer really outputs at that position."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.viz.arithmetic import convolve_grid, explain_conv, explain_pool, following_activation
from cnnstudio.viz.runtime import InspectError

CONVS = {
    "plain": dict(in_channels=3, out_channels=4, kernel_size=3),
    "padding_stride": dict(in_channels=3, out_channels=2, kernel_size=3, stride=2, padding=1),
    "asymmetric": dict(in_channels=2, out_channels=3, kernel_size=(3, 5), stride=(2, 1), padding=(1, 2)),
    "dilation": dict(in_channels=3, out_channels=2, kernel_size=3, dilation=2, padding=2),
    "groups": dict(in_channels=4, out_channels=6, kernel_size=3, groups=2, padding=1),
    "depthwise": dict(in_channels=3, out_channels=3, kernel_size=3, groups=3, stride=2),
    "same_even_kernel": dict(in_channels=2, out_channels=2, kernel_size=4, padding="same"),
    "same_dilated": dict(in_channels=2, out_channels=2, kernel_size=3, padding="same", dilation=2),
    "valid_no_bias": dict(in_channels=3, out_channels=2, kernel_size=2, padding="valid", bias=False),
    "reflect": dict(in_channels=2, out_channels=2, kernel_size=3, padding=1, padding_mode="reflect"),
    "circular": dict(in_channels=1, out_channels=2, kernel_size=3, padding=2, padding_mode="circular"),
}


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("name", CONVS)
def test_every_explained_conv_value_equals_the_layer_output(name):
    torch.manual_seed(0)
    conv = nn.Conv2d(**CONVS[name])
    x = torch.randn(1, conv.in_channels, 7, 8)
    out = conv(x).detach()[0]
    for o, r, c in itertools.product(range(out.shape[0]), range(out.shape[1]), range(out.shape[2])):
        explanation = explain_conv(conv, x, o, r, c)
        assert explanation.value == pytest.approx(float(out[o, r, c]), abs=1e-5)
        assert explanation.total == pytest.approx(sum(ch.sum for ch in explanation.channels))
        assert explanation.pre_activation == pytest.approx(explanation.total + explanation.bias)


def test_conv_explanation_shows_every_input_channel_of_its_group():
    torch.manual_seed(1)
    conv = nn.Conv2d(4, 6, 3, groups=2, padding=1)
    x = torch.randn(4, 5, 5)
    explanation = explain_conv(conv, x, out_channel=4, row=0, col=0)
    assert [ch.input_channel for ch in explanation.channels] == [2, 3]  # output 4 is in the second group
    first = explanation.channels[0]
    assert explanation.rows == (-1, 0, 1) and explanation.cols == (-1, 0, 1)
    assert explanation.in_padding[0].all() and explanation.in_padding[:, 0].all() and not explanation.in_padding[1, 1]
    assert first.patch[0, 0] == 0.0 and first.patch[1, 1] == pytest.approx(float(x[2, 0, 0]))
    np.testing.assert_allclose(first.products, first.patch * first.kernel)
    np.testing.assert_allclose(first.kernel, conv.weight[4, 0].detach().numpy(), rtol=1e-6)
    assert explanation.box == (0, 0, 1, 1)


def test_activation_is_the_last_step_and_is_found_after_the_conv():
    graph = load_template("lenet5")
    model = build_module(graph)
    torch.manual_seed(2)
    x = torch.randn(1, 1, 28, 28)
    activation = following_activation(model, x, "conv1")
    assert isinstance(activation, nn.ReLU)
    assert following_activation(model, x, "fc3") is None
    relu_out = model.relu1(model.conv1(x)).detach()[0]
    for r, c in [(0, 0), (13, 17), (27, 27)]:
        explanation = explain_conv(model.conv1, x, 3, r, c, activation=activation)
        assert explanation.activation == "ReLU"
        assert explanation.value == pytest.approx(float(relu_out[3, r, c]), abs=1e-5)
        assert explanation.value == max(0.0, explanation.pre_activation)


def test_per_channel_activation_parameters_are_used():
    conv = nn.Conv2d(1, 2, 1, bias=False)
    with torch.no_grad():
        conv.weight.fill_(-1.0)
    prelu = nn.PReLU(2)
    with torch.no_grad():
        prelu.weight.copy_(torch.tensor([0.1, 0.5]))
    x = torch.ones(1, 2, 2)
    assert explain_conv(conv, x, 1, 0, 0, activation=prelu).value == pytest.approx(-0.5)
    assert explain_conv(conv, x, 0, 0, 0, activation=prelu).value == pytest.approx(-0.1)


def test_cs231n_demo_7x7x3_two_3x3x3_filters_stride_2():
    """CS231n's demo: a 5×5×3 input padded by 1 (7×7×3), two 3×3×3 filters with biases 1 and 0, stride 2
    → 3×3×2. One position worked by hand: the sum of the three per-channel sums plus the bias."""
    rng = np.random.default_rng(231)
    volume = rng.integers(0, 3, size=(3, 5, 5)).astype(float)
    filters = rng.integers(-1, 2, size=(2, 3, 3, 3)).astype(float)
    result = convolve_grid(volume, filters, bias=[1.0, 0.0], stride=2, padding=1)
    assert result.output.shape == (2, 3, 3)
    expected = torch.nn.functional.conv2d(
        torch.tensor(volume)[None],
        torch.tensor(filters),
        torch.tensor([1.0, 0.0], dtype=torch.float64),
        stride=2,
        padding=1,
    )[0].numpy()
    np.testing.assert_array_equal(result.output, expected)
    padded = np.pad(volume, ((0, 0), (1, 1), (1, 1)))
    explanation = result.explain(0, 1, 2)  # output row 1, column 2 → input rows 1…3, columns 3…5 (padded)
    hand = [float((padded[c, 2:5, 4:7] * filters[0, c]).sum()) for c in range(3)]
    assert [ch.sum for ch in explanation.channels] == hand
    assert explanation.value == sum(hand) + 1.0 == expected[0, 1, 2]
    assert explanation.rows == (1, 2, 3) and explanation.cols == (3, 4, 5)
    assert explanation.in_padding[:, 2].all() and not explanation.in_padding[:, :2].any()


def test_toy_lecture_multiply_add_up_divide():
    """The X-and-O lecture: a ±1 diagonal feature on a ±1 image; a perfect match scores 1."""
    x_image = -np.ones((9, 9))
    for i in range(1, 8):
        x_image[i, i] = x_image[i, 8 - i] = 1
    feature = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], dtype=float)
    result = convolve_grid(x_image, feature, mean=True)
    explanation = result.explain(0, 1, 1)  # the patch on the upper-left diagonal matches the feature exactly
    assert explanation.divisor == 9
    np.testing.assert_array_equal(explanation.channels[0].products, np.ones((3, 3)))
    assert explanation.total == 9 and explanation.value == 1.0
    assert result.output[0, 1, 1] == 1.0
    off = result.explain(0, 0, 2)
    assert off.value == pytest.approx(off.total / 9) and off.value < 1
    relu = convolve_grid(x_image, feature, mean=True, activation=nn.ReLU())
    assert relu.output.min() >= 0 and relu.explain(0, 0, 2).value == max(0.0, off.value)


def test_grid_editor_rejects_kernels_that_do_not_fit():
    with pytest.raises(InspectError):
        convolve_grid(np.zeros((2, 2)), np.ones((3, 3)))
    with pytest.raises(InspectError):
        convolve_grid(np.zeros((3, 5, 5)), np.ones((2, 2, 3, 3)))


POOLS = {
    "max": nn.MaxPool2d(2),
    "max_stride_padding": nn.MaxPool2d(3, stride=2, padding=1),
    "max_dilation_ceil": nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True),
    "max_ceil": nn.MaxPool2d(2, ceil_mode=True),
    "avg": nn.AvgPool2d(2),
    "avg_padding": nn.AvgPool2d(3, stride=2, padding=1),
    "avg_padding_excluded": nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
    "avg_ceil": nn.AvgPool2d(3, stride=2, ceil_mode=True, padding=1),
    "avg_divisor": nn.AvgPool2d(2, divisor_override=3),
    "adaptive_avg": nn.AdaptiveAvgPool2d((3, 2)),
    "adaptive_max": nn.AdaptiveMaxPool2d(4),
    "adaptive_none": nn.AdaptiveAvgPool2d((None, 1)),
}


@pytest.mark.parametrize("name", POOLS)
def test_every_explained_pool_value_equals_the_layer_output(name):
    pool = POOLS[name]
    torch.manual_seed(3)
    x = torch.randn(2, 7, 9)
    out = pool(x[None])[0]
    for ch, r, c in itertools.product(range(out.shape[0]), range(out.shape[1]), range(out.shape[2])):
        explanation = explain_pool(pool, x, ch, r, c)
        assert explanation.value == pytest.approx(float(out[ch, r, c]), abs=1e-6)
        if explanation.kind == "max":
            assert float(x[ch][explanation.winner]) == pytest.approx(float(out[ch, r, c]))


def test_max_pool_reports_the_window_and_the_winner():
    x = torch.tensor([[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 7.0, 1.0]]])
    explanation = explain_pool(nn.MaxPool2d(2), x, 0, 0, 1)
    np.testing.assert_array_equal(explanation.window, [[2.0, 0.0], [7.0, 1.0]])
    assert explanation.winner == (1, 2) and explanation.value == 7.0 and explanation.box == (0, 2, 1, 3)


def test_explanations_of_a_real_network_layer_inputs():
    """Explain conv2 and pool2 of LeNet-5 from the captured input of each: equal to the network's values."""
    torch.manual_seed(4)
    model = build_module(load_template("lenet5"))
    x = torch.randn(1, 1, 28, 28)
    with torch.no_grad():
        pooled1 = model.pool1(model.relu1(model.conv1(x)))
        conv2 = model.conv2(pooled1)
        relu2 = model.relu2(conv2)
        pooled2 = model.pool2(relu2)
    assert explain_conv(model.conv2, pooled1, 15, 9, 4).value == pytest.approx(float(conv2[0, 15, 9, 4]), abs=1e-5)
    assert explain_pool(model.pool2, relu2, 7, 2, 3).value == pytest.approx(float(pooled2[0, 7, 2, 3]))


def test_out_of_range_positions_are_refused_with_a_message():
    conv = nn.Conv2d(1, 2, 3)
    with pytest.raises(InspectError, match="row"):
        explain_conv(conv, torch.zeros(1, 5, 5), 0, 3, 0)
    with pytest.raises(InspectError, match="channels"):
        explain_conv(conv, torch.zeros(2, 5, 5), 0, 0, 0)
    with pytest.raises(InspectError):
        explain_pool(nn.ReLU(), torch.zeros(1, 4, 4), 0, 0, 0)
