"""Copying layers as network JSON, and turning copied JSON into new nodes with free ids.

The clipboard holds the `*.cnn.json` format itself (as text and under its own MIME type), so layers
can be pasted between windows or into a text editor and back.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from cnnstudio.graph.io import network_from_dict
from cnnstudio.graph.network import NetworkGraph, Node

MIME_TYPE = "application/x-cnnstudio-network"


def selection_dict(graph: NetworkGraph, node_ids: list[str]) -> dict:
    """The selected nodes and the edges among them, in the network file format."""
    chosen = set(node_ids)
    part = NetworkGraph(graph.name)
    for node_id in graph.nodes:  # graph order keeps the paste order stable
        if node_id in chosen:
            node = graph.nodes[node_id]
            part.add_node(node.type, dict(node.params), node.pos, node.id, node.trainable)
    for src, dst in graph.edges:
        if src in chosen and dst in chosen:
            part.connect(src, dst)
    return part.to_dict()


def to_mime(data: dict) -> QMimeData:
    text = json.dumps(data, ensure_ascii=False, indent=1)
    mime = QMimeData()
    mime.setData(MIME_TYPE, text.encode("utf-8"))
    mime.setText(text)
    return mime


def from_mime(mime: QMimeData) -> dict | None:
    """The network data on the clipboard, or None if it holds something else."""
    if mime.hasFormat(MIME_TYPE):
        raw = bytes(mime.data(MIME_TYPE)).decode("utf-8", errors="replace")
    elif mime.hasText():
        raw = mime.text()
    else:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("nodes"), list) else None


def nodes_to_add(
    data: dict, graph: NetworkGraph, offset: tuple[float, float]
) -> tuple[list[Node], list[tuple[str, str]]]:
    """New nodes (fresh ids, shifted by `offset`) and their edges for pasting `data` into `graph`.

    Raises NetworkFileError when `data` is not a valid network fragment.
    """
    fragment = network_from_dict(data, "clipboard").graph
    ids = NetworkGraph()  # only its ids matter: unique_id() picks free ones among them
    for node_id in graph.nodes:
        ids.add_node("Input", node_id=node_id)
    renamed: dict[str, str] = {}
    nodes = []
    for node in fragment.nodes.values():
        new_id = ids.unique_id(node.id)
        ids.add_node("Input", node_id=new_id)
        renamed[node.id] = new_id
        nodes.append(
            Node(
                new_id, node.type, dict(node.params), (node.pos[0] + offset[0], node.pos[1] + offset[1]), node.trainable
            )
        )
    edges = [(renamed[src], renamed[dst]) for src, dst in fragment.edges]
    return nodes, edges


def release_clipboard() -> None:
    """Take our layers off the clipboard before the app ends.

    PySide6 crashes the interpreter at exit (segmentation fault) when the clipboard still holds a
    QMimeData created from Python, so the window clears it on shutdown when the content is ours.
    """
    clipboard = QGuiApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and mime.hasFormat(MIME_TYPE):
        clipboard.clear()
