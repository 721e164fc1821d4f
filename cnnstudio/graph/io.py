"""Reading and writing `*.cnn.json` network files.

A file that is not a network at all (not JSON, not our format, an unknown version, malformed node
entries) raises NetworkFileError naming the field at fault; nothing is loaded half-way. A file that
is a network with mistakes in it (unknown layer types, bad parameter values, edges to missing nodes)
loads, and its mistakes are reported as per-node Problems, so the user can open it and fix it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnnstudio.fileio import atomic_write_text
from cnnstudio.graph.network import SINGLE_LABEL, NetworkGraph, Node, id_problem, task_problem
from cnnstudio.graph.params import normalize
from cnnstudio.graph.validate import Problem

FORMAT = "cnnstudio.network"
VERSION = 1
MAX_FILE_BYTES = 64 * 1024 * 1024
# The most layers a design may have. The largest torchvision CNNs have about 1,000; 10,000 layers analyze
# in a few seconds, a designer canvas still draws them, and a bigger file is refused before it is built.
MAX_NODES = 10_000


class NetworkFileError(Exception):
    """A file that cannot be read as a CNN Studio network; the message says where and why."""


@dataclass
class LoadResult:
    """A loaded network and the problems found while reading it (dropped edges and the like)."""

    graph: NetworkGraph
    problems: list[Problem] = field(default_factory=list)


def load_network(path: str | os.PathLike[str]) -> LoadResult:
    """Read a network file. Raises NetworkFileError when the file is not a readable network."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise NetworkFileError(
                f"{path}: {size / 1e6:.0f} MB is too large for a network file "
                "(weights belong in a .safetensors file beside it)"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NetworkFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise NetworkFileError(f"{path}: is a folder, not a network file") from None
    except UnicodeDecodeError:
        raise NetworkFileError(f"{path}: not a text file (a network file is UTF-8 JSON)") from None
    except OSError as error:
        raise NetworkFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    except MemoryError:
        raise NetworkFileError(f"{path}: not enough memory to read its {size / 1e6:.0f} MB") from None
    return loads_network(text, source=str(path))


