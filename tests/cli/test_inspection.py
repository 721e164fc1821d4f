"""`cnnstudio inspect …` writes the pictures, and any mistake is one line on stderr with exit code 2."""

import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from cnnstudio.cli import inspection as commands
from cnnstudio.data.pipeline import FIT_MODES
from cnnstudio.pytorch.weights import save_state_dict, weights_path_for
from cnnstudio.viz.attribution import CAM_METHODS, SALIENCY_METHODS
from cnnstudio.viz.colormaps import COLORMAPS
from cnnstudio.viz.embedding import PROJECTIONS
from cnnstudio.viz.featuremaps import SORTS
from tests.cli.conftest import run_inspect as run
from tests.data.helpers import write_phone_photo


def _png(path) -> np.ndarray:
    picture = np.asarray(Image.open(path))
    assert picture.dtype == np.uint8 and picture.ndim == 3 and picture.shape[2] == 3
    return picture


@pytest.mark.parametrize(
    "argv",
    [
        ["activations", "--layer", "conv2", "--sort", "mean", "--hide-dead", "--scaling", "channel"],
        ["activations"],
        ["filters", "--layer", "conv2"],
        ["gradcam", "--class", "7", "--method", "gradcam++"],
        ["occlusion", "--patch", "8", "--stride", "8"],
        ["maximize", "--class", "3", "--steps", "3"],
        ["maximize", "--layer", "conv1", "--steps", "2"],
        ["deepdream", "--layer", "relu1", "--steps", "2", "--octaves", "2"],
    ],
)
def test_every_action_writes_a_picture(design, digit, tmp_path, capsys, argv):
    output = tmp_path / "out.png"
    image = ["--image", str(digit)] if argv[0] in ("activations", "gradcam", "occlusion", "deepdream") else []
    assert run(*argv, "--model", str(design), *image, "-o", str(output)) == 0
    picture = _png(output)
    assert f"wrote {output}" in capsys.readouterr().out
    if argv[0] in ("gradcam", "occlusion", "deepdream"):
        assert picture.shape == (28, 28, 3)
    if argv[:3] == ["maximize", "--layer", "conv1"]:
        assert picture.shape[0] > 28 * 2  # a gallery of the layer's six channels


@pytest.mark.parametrize(
    "argv, message",
    [
        (["gradcam"], "needs --image"),
        (["activations", "--image", "IMAGE", "--layer", "conv9"], "no layer 'conv9'"),
        (["gradcam", "--image", "IMAGE", "--class", "12"], "out of range"),
        (["maximize"], "needs --class C or --layer L"),
        (["maximize", "--class", "1", "--layer", "conv1"], "not both"),
        (["filters", "--layer", "relu1"], "not a convolution"),
        (["activations", "--image", "missing.png"], "cannot read the image"),
    ],
)
def test_mistakes_are_one_line_and_exit_code_2(design, digit, tmp_path, capsys, argv, message):
    argv = [str(digit) if part == "IMAGE" else part for part in argv]
    assert run(*argv, "--model", str(design), "-o", str(tmp_path / "x.png")) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith(f"cnnstudio inspect {argv[0]}:")
    assert "Traceback" not in captured.err


def test_a_model_that_is_not_there(tmp_path, capsys):
    assert run("filters", "--model", str(tmp_path / "nothing.cnn.json"), "-o", str(tmp_path / "x.png")) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_weights_that_do_not_fit_the_design(design, tmp_path, capsys):
    save_state_dict({"conv1.weight": torch.zeros(1)}, weights_path_for(design))
    assert run("filters", "--model", str(design), "-o", str(tmp_path / "x.png")) == 2
    assert "do not fit" in capsys.readouterr().err


def test_the_choices_are_the_library_s():
    assert commands.RESIZE_CHOICES == FIT_MODES and commands.SORT_CHOICES == SORTS
    assert commands.COLORMAP_CHOICES == COLORMAPS and commands.CAM_CHOICES == CAM_METHODS
    assert commands.SALIENCY_CHOICES == SALIENCY_METHODS and commands.PROJECTION_CHOICES == PROJECTIONS


def test_registering_the_command_does_not_import_the_heavy_libraries():
    code = (
        "import argparse, sys; from cnnstudio.cli.inspection import add_commands; "
        "add_commands(argparse.ArgumentParser().add_subparsers()); "
        "print(sorted(m for m in ('torch', 'captum', 'sklearn') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["activations", "--layer", "conv1"],
        ["gradcam", "--class", "7"],
        ["occlusion", "--patch", "8", "--stride", "4"],
        ["deepdream", "--layer", "relu1", "--steps", "2", "--octaves", "2"],
        ["gradcam", "--resize", "stretch"],
    ],
)
def test_a_phone_photo_is_inspected_as_the_same_pixels_stored_upright(design, tmp_path, capsys, argv):
    # Every action that takes an image (filters and maximize do not): a sideways JPEG with its EXIF
    # orientation gives exactly the picture and the printout of the same pixels stored upright.
    upright = np.zeros((64, 48, 3), dtype=np.uint8)
    upright[8:16, 8:40] = 255  # a "7": a bar at the top and a stroke down to the bottom left
    for row in range(16, 58):
        upright[row, 34 - (row - 16) // 2 : 40 - (row - 16) // 2] = 255
    jpeg, png = write_phone_photo(tmp_path, upright, 6)
    results = []
    for image in (jpeg, png):
        output = tmp_path / f"{image.stem}.png"
        assert run(*argv, "--model", str(design), "--image", str(image), "-o", str(output)) == 0
        printed = capsys.readouterr().out.replace(str(output), "OUT")
        results.append((_png(output), printed))
    (sideways, sideways_text), (stored_upright, upright_text) = results
    assert np.array_equal(sideways, stored_upright) and sideways_text == upright_text
