"""The Inspect tab's saliency, fooling, embedding and arithmetic views on the command line: each prints or
writes what the window shows, computed by the same core function."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from cnnstudio.pretrained import load_classifier
from cnnstudio.viz.adversarial import adversarial_example
from cnnstudio.viz.attribution import saliency
from cnnstudio.viz.layer_values import layer_values
from tests.cli.conftest import run_inspect as run


@pytest.mark.parametrize("method", ["gradient", "guided"])
def test_saliency_writes_the_window_s_map_over_the_image(design, digit, tmp_path, capsys, monkeypatch, method):
    from cnnstudio.cli import inspect_attribution

    maps = []

    def recorded(*args, **kwargs):
        maps.append(saliency(*args, **kwargs))
        return maps[-1]

    monkeypatch.setattr("cnnstudio.viz.attribution.saliency", recorded)
    output = tmp_path / "saliency.png"
    argv = ["saliency", "--model", str(design), "--image", str(digit), "--method", method, "--class", "3"]
    assert run(*argv, "-o", str(output)) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{method} for class 3 (3)") and f"wrote {output} (28×28)" in out
    assert maps[0].method == method and maps[0].target == 3
    assert np.asarray(Image.open(output)).shape == (28, 28, 3)
    assert inspect_attribution.SALIENCY_CHOICES == ("gradient", "guided")


def test_adversarial_fools_efficientnet_on_the_cat_and_writes_the_image(lite0, chelsea, tmp_path, capsys):
    photo = tmp_path / "chelsea.png"
    Image.fromarray(chelsea).save(photo)
    output, change = tmp_path / "fooled.png", tmp_path / "change.png"
    argv = ["adversarial", "--model", "efficientnet_lite0", "--image", str(photo), "--epsilon", "2"]
    assert run(*argv, "-o", str(output), "--perturbation", str(change), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["attack"] == "FGSM" and report["fooled"] is True and report["linf"] <= 2.0
    assert "cat" in report["before"][0]["label"] and report["after"][0]["index"] != report["before"][0]["index"]
    fooled = np.asarray(Image.open(output))
    assert fooled.shape == (224, 224, 3) and np.asarray(Image.open(change)).shape == (224, 224, 3)
    # the written picture is the attack's: classified again it is still fooled
    x = lite0.preprocessing.tensor(photo)
    expected = adversarial_example(lite0.module, x, lite0.preprocessing, epsilon=2 / 255, classes=lite0.classes)
    assert np.array_equal(fooled, expected.image)


def test_a_targeted_pgd_attack_prints_before_and_after(design, digit, tmp_path, capsys):
    argv = ["adversarial", "--model", str(design), "--image", str(digit), "--epsilon", "64", "--steps", "20"]
    assert run(*argv, "--class", "4", "-o", str(tmp_path / "x.png")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"wrote {tmp_path / 'x.png'} (28×28)" and lines[1].startswith("PGD (20 steps), ε = 64/255 (")
    assert lines[2] == "before:" and lines[8].startswith("after:")  # the top 5 classes, before and after


def test_epsilon_out_of_range_is_refused_by_the_parser(design, digit, tmp_path):
    with pytest.raises(SystemExit):
        run("adversarial", "--model", str(design), "--image", str(digit), "--epsilon", "300", "-o", "x.png")


def test_embedding_writes_coordinates_a_scatter_and_the_neighbours(design, digit, tmp_path, capsys):
    points, plot = tmp_path / "points.csv", tmp_path / "points.png"
    argv = ["embedding", "--model", str(design), "--data", "digits", "--limit", "60", "--neighbours", "3"]
    assert run(*argv, "--image", str(digit), "-o", str(points), "--plot", str(plot), "--json") == 0
    report = json.loads(capsys.readouterr().out)
    with open(points) as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == report["images"] == 60 and set(rows[0]) == {"row", "label", "class", "x", "y"}
    assert report["input_placed_exactly"] is True and len(report["neighbours"]) == 3
    distances = [neighbour["distance"] for neighbour in report["neighbours"]]
    assert distances == sorted(distances)
    picture = np.asarray(Image.open(plot))
    assert picture.shape[0] == 640 and len(np.unique(picture.reshape(-1, 3), axis=0)) > 10  # dots in ten colours


def test_embedding_with_tsne_and_no_image_uses_the_first_image(design, tmp_path, capsys):
    points = tmp_path / "tsne.csv"
    argv = ["embedding", "--model", str(design), "--data", "digits", "--limit", "40", "--method", "tsne"]
    assert run(*argv, "-o", str(points)) == 0
    out = capsys.readouterr().out
    assert f"wrote {points} (40 images, TSNE coordinates)" in out and "beside its nearest neighbour" in out


@pytest.mark.parametrize("layer, channel, row, col", [("conv2", 5, 3, 4), ("pool1", 2, None, None)])
def test_arithmetic_prints_the_layer_s_own_sum(design, digit, capsys, layer, channel, row, col):
    position = ["--row", str(row), "--col", str(col)] if row is not None else []
    argv = ["arithmetic", "--model", str(design), "--image", str(digit), "--layer", layer, "--channel", str(channel)]
    assert run(*argv, *position, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    classifier = load_classifier(str(design))
    values = layer_values(classifier.module, classifier.preprocessing.tensor(digit), layer)
    expected = values.explain(channel, *((row, col) if row is not None else values.peak(channel)))
    assert report["layer"] == layer and report["matches"] is True
    assert report["explanation"]["value"] == pytest.approx(expected.value)
    if layer == "conv2":
        assert len(report["explanation"]["channels"]) == 6  # conv2 sums over conv1's six maps
        assert np.allclose(report["explanation"]["channels"][0]["kernel"], expected.channels[0].kernel)
    assert run(*argv, *position) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{layer} · output channel {channel}") and "the same as the arithmetic" in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["arithmetic", "--image", "IMAGE", "--layer", "fc1"], "not a convolution or pooling layer"),
        (["arithmetic", "--image", "IMAGE", "--layer", "conv1", "--channel", "9"], "has 6 channels"),
        (["arithmetic", "--image", "IMAGE", "--layer", "conv1", "--row", "2"], "both --row and --col"),
        (["arithmetic", "--image", "IMAGE", "--layer", "conv1", "--row", "99", "--col", "0"], "row"),
        (["saliency", "-o", "x.png"], "needs --image"),
        (["adversarial", "--image", "IMAGE", "-o", "x.unknown"], "end the file name with .png"),
        (["embedding", "--data", "nosuchset", "-o", "x.csv"], "nosuchset"),
    ],
)
def test_mistakes_are_one_line_and_exit_code_2(design, digit, capsys, argv, message):
    argv = [str(digit) if part == "IMAGE" else part for part in argv]
    assert run(*argv, "--model", str(design)) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and lines[0].startswith(f"cnnstudio inspect {argv[0]}:")


def test_the_picture_is_written_atomically(design, digit, tmp_path, monkeypatch):
    """A failed write leaves the previous picture whole (no partial PNG, no temporary file)."""
    output = tmp_path / "s.png"
    output.write_bytes(b"previous")

    def failing(self, *args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", failing)
    assert run("saliency", "--model", str(design), "--image", str(digit), "-o", str(output)) == 2
    assert output.read_bytes() == b"previous"
    left = sorted(path.name for path in tmp_path.iterdir())
    assert left == ["lenet.cnn.json", "lenet.safetensors", "one.png", "s.png"]
