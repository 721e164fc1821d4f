"""`cnnstudio teach` and `cnnstudio compare-pretrained` give what the Teach panel and the comparison dialog
show, from the same core functions."""

import json

import cv2

from cnnstudio.cli.main import main
from cnnstudio.pretrained import load_classifier


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_teach_saves_a_classifier_that_tells_the_classes_apart(shapes_folder, tmp_path, lite0, capsys):
    design = tmp_path / "taught.cnn.json"
    code, out, _ = run(capsys, "teach", str(shapes_folder), "-o", str(design), "--epochs", "60", "--json")
    report = json.loads(out)
    assert code == 0 and report["classes"] == ["circle", "square"]
    assert report["train_images"] + report["val_images"] == 12 and report["train_accuracy"] == 1.0
    taught = load_classifier(str(design))
    assert taught.classes == ["circle", "square"]
    square = shapes_folder / "square" / "0.jpg"
    code, out, _ = run(capsys, "predict", str(square), "--model", str(design), "--top", "1", "--json")
    assert code == 0 and json.loads(out)["top"][0]["label"] == "square"


def test_teach_refuses_a_folder_with_one_class_in_one_line(tmp_path, photos, capsys):
    (tmp_path / "one" / "cat").mkdir(parents=True)
    cv2.imwrite(str(tmp_path / "one" / "cat" / "0.jpg"), photos["cat"])
    code, _, err = run(capsys, "teach", str(tmp_path / "one"), "-o", str(tmp_path / "x.cnn.json"))
    assert code == 2 and err.startswith("cnnstudio teach: ") and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.cnn.json").exists()


def test_compare_pretrained_prints_the_dialog_s_table(capsys, monkeypatch):
    from cnnstudio.engine.latency import Latency
    from cnnstudio.pretrained import compare

    monkeypatch.setattr(compare, "measure_latency", lambda *args, **kwargs: Latency(12.5, 0.5, 1, 10, "cpu"))
    code, out, _ = run(capsys, "compare-pretrained", "efficientnet_lite0", "torchvision:resnet18")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == [
        "Network", "Top-1", "%", "Top-5", "%", "Params", "GFLOPs", "File", "MB", "Latency", "ms", "Offline"
    ]  # fmt: skip
    assert lines[1].split()[0] == "EfficientNet-Lite0" and lines[1].split()[-2:] == ["12.5", "yes"]
    assert lines[2].split()[:3] == ["resnet18", "69.8", "89.1"]
    code, out, _ = run(capsys, "compare-pretrained", "torchvision:resnet18", "--json")
    (row,) = json.loads(out)
    assert code == 0 and row["spec"] == "torchvision:resnet18" and row["latency_ms"] == 12.5
    assert row["params"] == 11_689_512 and row["device"] == "cpu"
    assert (row["latency_iqr_ms"], row["batch"]) == (0.5, 1)


def test_compare_pretrained_measures_efficientnet_here(capsys):
    code, out, _ = run(capsys, "compare-pretrained", "efficientnet_lite0", "--repeats", "1", "--json")
    (row,) = json.loads(out)
    assert code == 0 and row["available_offline"] is True and row["latency_ms"] > 0


def test_an_unknown_network_is_one_line(capsys):
    code, _, err = run(capsys, "compare-pretrained", "keras:vgg")
    assert code == 2 and "not a pretrained network" in err and len(err.strip().splitlines()) == 1
