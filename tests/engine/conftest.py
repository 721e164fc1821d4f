"""Small designs and datasets that train in a fraction of a second on a CPU."""

from __future__ import annotations

import pytest
import torch

from cnnstudio.data import DataSplit, ImageDataset
from cnnstudio.graph import NetworkGraph


@pytest.fixture(autouse=True)
def one_cpu_thread():
    """Tiny networks gain nothing from intra-op threads, and on a busy 2-core machine OpenMP's barriers
    make them erratically slow; one thread also keeps float results independent of the core count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def stripes(count: int = 240, size: int = 8, channels: int = 1, seed: int = 0, classes: int = 2) -> ImageDataset:
    """Class k: bright stripes in orientation k (0 horizontal, 1 vertical, 2 diagonal), plus noise."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(count) % classes
    rows = torch.arange(size).view(size, 1).expand(size, size)
    cols = torch.arange(size).view(1, size).expand(size, size)
    patterns = [(rows % 2) == 0, (cols % 2) == 0, ((rows + cols) % 2) == 0]
    images = torch.stack([patterns[int(label)] for label in labels]).float() * 200
    images = images + torch.rand(count, size, size, generator=generator) * 55
    images = images.to(torch.uint8).unsqueeze(1).expand(count, channels, size, size).contiguous()
    return ImageDataset(images, labels, ["horizontal", "vertical", "diagonal"][:classes], "stripes")


def stripe_split(train: int = 240, val: int = 60, size: int = 8, channels: int = 1, classes: int = 2) -> DataSplit:
    return DataSplit(
        stripes(train, size, channels, 0, classes),
        stripes(val, size, channels, 1, classes),
        (0.5,) * channels,
        (0.3,) * channels,
    )


def chain_graph(graph: NetworkGraph, chain: list[tuple[str, str, dict]]) -> NetworkGraph:
    """`graph` with the layers of `chain` ((node id, layer type, parameters), input first) added and connected
    one after another."""
    previous = None
    for node_id, layer_type, params in chain:
        graph.add_node(layer_type, params, node_id=node_id)
        if previous:
            graph.connect(previous, node_id)
        previous = node_id
    return graph


def small_net(
    size: int = 8,
    channels: int = 1,
    classes: int = 2,
    *,
    softmax: bool = False,
    dropout: bool = False,
    batchnorm: bool = False,
) -> NetworkGraph:
    """input → conv → [bn] → relu → pool → flatten → [dropout] → fc [→ softmax]."""
    graph = NetworkGraph("small")
    chain = [
        ("input", "Input", {"channels": channels, "height": size, "width": size}),
        ("conv", "Conv2d", {"out_channels": 4, "kernel_size": 3, "padding": 1}),
    ]
    if batchnorm:
        chain.append(("bn", "BatchNorm2d", {}))
    chain += [("relu", "ReLU", {}), ("pool", "MaxPool2d", {"kernel_size": 2}), ("flatten", "Flatten", {})]
    if dropout:
        chain.append(("drop", "Dropout", {"p": 0.2}))
    chain.append(("fc", "Linear", {"out_features": classes}))
    if softmax:
        chain.append(("softmax", "Softmax", {}))
    return chain_graph(graph, chain)


def run_all(events) -> list:
    return list(events)


def of_kind(events: list, kind: str) -> list:
    return [event for event in events if event.kind == kind]


def train_run(root, name: str, *, epochs: int = 1, stop_early: bool = False, data: str = "xo:count=200"):
    """Train the xo template on `data` into root/name as the Training tab's worker would; returns the folder.

    stop_early: stop at the first batch message, leaving a stopped, resumable run.
    """
    from cnnstudio.engine import TrainConfig, TrainControl, train
    from cnnstudio.engine.launch import load_training_data
    from cnnstudio.graph.templates import load_template

    graph = load_template("xo")
    config = TrainConfig(epochs=epochs, batch_size=32, data=data)
    control = TrainControl()
    run_dir = root / name
    for event in train(graph, load_training_data(data, graph, config), config, run_dir, control=control):
        if stop_early and event.kind == "batch":
            control.stop()
        assert event.kind != "error", event
    return run_dir