def loads_network(text: str, source: str = "<text>") -> LoadResult:
    """Parse network JSON text; `source` names it in messages."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NetworkFileError(
            f"{source}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except RecursionError:
        raise NetworkFileError(f"{source}: JSON nested too deeply") from None
    except MemoryError:
        raise NetworkFileError(f"{source}: not enough memory to parse it") from None
    return network_from_dict(data, source)


def network_from_dict(data: Any, source: str = "<data>") -> LoadResult:
    """Build a NetworkGraph from the parsed JSON object of a network file."""
    if not isinstance(data, dict):
        raise NetworkFileError(
            f'{source}: expected a JSON object with "nodes" and "edges", found {type(data).__name__}'
        )
    if data.get("format", FORMAT) != FORMAT:
        raise NetworkFileError(
            f'{source}: "format" is {data.get("format")!r}, not {FORMAT!r}; this is not a CNN Studio network file'
        )
    version = data.get("version", VERSION)
    if version != VERSION:
        raise NetworkFileError(
            f"{source}: file version {version!r} is not supported (this CNN Studio reads "
            f"version {VERSION}); update CNN Studio or re-export the file"
        )
    name = data.get("name", "Untitled")
    description = data.get("description", "")
    if not isinstance(name, str) or not isinstance(description, str):
        raise NetworkFileError(f'{source}: "name" and "description" must be text')
    task = data.get("task", SINGLE_LABEL)
    if (problem := task_problem(task)) is not None:
        raise NetworkFileError(f'{source}: "task": {problem}')
    nodes = data.get("nodes")
    edges = data.get("edges", [])
    if not isinstance(nodes, list):
        raise NetworkFileError(f'{source}: "nodes" must be a list of layer objects')
    if not isinstance(edges, list):
        raise NetworkFileError(f'{source}: "edges" must be a list of [from, to] pairs')
    if len(nodes) > MAX_NODES:
        raise NetworkFileError(
            f"{source}: {len(nodes):,} layers is more than CNN Studio handles ({MAX_NODES:,} at most); "
            "split it into smaller designs"
        )

    graph = NetworkGraph(name, description, task)
    for index, entry in enumerate(nodes):
        node = _parse_node(entry, f"{source}: nodes[{index}]")
        if node.id in graph.nodes:
            raise NetworkFileError(f"{source}: nodes[{index}]: duplicate node id {node.id!r}; ids must be unique")
        graph.add_node(node.type, node.params, node.pos, node.id, node.trainable)

    problems: list[Problem] = []
    for index, entry in enumerate(edges):
        if not isinstance(entry, list) or len(entry) != 2 or not all(isinstance(end, str) for end in entry):
            raise NetworkFileError(
                f"{source}: edges[{index}] must be a [from, to] pair of node ids, not {json.dumps(entry)[:80]}"
            )
        src, dst = entry
        missing = [end for end in (src, dst) if end not in graph.nodes]
        if missing:
            problems.append(
                Problem(
                    dst if dst in graph.nodes else (src if src in graph.nodes else None),
                    f"connection {src} → {dst} ignored: no node named {' or '.join(repr(m) for m in missing)}",
                )
            )
        elif src == dst or graph.has_edge(src, dst):
            problems.append(
                Problem(
                    dst,
                    f"connection {src} → {dst} ignored: "
                    f"{'a node cannot feed itself' if src == dst else 'listed twice'}",
                )
            )
        else:
            graph.connect(src, dst)
    return LoadResult(graph, problems)


def _parse_node(entry: Any, where: str) -> Node:
    if not isinstance(entry, dict):
        raise NetworkFileError(f'{where}: a node must be an object with "id" and "type"')
    node_id, layer_type = entry.get("id"), entry.get("type")
    problem = id_problem(node_id)
    if problem:
        raise NetworkFileError(f"{where}: {problem}")
    assert isinstance(node_id, str)  # id_problem accepts identifiers only
    if not isinstance(layer_type, str) or not layer_type:
        raise NetworkFileError(f'{where} ({node_id}): "type" must be a layer type name such as "Conv2d"')
    params = entry.get("params", {})
    if not isinstance(params, dict):
        raise NetworkFileError(f'{where} ({node_id}): "params" must be an object of name: value')
    pos = entry.get("pos", [0, 0])
    if (
        not isinstance(pos, list)
        or len(pos) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in pos)
    ):
        raise NetworkFileError(f'{where} ({node_id}): "pos" must be [x, y] numbers')
    trainable = entry.get("trainable", True)
    if not isinstance(trainable, bool):
        raise NetworkFileError(f'{where} ({node_id}): "trainable" must be true or false')
    return Node(
        node_id,
        layer_type,
        {str(k): normalize(v) for k, v in params.items()},
        (float(pos[0]), float(pos[1])),
        trainable,
    )


def dumps_network(graph: NetworkGraph) -> str:
    """The file text of a network: indented JSON with one node or edge per line, easy to diff."""
    data = graph.to_dict()
    lines = ["{"]
    head = [
        f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in data.items()
        if key not in ("nodes", "edges")
    ]
    lines.append(",\n".join(head) + ",")
    node_lines = [f"    {json.dumps(node, ensure_ascii=False)}" for node in data["nodes"]]
    lines.append('  "nodes": [\n' + ",\n".join(node_lines) + ("\n  ]," if node_lines else "  ],"))
    edge_lines = [f"    {json.dumps(edge, ensure_ascii=False)}" for edge in data["edges"]]
    lines.append('  "edges": [\n' + ",\n".join(edge_lines) + ("\n  ]" if edge_lines else "  ]"))
    lines.append("}")
    return "\n".join(lines) + "\n"


def save_network(graph: NetworkGraph, path: str | os.PathLike[str]) -> None:
    """Write the network atomically (a crash leaves the old file or the complete new one)."""
    atomic_write_text(path, dumps_network(graph))
