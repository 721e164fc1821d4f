"""Top-down layered layout: each node one row below its deepest input, branches side by side.

Rows come from the longest path from the input, so the branches of an Inception module or a ResNet
downsample path sit in parallel columns and meet again at their Concat/Add. Within a row, nodes keep
the order of their inputs and are centred under them.
"""

from __future__ import annotations

from itertools import pairwise

from cnnstudio.graph.network import NetworkGraph

COLUMN_SPACING = 230.0
ROW_SPACING = 96.0


def layered_positions(graph: NetworkGraph) -> dict[str, tuple[float, float]]:
    """A position for every node (nodes on cycles go to a row below the rest)."""
    order = graph.topological_order()
    row: dict[str, int] = {}
    for node_id in order:
        row[node_id] = max((row[src] + 1 for src in graph.inputs_of(node_id) if src in row), default=0)
    last_row = max(row.values(), default=-1)
    for node_id in graph.nodes:
        if node_id not in row:
            last_row += 1
            row[node_id] = last_row

    rows: dict[int, list[str]] = {}
    for node_id in order + [n for n in graph.nodes if n not in order]:
        rows.setdefault(row[node_id], []).append(node_id)

    x: dict[str, float] = {}
    for index in sorted(rows):
        x.update(_place_row(graph, rows[index], x))

    offset = -x[order[0]] if order else 0.0
    return {node_id: ((x[node_id] + offset), row[node_id] * ROW_SPACING) for node_id in graph.nodes}


def _place_row(graph: NetworkGraph, members: list[str], placed: dict[str, float]) -> dict[str, float]:
    """Centre each group of nodes under the mean of their inputs, then push apart any overlap."""
    desired = {}
    for node_id in members:
        sources = [placed[src] for src in graph.inputs_of(node_id) if src in placed]
        desired[node_id] = sum(sources) / len(sources) if sources else 0.0
    members = sorted(members, key=lambda node_id: desired[node_id])  # stable: keeps input order on ties

    positions: dict[str, float] = {}
    start = 0
    while start < len(members):
        end = start
        while end + 1 < len(members) and desired[members[end + 1]] == desired[members[start]]:
            end += 1
        group = members[start : end + 1]
        centre = desired[group[0]]
        for offset, node_id in enumerate(group):
            positions[node_id] = centre + (offset - (len(group) - 1) / 2) * COLUMN_SPACING
        start = end + 1

    for previous, current in pairwise(members):
        positions[current] = max(positions[current], positions[previous] + COLUMN_SPACING)
    return positions


def arrange(graph: NetworkGraph) -> None:
    """Move every node to its layered position (one `changed` event)."""
    with graph.batch():
        for node_id, pos in layered_positions(graph).items():
            graph.move_node(node_id, pos)
