"""A multi-label run from the command line: trained on the generated multi-shapes set, evaluated with a per-label
table (one threshold for all labels or one each, refused with a message when out of range), and exported with
its task so that the exported model's outputs are read as independent probabilities."""

from __future__ import annotations

import json

import onnx
import pytest

from cnnstudio.cli.main import main
from tests.data.medmnist_files import write_multiclass_npz, write_multilabel_npz


@pytest.fixture(scope="module")
def multilabel_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("run") / "shapes"
    argv = ["train", "lenet5", "--data", "multishapes:count=200", "--epochs", "1", "--seed", "1", "--out", str(run)]
    assert main(argv) == 0
    return run


def test_evaluate_prints_each_labels_scores_at_the_chosen_threshold(multilabel_run, capsys):
    capsys.readouterr()
    assert main(["evaluate", str(multilabel_run), "--threshold", "0.3"]) == 0
    out = capsys.readouterr().out
    assert "macro AUROC" in out and "micro AUROC" in out and "exact match" in out
    rows = [line.split() for line in out.splitlines() if line.split()[:1] in (["circle"], ["cross"])]
    assert len(rows) == 2 and all(row[-2] == "0.30" for row in rows)  # the threshold column

    assert main(["evaluate", str(multilabel_run), "--threshold", "0.2,0.4,0.6,0.8", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [label["threshold"] for label in report["per_label"]] == [0.2, 0.4, 0.6, 0.8]
    assert report["task"] == "multi-label" and 0.0 <= report["macro_auroc"] <= 1.0


@pytest.mark.parametrize("value, message", [("1.5", "between 0 and 1"), ("high", "numbers between 0 and 1")])
def test_a_threshold_outside_0_to_1_is_refused_by_the_parser(multilabel_run, capsys, value, message):
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", str(multilabel_run), "--threshold", value])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_thresholds_for_another_number_of_labels_are_refused_with_the_count(multilabel_run, capsys):
    capsys.readouterr()
    assert main(["evaluate", str(multilabel_run), "--threshold", "0.5,0.5"]) == 2
    err = capsys.readouterr().err
    assert "one per label (4), not 2" in err and "Traceback" not in err


def test_the_exports_carry_the_task(multilabel_run, tmp_path, capsys):
    assert main(["export", str(multilabel_run), "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 0
    metadata = {prop.key: prop.value for prop in onnx.load(str(tmp_path / "m.onnx")).metadata_props}
    assert metadata["cnnstudio.task"] == "multi-label"
    assert main(["export", str(multilabel_run), "--format", "py", "-o", str(tmp_path / "m.py")]) == 0
    assert 'TASK = "multi-label"' in (tmp_path / "m.py").read_text()
    assert main(["export", str(multilabel_run), "--format", "script", "-o", str(tmp_path / "train.py")]) == 0
    assert "BCEWithLogitsLoss" in (tmp_path / "train.py").read_text()


def test_a_medmnist_format_npz_trains_and_evaluates_per_label_or_per_class(tmp_path, capsys):
    chest = write_multilabel_npz(tmp_path / "chest.npz")
    run = tmp_path / "chest-run"
    assert main(["train", "lenet5", "--data", str(chest), "--epochs", "1", "--out", str(run)]) == 0
    assert "14 labels (multi-label)" in capsys.readouterr().out
    assert main(["evaluate", str(run)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.split()[:1] == ["label"] and line.split()[1].isdigit()]
    assert len(rows) == 14 and "macro AUROC" in out  # one row per label (the file names none: "label 0" …)

    path = write_multiclass_npz(tmp_path / "path.npz")
    run = tmp_path / "path-run"
    assert main(["train", "lenet5", "--data", str(path), "--epochs", "1", "--out", str(run)]) == 0
    assert main(["evaluate", str(run)]) == 0
    out = capsys.readouterr().out
    assert "accuracy" in out and "macro AUROC" not in out
