"""Structured pruning: fewer conv channels, a valid design whose learnables the analyzer counts right, and
a fine-tuned run folder that keeps LeNet-5's accuracy."""

from __future__ import annotations

import sys

import pytest
import torch

from cnnstudio.engine.checkpoint import load_checkpoint
from cnnstudio.engine.evaluate import load_trained
from cnnstudio.engine.run_folders import scan_runs
from cnnstudio.graph import NetworkGraph, network_from_dict
from cnnstudio.optimize import OptimizeError, OptimizeOptions, optimize_run, prune_channels
from cnnstudio.optimize.prune import learnables
from cnnstudio.pytorch import analyze, build_module
from cnnstudio.pytorch.weights import load_into


@pytest.fixture(scope="module")
def lenet(lenet_run):
    module, saved = load_trained(lenet_run)
    return module, network_from_dict(saved.design, "lenet").graph


def test_half_the_conv_channels_go_and_the_analyzer_counts_the_pruned_network(lenet):
    module, design = lenet
    pruned = prune_channels(module, design, 0.5, (1, 28, 28))
    assert pruned.channels == {"conv1": (6, 3), "conv2": (16, 8)}
    assert pruned.design.nodes["conv1"].param("out_channels") == 3
    assert pruned.design.nodes["conv2"].param("out_channels") == 8
    assert pruned.design.nodes["fc3"].param("out_features") == 10  # the classifier keeps a score per class
    assert design.nodes["conv1"].param("out_channels") == 6  # the original design is untouched
    rebuilt = build_module(pruned.design, logits=True)
    load_into(rebuilt, pruned.state_dict)
    assert analyze(pruned.design).total_params == learnables(rebuilt) < learnables(module)


def test_the_pruned_network_computes_what_the_rebuilt_design_computes(lenet):
    module, design = lenet
    pruned = prune_channels(module, design, 0.5, (1, 28, 28))
    rebuilt = build_module(pruned.design, logits=True).eval()
    load_into(rebuilt, pruned.state_dict)
    images = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        scores = rebuilt(images)
    assert scores.shape == (4, 10) and torch.isfinite(scores).all()


def residual_design() -> NetworkGraph:
    """input → stem conv → relu → conv → add(relu, conv) → pool → flatten → fc: the Add couples two convs."""
    graph = NetworkGraph("residual")
    for node_id, kind, params in [
        ("input", "Input", {"channels": 3, "height": 8, "width": 8}),
        ("stem", "Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ("relu", "ReLU", {}),
        ("branch", "Conv2d", {"out_channels": 8, "kernel_size": 3, "padding": 1}),
        ("bn", "BatchNorm2d", {}),
        ("add", "Add", {}),
        ("pool", "AdaptiveAvgPool2d", {"output_size": 1}),
        ("flatten", "Flatten", {}),
        ("fc", "Linear", {"out_features": 3}),
    ]:
        graph.add_node(kind, params, node_id=node_id)
    for src, dst in [
        ("input", "stem"),
        ("stem", "relu"),
        ("relu", "branch"),
        ("branch", "bn"),
        ("relu", "add"),
        ("bn", "add"),
        ("add", "pool"),
        ("pool", "flatten"),
        ("flatten", "fc"),
    ]:
        graph.connect(src, dst)
    return graph


def test_channels_an_add_couples_are_pruned_together():
    design = residual_design()
    module = build_module(design, logits=True)
    pruned = prune_channels(module, design, 0.5, (3, 8, 8))
    kept = {node_id: pruned.design.nodes[node_id].param("out_channels") for node_id in ("stem", "branch")}
    assert kept == {"stem": 4, "branch": 4}
    assert pruned.design.nodes["fc"].param("out_features") == 3
    rebuilt = build_module(pruned.design, logits=True)
    load_into(rebuilt, pruned.state_dict)
    assert analyze(pruned.design).total_params == learnables(rebuilt)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_a_fraction_outside_zero_to_one_is_refused(lenet, fraction):
    module, design = lenet
    with pytest.raises(OptimizeError, match="between 0 and 1"):
        prune_channels(module, design, fraction, (1, 28, 28))


def test_a_network_without_convolutions_cannot_be_pruned():
    design = NetworkGraph("mlp")
    design.add_node("Input", {"channels": 1, "height": 4, "width": 4}, node_id="input")
    design.add_node("Flatten", {}, node_id="flatten")
    design.add_node("Linear", {"out_features": 2}, node_id="fc")
    design.connect("input", "flatten")
    design.connect("flatten", "fc")
    with pytest.raises(OptimizeError, match="no convolution"):
        prune_channels(build_module(design, logits=True), design, 0.5, (1, 4, 4))


def test_pruning_half_and_fine_tuning_three_epochs_keeps_accuracy_within_1_5_points(lenet_run, tmp_path):
    result = optimize_run(lenet_run, OptimizeOptions(prune=0.5, finetune=3, out=tmp_path, repeats=2, warmup=1))
    original, pruned = result.rows
    assert pruned.name == "pruned 50%"
    assert pruned.val_acc >= original.val_acc - 0.015
    assert pruned.params < original.params and pruned.size_bytes < original.size_bytes
    assert pruned.flops is not None and original.flops is not None and pruned.flops < original.flops
    # a run folder the Training tab lists, whose design the Designer opens with the smaller channel counts
    (record,) = scan_runs(tmp_path)
    assert record.status == "completed" and record.epochs_done == 3
    saved_design = network_from_dict(load_checkpoint(record.path, "best").design, "pruned").graph
    assert saved_design.nodes["conv1"].param("out_channels") == 3
    assert analyze(saved_design).total_params == pruned.params


def test_without_torch_pruning_the_message_names_the_extra(lenet, monkeypatch):
    module, design = lenet
    monkeypatch.setitem(sys.modules, "torch_pruning", None)  # an import of it now raises ImportError
    with pytest.raises(OptimizeError, match=r'pip install "cnnstudio\[optimize\]"'):
        prune_channels(module, design, 0.5, (1, 28, 28))
