"""The network as data: layer catalog, NetworkGraph, JSON files, validation, layout, templates.

Pure Python: imports neither torch nor Qt.
"""

from cnnstudio.graph.catalog import CATEGORIES, LAYERS, LayerSpec, ParamSpec, layer_spec, layers_by_category
from cnnstudio.graph.io import (
    LoadResult,
    NetworkFileError,
    dumps_network,
    load_network,
    loads_network,
    network_from_dict,
    save_network,
)
from cnnstudio.graph.layout import arrange, layered_positions
from cnnstudio.graph.network import MULTI_LABEL, SINGLE_LABEL, TASKS, GraphEditError, NetworkGraph, Node, RemovedNode
from cnnstudio.graph.validate import ERROR, WARNING, Problem, errors_only, output_node, validate

__all__ = [
    "CATEGORIES",
    "ERROR",
    "LAYERS",
    "MULTI_LABEL",
    "SINGLE_LABEL",
    "TASKS",
    "WARNING",
    "GraphEditError",
    "LayerSpec",
    "LoadResult",
    "NetworkFileError",
    "NetworkGraph",
    "Node",
    "ParamSpec",
    "RemovedNode",
    "Problem",
    "arrange",
    "dumps_network",
    "errors_only",
    "layer_spec",
    "layered_positions",
    "layers_by_category",
    "load_network",
    "loads_network",
    "network_from_dict",
    "output_node",
    "save_network",
    "validate",
]
