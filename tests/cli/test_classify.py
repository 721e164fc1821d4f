"""`cnnstudio classify`: per-frame top classes and the frame rate; errors are one line, never a traceback."""

import argparse
import json

import pytest

from cnnstudio.cli.classify import add_commands
from cnnstudio.graph.io import save_network
from cnnstudio.graph.templates import load_template
from tests.camera.helpers import FRAMES_PER_PHOTO
from tests.pretrained.helpers import CAT_CLASSES


def run(argv):
    parser = argparse.ArgumentParser(prog="cnnstudio")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_classify_a_video_as_json_lines(photo_video, lite0, capsys):
    assert run(["classify", "--source", str(photo_video), "--json", "--top", "3"]) == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["frame"] for line in lines] == list(range(2 * FRAMES_PER_PHOTO))
    assert all(set(line) == {"frame", "top", "fps", "latency_ms"} and len(line["top"]) == 3 for line in lines)
    assert lines[0]["top"][0]["label"] in CAT_CLASSES and lines[-1]["top"][0]["label"] == "espresso"
    assert "[ended]" in captured.err and "classified 8 frames" in captured.err


def test_classify_text_output_stops_after_the_requested_frames(photo_video, lite0, capsys):
    assert run(["classify", "--source", str(photo_video), "--frames", "2", "--top", "1", "--mirror"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("frame     0  ") and "fps" in out[0] and " ms)" in out[0]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--source", "no/such/video.avi"], "is not a camera number, a video file or a folder of images"),
        (["--source", "63"], "camera 63 cannot be opened"),
        (["--source", "http://127.0.0.1:9/live.mjpg"], "network streams are not supported"),
        (["--source", "{video}", "--model", "torchvision:resnet18"], "the ImageNet weights of resnet18"),
        (["--source", "{video}", "--model", "nothing.cnn.json"], "no model 'nothing.cnn.json'"),
    ],
)
def test_errors_are_one_line_on_stderr(argv, message, photo_video, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    argv = [arg.replace("{video}", str(photo_video)) for arg in argv]
    assert run(["classify", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cnnstudio classify: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["--resolution", "wide"], ["--smoothing", "1.5"], ["--frames", "0"]])
def test_bad_options_are_refused_by_the_parser(argv):
    with pytest.raises(SystemExit):
        run(["classify", "--source", "0", *argv])


def test_a_text_file_named_as_a_video_is_refused_in_one_line(tmp_path, capsys):
    fake = tmp_path / "holiday.mp4"
    fake.write_text("not a video\n")
    model = tmp_path / "xo.cnn.json"
    save_network(load_template("xo"), model)
    assert run(["classify", "--model", str(model), "--source", str(fake), "--frames", "1"]) == 2
    err = capsys.readouterr().err
    assert "holiday.mp4 cannot be read as a video" in err and "Traceback" not in err
