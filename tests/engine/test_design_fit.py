"""Fitting a design to the data: where it takes its input, re-targeting its classes before a run (the
command line and the Training tab), and the change the Data tab offers."""

from __future__ import annotations

import pytest

from cnnstudio.engine.design_fit import FitCheck, fit_classes, fitted_design
from cnnstudio.graph import NetworkGraph
from cnnstudio.graph.templates import input_shape, load_template
from cnnstudio.pytorch import analyze


def test_the_input_shape_of_a_design_is_its_input_layers_sizes():
    graph = load_template("lenet5")
    assert input_shape(graph) == (1, 28, 28)
    graph.set_param("input", "channels", 3)
    assert input_shape(graph) == (3, 28, 28)
    graph.remove_node("input")
    assert input_shape(graph) is None


def test_a_run_retargets_the_classifier_only_when_the_class_count_differs():
    graph = load_template("lenet5")
    assert fit_classes(graph, 10) == []
    assert fit_classes(graph, 2) == ["fc3 now outputs 2 classes"]
    assert graph.nodes["fc3"].param("out_features") == 2
    assert analyze(graph).output_shape == (2,)
    again = load_template("lenet5")
    assert fit_classes(again, 5, analyze(again)) == ["fc3 now outputs 5 classes"]  # with the caller's analysis


@pytest.mark.parametrize("breakage", ["error", "no classifier"])
def test_a_design_that_cannot_train_is_left_for_the_run_to_report(breakage):
    if breakage == "error":
        graph = load_template("lenet5")
        graph.set_param("conv2", "kernel_size", 40)  # larger than its input
    else:  # 784 outputs and no Linear or Conv2d to re-target
        graph = NetworkGraph("flat")
        graph.add_node("Input", {"channels": 1, "height": 28, "width": 28}, node_id="input")
        graph.add_node("Flatten", {}, node_id="flatten")
        graph.connect("input", "flatten")
    before = graph.to_dict()
    assert fit_classes(graph, 2) == []
    assert graph.to_dict() == before


def test_fitted_design_retargets_and_optionally_matches_the_input() -> None:
    graph = load_template("lenet5")
    check = FitCheck("Shapes", (3, 32, 32), 5, (1, 28, 28), 10)
    assert check.classes_differ and check.input_differs and check.match_input_by_default
    new, notes = fitted_design(graph, check, match_input=True)
    assert new.nodes["input"].all_params() == {"channels": 3, "height": 32, "width": 32}
    assert new.nodes["fc3"].param("out_features") == 5 and len(notes) == 2
    assert graph.nodes["fc3"].param("out_features") == 10  # the original is untouched
    kept, _ = fitted_design(graph, check, match_input=False)
    assert kept.nodes["input"].param("channels") == 1 and kept.nodes["fc3"].param("out_features") == 5
    small = FitCheck("Digits", (1, 8, 8), 10, (1, 28, 28), 10)
    assert not small.classes_differ and not small.match_input_by_default  # 8×8 would starve LeNet's pooling
