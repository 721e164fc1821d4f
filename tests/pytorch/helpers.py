"""Small designs for build tests."""

from cnnstudio.graph import NetworkGraph


def chain(input_shape=(1, 28, 28), *layers):
    """Input followed by (type, params) layers in a line."""
    graph = NetworkGraph("test net")
    graph.add_node("Input", dict(zip(("channels", "height", "width"), input_shape, strict=True)), node_id="input")
    last = "input"
    for layer_type, params in layers:
        node = graph.add_node(layer_type, params)
        graph.connect(last, node.id)
        last = node.id
    return graph
