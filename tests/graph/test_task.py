"""A design's task: single-label unless its file says "multi-label"; files without one load as before."""

import json

import pytest

from cnnstudio.graph import MULTI_LABEL, SINGLE_LABEL, GraphEditError, NetworkFileError, NetworkGraph
from cnnstudio.graph.io import dumps_network, loads_network


def test_single_label_files_are_unchanged_and_multi_label_round_trips():
    graph = NetworkGraph("net")
    graph.add_node("Input", {"channels": 1, "height": 8, "width": 8}, node_id="input")
    assert graph.task == SINGLE_LABEL and "task" not in json.loads(dumps_network(graph))
    seen = []
    graph.task_changed.connect(seen.append)
    graph.set_task(MULTI_LABEL)
    assert seen == [MULTI_LABEL] and graph.multilabel
    loaded = loads_network(dumps_network(graph)).graph
    assert loaded.task == MULTI_LABEL and loaded.copy().task == MULTI_LABEL
    other = NetworkGraph()
    other.replace_with(loaded)
    assert other.multilabel


def test_an_unknown_task_is_refused_by_name():
    with pytest.raises(
        NetworkFileError, match="\"task\": task must be 'single-label' or 'multi-label', not 'regression'"
    ):
        loads_network(json.dumps({"format": "cnnstudio.network", "version": 1, "nodes": [], "task": "regression"}))
    with pytest.raises(GraphEditError, match="task must be"):
        NetworkGraph().set_task("both")
