from cnnstudio.graph import NetworkGraph, validate


def messages(graph):
    return [(p.node, p.message) for p in validate(graph)]


def chain(*types):
    graph = NetworkGraph("t")
    graph.add_node("Input", node_id="input")
    last = "input"
    for layer_type in types:
        node = graph.add_node(layer_type)
        graph.connect(last, node.id)
        last = node.id
    return graph


def test_a_correct_chain_has_no_problems():
    assert validate(chain("Conv2d", "ReLU", "Flatten", "Linear")) == []


def test_unknown_type_and_parameter_are_named():
    graph = chain("Conv2d")
    graph.add_node("Convolution2D", node_id="mystery")
    graph.connect("conv1", "mystery")
    graph.set_param("conv1", "filters", 3)
    found = messages(graph)
    assert any(node == "mystery" and "unknown layer type 'Convolution2D'" in m for node, m in found)
    assert any(node == "conv1" and "no parameter 'filters'" in m and "out_channels" in m for node, m in found)


def test_values_out_of_range_or_of_the_wrong_type():
    graph = chain("Conv2d", "Dropout")
    graph.set_param("conv1", "out_channels", 0)
    graph.set_param("conv1", "kernel_size", "big")
    graph.set_param("conv1", "bias", 1)
    graph.set_param("dropout1", "p", 1.5)
    text = " | ".join(m for _, m in messages(graph))
    assert "out_channels = 0 is out of range" in text
    assert "kernel_size must be a whole number or a [height, width] pair" in text
    assert "bias must be true or false" in text
    assert "p = 1.5 is out of range" in text


def test_padding_accepts_same_and_valid_only_as_words():
    graph = chain("Conv2d")
    graph.set_param("conv1", "padding", "same")
    assert validate(graph) == []
    graph.set_param("conv1", "padding", "full")
    assert "'same' or 'valid'" in messages(graph)[0][1]


def test_missing_and_multiple_inputs():
    graph = NetworkGraph("t")
    graph.add_node("ReLU")
    assert any("no Input layer" in m for _, m in messages(graph))
    graph = chain("ReLU")
    graph.add_node("Input", node_id="input2")
    assert sum("2 Input layers" in m for _, m in messages(graph)) == 2


def test_wrong_number_of_inputs():
    graph = chain("Conv2d")
    graph.add_node("ReLU", node_id="loose")
    graph.connect("conv1", "loose")
    graph.add_node("Add", node_id="merge")
    graph.connect("loose", "merge")
    graph.add_node("ReLU", node_id="twice")
    graph.connect("input", "twice")
    graph.connect("conv1", "twice")
    found = messages(graph)
    assert ("merge", "Add needs at least 2 inputs, it has 1") in found
    assert ("twice", "ReLU has 2 inputs; it takes exactly one") in found


def test_cycles_are_reported_with_their_nodes():
    graph = chain("ReLU", "ReLU")
    graph.add_node("Add", node_id="merge")
    graph.disconnect("relu1", "relu2")
    graph.connect("relu1", "merge")
    graph.connect("relu2", "merge")
    graph.connect("merge", "relu2")
    found = messages(graph)
    assert any(node is None and "cycle through merge, relu2" in m for node, m in found)


def test_nodes_not_connected_to_input_or_output():
    graph = chain("Conv2d", "ReLU", "Flatten")
    graph.add_node("Linear", node_id="orphan")
    graph.add_node("ReLU", node_id="side")
    graph.connect("conv1", "side")
    found = messages(graph)
    assert any(node == "orphan" and "not connected to the input" in m for node, m in found)
    assert any(node == "side" and "not connected to the output" in m for node, m in found)
