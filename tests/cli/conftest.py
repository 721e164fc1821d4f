"""The command-line tests use the fixtures of the packages whose commands they drive, and a small design
(LeNet-5 with seeded weights) and picture of a digit for `cnnstudio inspect`."""

import argparse

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.cli import inspection
from cnnstudio.graph import save_network
from cnnstudio.graph.templates import load_template
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.weights import save_state_dict, weights_path_for
from tests.camera.conftest import no_capture_thread_left_behind
from tests.engine.conftest import one_cpu_thread
from tests.pretrained.conftest import empty_torch_cache
from tests.pretrained.test_teach import shapes_folder
from tests.viz.conftest import efficientnet, lenet

__all__ = [
    "efficientnet",
    "empty_torch_cache",
    "lenet",
    "no_capture_thread_left_behind",
    "one_cpu_thread",
    "shapes_folder",
]


def run_inspect(*argv: str) -> int:
    """`cnnstudio inspect ARGV…` in this process; returns the exit code."""
    parser = argparse.ArgumentParser(prog="cnnstudio")
    inspection.add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["inspect", *argv])
    return args.func(args)


@pytest.fixture
def design(tmp_path):
    """LeNet-5 saved as a design with trained-looking (seeded) weights beside it."""
    torch.manual_seed(0)
    graph = load_template("lenet5")
    path = tmp_path / "lenet.cnn.json"
    save_network(graph, path)
    save_state_dict(build_module(graph).state_dict(), weights_path_for(path))
    return path


@pytest.fixture
def digit(tmp_path):
    canvas = np.zeros((64, 64), dtype=np.uint8)
    canvas[10:54, 28:36] = 255  # a "1"
    path = tmp_path / "one.png"
    Image.fromarray(canvas).save(path)
    return path
