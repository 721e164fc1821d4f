import json
import time

import pytest

from cnnstudio.graph import NetworkFileError, load_network, loads_network, save_network
from cnnstudio.graph.io import MAX_NODES, network_from_dict
from cnnstudio.graph.templates import load_template
from cnnstudio.graph.validate import output_node, validate


def test_round_trip_is_identical(tmp_path):
    graph = load_template("googlenet")
    graph.set_trainable("conv1_conv", False)
    path = tmp_path / "g.cnn.json"
    save_network(graph, path)
    loaded = load_network(path)
    assert loaded.problems == []
    assert loaded.graph.to_dict() == graph.to_dict()
    assert loaded.graph.inputs_of("inception3a_cat") == graph.inputs_of("inception3a_cat")


def test_file_is_one_node_per_line_for_diffs(tmp_path):
    path = tmp_path / "l.cnn.json"
    save_network(load_template("lenet5"), path)
    lines = path.read_text().splitlines()
    assert sum('"type": "Conv2d"' in line for line in lines) == 2
    assert json.loads(path.read_text())["format"] == "cnnstudio.network"


def test_save_is_atomic_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "net.cnn.json"
    save_network(load_template("lenet5"), path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("pathlib.Path.write_bytes", broken)
    with pytest.raises(OSError):
        save_network(load_template("xo"), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.cnn.json"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("{not json", "not valid JSON (line 1"),
        ("[1, 2]", "expected a JSON object"),
        ('{"format": "onnx", "nodes": []}', "not a CNN Studio network file"),
        ('{"version": 7, "nodes": []}', "version 7 is not supported"),
        ('{"nodes": {}}', '"nodes" must be a list'),
        ('{"nodes": [], "edges": {}}', '"edges" must be a list'),
        ('{"nodes": [42]}', "nodes[0]: a node must be an object"),
        ('{"nodes": [{"id": "2x", "type": "ReLU"}]}', "nodes[0]: node id '2x' must be a Python identifier"),
        ('{"nodes": [{"id": "a", "type": 3}]}', 'nodes[0] (a): "type" must be a layer type name'),
        ('{"nodes": [{"id": "a", "type": "ReLU", "params": []}]}', '"params" must be an object'),
        ('{"nodes": [{"id": "a", "type": "ReLU", "pos": "top"}]}', '"pos" must be [x, y] numbers'),
        ('{"nodes": [{"id": "a", "type": "ReLU"}, {"id": "a", "type": "ReLU"}]}', "nodes[1]: duplicate node id 'a'"),
        ('{"nodes": [{"id": "a", "type": "ReLU"}], "edges": [["a"]]}', "edges[0] must be a [from, to] pair"),
    ],
)
def test_unreadable_files_say_where_and_why(text, fragment):
    with pytest.raises(NetworkFileError) as error:
        loads_network(text, source="f.cnn.json")
    assert fragment in str(error.value)
    assert str(error.value).startswith("f.cnn.json")


def test_missing_binary_and_folder_paths(tmp_path):
    with pytest.raises(NetworkFileError, match="no such file"):
        load_network(tmp_path / "nope.cnn.json")
    with pytest.raises(NetworkFileError, match="is a folder"):
        load_network(tmp_path)
    binary = tmp_path / "b.cnn.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(NetworkFileError, match="not a text file"):
        load_network(binary)


def test_dangling_and_duplicate_edges_load_with_problems():
    text = json.dumps(
        {
            "nodes": [{"id": "input", "type": "Input"}, {"id": "r", "type": "ReLU"}],
            "edges": [["input", "r"], ["input", "r"], ["r", "ghost"], ["r", "r"]],
        }
    )
    result = loads_network(text)
    assert result.graph.edges == [("input", "r")]
    messages = [str(p) for p in result.problems]
    assert "r: connection input → r ignored: listed twice" in messages
    assert "r: connection r → ghost ignored: no node named 'ghost'" in messages
    assert "r: connection r → r ignored: a node cannot feed itself" in messages


def _chain(length: int) -> dict:
    nodes = [{"id": "input", "type": "Input", "params": {"channels": 1, "height": 8, "width": 8}}]
    nodes += [{"id": f"relu{i}", "type": "ReLU"} for i in range(length)]
    ids = [node["id"] for node in nodes]
    return {"nodes": nodes, "edges": [list(pair) for pair in zip(ids, ids[1:], strict=False)]}


def test_a_network_beyond_the_node_limit_is_refused_before_it_is_built(tmp_path):
    path = tmp_path / "huge.cnn.json"
    path.write_text(json.dumps(_chain(100_000)))
    started = time.perf_counter()
    with pytest.raises(NetworkFileError, match=r"100,001 layers is more than CNN Studio handles \(10,000 at most\)"):
        load_network(path)
    assert time.perf_counter() - started < 2


def test_a_network_at_the_node_limit_loads_and_validates_in_linear_time():
    started = time.perf_counter()
    graph = network_from_dict(_chain(MAX_NODES - 1)).graph
    assert validate(graph) == []
    assert output_node(graph) == f"relu{MAX_NODES - 2}"
    # Reading each node's edges by scanning all edges made this quadratic: minutes for 100,000 layers.
    assert time.perf_counter() - started < 3


def test_running_out_of_memory_while_parsing_is_a_clear_error(tmp_path, monkeypatch):
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("json.loads", out_of_memory)
    with pytest.raises(NetworkFileError, match="f.cnn.json: not enough memory to parse it"):
        loads_network("{}", source="f.cnn.json")
