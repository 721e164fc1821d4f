from itertools import pairwise

import pytest

from cnnstudio.graph import layered_positions, validate
from cnnstudio.graph.layout import COLUMN_SPACING, ROW_SPACING
from cnnstudio.graph.templates import DEFAULT_TEMPLATE, classifier_node, load_template, retarget, template_names

EXPECTED = {
    "xo",
    "lenet5",
    "alexnet",
    "vgg11",
    "vgg16",
    "googlenet",
    "resnet18",
    "resnet34",
    "cifar_resnet",
    "mobilenet",
    "vgg11_lrn",
    "vgg13",
    "vgg16_1x1",
    "vgg19",
    "inception_v3",
    "densenet121",
    "resnet50",
    "squeezenet1_1",
    "alphago_policy",
    "tiny_vgg",
}


def test_all_templates_are_shipped_and_valid():
    assert set(template_names()) >= EXPECTED
    assert DEFAULT_TEMPLATE in template_names()
    for name in template_names():
        graph = load_template(name)
        assert graph.description, name
        assert validate(graph) == [], name


def test_unknown_template_names_the_known_ones():
    with pytest.raises(KeyError, match="lenet5"):
        load_template("lenet6")


def test_layout_puts_each_node_below_its_inputs():
    graph = load_template("resnet18")
    positions = layered_positions(graph)
    for src, dst in graph.edges:
        assert positions[dst][1] >= positions[src][1] + ROW_SPACING


def test_layout_sets_inception_branches_side_by_side_without_overlap():
    graph = load_template("googlenet")
    positions = layered_positions(graph)
    branch_heads = graph.outputs_of("maxpool3")
    assert len(branch_heads) == 4
    assert len({positions[n][1] for n in branch_heads}) == 1
    xs = sorted(positions[n][0] for n in branch_heads)
    assert all(b - a >= COLUMN_SPACING for a, b in pairwise(xs))
    rows: dict[float, list[float]] = {}
    for x, y in positions.values():
        rows.setdefault(y, []).append(x)
    for xs in rows.values():
        xs.sort()
        assert all(b - a >= COLUMN_SPACING - 1e-6 for a, b in pairwise(xs))


def test_retarget_changes_input_and_classes():
    graph = load_template("resnet18")
    notes = retarget(graph, classes=10, input_shape=(1, 64, 64))
    assert graph.nodes["fc"].param("out_features") == 10
    assert graph.nodes["input"].all_params() == {"channels": 1, "height": 64, "width": 64}
    assert notes == ["input set to 1×64×64", "fc now outputs 10 classes"]


def test_classifier_is_the_last_linear():
    assert classifier_node(load_template("vgg16")) == "classifier_6"
    assert classifier_node(load_template("xo")) == "votes"
