"""An absurd batch size is refused before the first step, with the batch size that would fit."""

from __future__ import annotations

import torch

from cnnstudio.data import DataSplit, ImageDataset
from cnnstudio.engine import TrainConfig
from cnnstudio.engine.events import Error, Started
from cnnstudio.engine.loop import train
from cnnstudio.engine.memory import MemoryEstimate, available_memory, estimate_training_memory, memory_shortfall
from cnnstudio.graph.templates import load_template, retarget

from .conftest import small_net, stripe_split


def test_vgg_on_megapixel_images_with_a_big_batch_is_refused_with_a_size_that_fits(tmp_path):
    graph = load_template("vgg11")
    retarget(graph, 2, (3, 1024, 1024))
    images = torch.zeros(64, 3, 1024, 1024, dtype=torch.uint8)
    labels = torch.arange(64) % 2
    data = DataSplit(
        ImageDataset(images, labels, ["a", "b"]),
        ImageDataset(images[:2], labels[:2], ["a", "b"]),
        (0.5,) * 3,
        (0.25,) * 3,
    )
    events = list(train(graph, data, TrainConfig(epochs=1, batch_size=64, device="cpu"), tmp_path))
    assert not any(isinstance(event, Started) for event in events)
    error = events[-1]
    assert isinstance(error, Error) and error.error == "out_of_memory"
    assert "a batch of 64 images needs about" in error.message and "GiB" in error.message
    largest = int(error.hint.split("at most ")[1].split(",")[0])
    estimate = estimate_training_memory(graph)
    assert 0 < largest < 64
    assert estimate.for_batch(largest) <= available_memory(torch.device("cpu"))


def test_a_small_network_fits_and_trains(tmp_path):
    assert memory_shortfall(small_net(), 64, torch.device("cpu")) is None
    events = list(train(small_net(), stripe_split(), TrainConfig(epochs=1, batch_size=64), tmp_path))
    assert events[-1].kind == "finished"


def test_largest_batch_leaves_room_for_the_weights():
    estimate = MemoryEstimate(per_image=100, fixed=1_000)
    assert estimate.largest_batch(10_000) == 90
    assert estimate.largest_batch(500) == 0
