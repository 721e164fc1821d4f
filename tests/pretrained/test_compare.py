"""Comparing pretrained networks: published figures from torchvision's metadata, latency measured here."""

import pytest
import torchvision

from cnnstudio.pretrained import ModelLoadError, compare_pretrained, pretrained_catalog


def test_the_table_combines_published_figures_with_measured_latency():
    reports = []
    rows = compare_pretrained(
        ["efficientnet_lite0", "torchvision:mobilenet_v3_small"],
        repeats=2,
        progress=lambda message, fraction: reports.append(fraction),
    )
    lite, mobilenet = rows
    meta = torchvision.models.MobileNet_V3_Small_Weights.DEFAULT.meta
    assert mobilenet.info.top1 == meta["_metrics"]["ImageNet-1K"]["acc@1"]
    assert (mobilenet.info.params, mobilenet.info.gflops) == (meta["num_params"], meta["_ops"])
    assert lite.info.title == "EfficientNet-Lite0" and lite.info.top1 == 75.1
    assert 4.6e6 < lite.info.params < 4.7e6 and 0.38 < lite.info.gflops < 0.39  # counted like torchvision's _ops
    assert all(row.latency_ms > 0 and row.device == "cpu" for row in rows)
    assert reports[-1] == 1.0


def test_the_catalog_knows_what_is_available_offline(torch_cache):
    catalog = {info.spec: info for info in pretrained_catalog()}
    assert catalog["efficientnet_lite0"].available
    assert not catalog["torchvision:resnet18"].available  # not in the (empty) torch cache
    assert {
        "torchvision:googlenet",
        "torchvision:vgg16",
        "torchvision:alexnet",
        "torchvision:resnet50",
        "torchvision:mobilenet_v3_large",
        "torchvision:efficientnet_b0",
    } <= set(catalog)
    assert catalog["torchvision:inception_v3"].input_size == 299


def test_only_pretrained_networks_can_be_compared():
    with pytest.raises(ModelLoadError, match="not a pretrained network"):
        compare_pretrained(["runs/mine"])
