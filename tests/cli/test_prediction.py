"""`cnnstudio predict`: top classes of image files; errors are one line on stderr, never a traceback."""

import argparse
import json
import subprocess
import sys

import cv2
import pytest

from cnnstudio.cli.prediction import add_commands
from tests.data.helpers import write_phone_photo
from tests.pretrained.helpers import CAT_CLASSES


def run(argv):
    parser = argparse.ArgumentParser(prog="cnnstudio")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


@pytest.fixture
def photo_files(tmp_path, photos):
    paths = {}
    for name, frame in photos.items():
        paths[name] = tmp_path / f"{name}.jpg"
        cv2.imwrite(str(paths[name]), frame)
    return paths


def test_predict_names_the_photos(photo_files, lite0, capsys):
    assert run(["predict", str(photo_files["cat"]), str(photo_files["coffee"]), "--top", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == str(photo_files["cat"]) and len(out) == 8
    assert any(name in out[1] for name in CAT_CLASSES) and "espresso" in out[5]


def test_predict_json_lines(photo_files, lite0, capsys):
    assert run(["predict", str(photo_files["coffee"]), "--json", "--top", "2"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["image"] == str(photo_files["coffee"]) and line["top"][0]["label"] == "espresso"
    assert [set(entry) for entry in line["top"]] == [{"label", "prob"}] * 2


@pytest.mark.parametrize("orientation", [6, 8])
def test_a_phone_photo_is_classified_as_the_same_pixels_stored_upright(tmp_path, chelsea, lite0, capsys, orientation):
    jpeg, png = write_phone_photo(tmp_path, chelsea, orientation)
    assert run(["predict", str(jpeg), str(png), "--json", "--top", "5"]) == 0
    sideways, upright = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert sideways["top"] == upright["top"] and sideways["top"][0]["label"] in CAT_CLASSES


def test_an_unreadable_image_is_reported_and_the_others_still_classified(photo_files, tmp_path, lite0, capsys):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    assert run(["predict", str(broken), str(photo_files["coffee"]), "--json"]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 1 and "broken.jpg" in captured.err
    assert json.loads(captured.out)["top"][0]["label"] == "espresso"


def test_an_unusable_model_is_one_line_on_stderr(photo_files, capsys):
    assert run(["predict", str(photo_files["cat"]), "--model", "torchvision:resnet18"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnnstudio predict: the ImageNet weights of resnet18") and err.count("\n") == 1
    assert "Traceback" not in err


def test_registering_the_commands_loads_neither_torch_nor_opencv():
    code = (
        "import argparse, sys\n"
        "from cnnstudio.cli.prediction import add_commands as models\n"
        "from cnnstudio.cli.classify import add_commands as camera\n"
        "commands = argparse.ArgumentParser().add_subparsers()\n"
        "models(commands); camera(commands)\n"
        "print(sorted({'torch', 'cv2'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
