import time

import pytest

from cnnstudio.graph import GraphEditError, NetworkGraph
from cnnstudio.graph.network import RESERVED_IDS, id_problem, sanitize_id


def record(graph):
    events = []
    for name in (
        "node_added",
        "node_removed",
        "edge_added",
        "edge_removed",
        "param_changed",
        "node_moved",
        "node_renamed",
        "reset",
        "changed",
    ):
        getattr(graph, name).connect(lambda *args, name=name: events.append((name, *args)))
    return events


def small_graph():
    graph = NetworkGraph("t")
    graph.add_node("Input", {"channels": 1, "height": 8, "width": 8}, node_id="input")
    graph.add_node("Conv2d", {"out_channels": 4})
    graph.connect("input", "conv1")
    return graph


def test_add_node_derives_free_ids_from_the_type():
    graph = small_graph()
    assert graph.add_node("Conv2d").id == "conv2"
    assert graph.add_node("ReLU").id == "relu1"
    assert graph.add_node("Linear").id == "fc1"


def test_every_edit_emits_its_event_and_changed():
    graph = small_graph()
    events = record(graph)
    graph.add_node("ReLU")
    graph.connect("conv1", "relu1")
    graph.set_param("conv1", "kernel_size", [5, 5])
    graph.move_node("relu1", (10, 20))
    graph.disconnect("conv1", "relu1")
    names = [event[0] for event in events]
    assert names == [
        "node_added",
        "changed",
        "edge_added",
        "changed",
        "param_changed",
        "changed",
        "node_moved",
        "edge_removed",
        "changed",
    ]
    assert graph.nodes["conv1"].params["kernel_size"] == 5  # equal pairs collapse


def test_remove_and_restore_keep_edge_order_for_merges():
    graph = small_graph()
    graph.add_node("ReLU")
    graph.connect("input", "relu1")
    graph.add_node("Add")
    graph.connect("relu1", "add1")
    graph.connect("conv1", "add1")
    before = graph.to_dict()
    removed = graph.remove_node("relu1")
    assert "relu1" not in graph.nodes and graph.inputs_of("add1") == ["conv1"]
    graph.restore_node(removed)
    assert graph.to_dict() == before
    assert graph.inputs_of("add1") == ["relu1", "conv1"]


def test_batch_emits_changed_once():
    graph = small_graph()
    events = record(graph)
    with graph.batch():
        graph.add_node("ReLU")
        graph.connect("conv1", "relu1")
    assert [e[0] for e in events].count("changed") == 1


@pytest.mark.parametrize("bad", ["1conv", "my-layer", "class", "forward", "eval", "_private", "self", ""])
def test_invalid_ids_are_refused(bad):
    graph = small_graph()
    assert id_problem(bad)
    with pytest.raises(GraphEditError):
        graph.add_node("ReLU", node_id=bad)


def test_sanitize_turns_module_paths_into_ids():
    assert sanitize_id("layer1.0.conv1") == "layer1_0_conv1"
    assert sanitize_id("0") == "n0"
    assert sanitize_id("eval") == "eval_"
    assert id_problem(sanitize_id("class")) is None


def test_edit_errors_are_specific():
    graph = small_graph()
    with pytest.raises(GraphEditError, match="already connected"):
        graph.connect("input", "conv1")
    with pytest.raises(GraphEditError, match="itself"):
        graph.connect("conv1", "conv1")
    with pytest.raises(GraphEditError, match="no node 'nope'"):
        graph.set_param("nope", "p", 1)
    with pytest.raises(GraphEditError, match="already exists"):
        graph.add_node("ReLU", node_id="conv1")


def test_rename_keeps_edges():
    graph = small_graph()
    graph.rename_node("conv1", "features")
    assert graph.edges == [("input", "features")] and "conv1" not in graph.nodes


def test_topological_order_is_stable_and_skips_cycles():
    graph = small_graph()
    graph.add_node("ReLU")
    graph.add_node("ReLU")
    graph.connect("conv1", "relu1")
    graph.connect("relu1", "relu2")
    assert graph.topological_order() == ["input", "conv1", "relu1", "relu2"]
    graph.connect("relu2", "relu1")
    assert graph.topological_order() == ["input", "conv1"]


def test_replace_with_is_a_deep_copy_and_emits_reset():
    graph, other = small_graph(), small_graph()
    events = record(graph)
    other.set_param("conv1", "out_channels", 9)
    graph.replace_with(other)
    other.set_param("conv1", "out_channels", 1)
    assert graph.nodes["conv1"].param("out_channels") == 9
    assert ("reset",) in events


def test_reserved_ids_include_python_names_used_by_generated_code():
    assert {"self", "torch", "nn", "forward", "training"} <= RESERVED_IDS


def test_topological_order_of_a_wide_graph_is_fast_and_keeps_insertion_order():
    graph = NetworkGraph("star")
    graph.add_node("Input", {"channels": 1, "height": 8, "width": 8}, node_id="input")
    with graph.batch():
        for index in range(10_000):
            graph.add_node("ReLU", node_id=f"relu{index}")
            graph.connect("input", f"relu{index}")
    started = time.perf_counter()
    order = graph.topological_order()
    # Sorting the ready list before each pop made this quadratic in the width.
    assert time.perf_counter() - started < 0.5
    assert order == ["input"] + [f"relu{index}" for index in range(10_000)]


def test_edges_read_after_edits_follow_the_edge_list():
    graph = small_graph()
    graph.add_node("ReLU", node_id="relu")
    graph.add_node("Add", node_id="add")
    graph.connect("conv1", "add")
    graph.connect("relu", "add")
    graph.connect("input", "relu")
    graph.disconnect("conv1", "add")
    graph.connect("conv1", "add", index=0)
    assert graph.inputs_of("add") == ["conv1", "relu"]
    assert graph.has_edge("conv1", "add") and not graph.has_edge("add", "conv1")
    graph.rename_node("relu", "act")
    assert graph.inputs_of("add") == ["conv1", "act"] and graph.outputs_of("input") == ["conv1", "act"]
    assert graph.copy().inputs_of("add") == ["conv1", "act"]


@pytest.mark.parametrize("node_id, normal", [("ℌ", "H"), ("ﬁlter", "filter"), ("convⅡ", "convII")])
def test_an_id_python_reads_as_another_name_is_refused(node_id, normal):
    # Python normalizes identifiers (NFKC): a module named 'ℌ' was looked up as 'H' by the generated forward.
    assert id_problem(node_id) == f"node id {node_id!r} reads as {normal!r} in Python code; name it {normal!r}"
    assert sanitize_id(node_id) == normal
    assert id_problem("ñame") is None and id_problem("猫") is None
