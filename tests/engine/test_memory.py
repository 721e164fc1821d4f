"""An absurd batch size is refused before the first step, with the batch size that would fit."""

from __future__ import annotations

from collections import namedtuple

import psutil
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


def _fake_memory(monkeypatch, available):
    vmem = namedtuple("svmem", "total available percent used free")

    def virtual_memory():
        if isinstance(available, Exception):
            raise available
        return vmem(64 * 2**30, available, 50.0, 0, 0)

    monkeypatch.setattr(psutil, "virtual_memory", virtual_memory)


def test_free_cpu_memory_is_psutils_available_memory(monkeypatch):
    _fake_memory(monkeypatch, 3 * 2**30)
    assert available_memory(torch.device("cpu")) == 3 * 2**30


def test_the_guard_uses_psutils_figure_to_refuse_and_to_size_the_batch(monkeypatch):
    graph = small_net()
    estimate = estimate_training_memory(graph)
    _fake_memory(monkeypatch, estimate.for_batch(10) * 2)
    assert memory_shortfall(graph, 10, torch.device("cpu")) is None
    _fake_memory(monkeypatch, estimate.for_batch(10))
    message, hint = memory_shortfall(graph, 1000, torch.device("cpu"))
    assert f"a batch of 1000 images needs about {estimate.for_batch(1000) / 2**30:.1f} GiB" in message
    assert (
        hint == f"use a batch size of at most {estimate.largest_batch(int(estimate.for_batch(10) * 0.9))}, "
        "or a smaller input size or network"
    )


def test_no_check_when_psutil_cannot_read_the_memory(monkeypatch):
    _fake_memory(monkeypatch, psutil.AccessDenied())
    assert available_memory(torch.device("cpu")) is None
    assert memory_shortfall(small_net(), 10**9, torch.device("cpu")) is None
