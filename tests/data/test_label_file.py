"""A folder of images with a CSV label file: the good rows load, every bad row is reported by its line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnstudio.data import DataError, load_data
from cnnstudio.data.label_file import load_labelled, parse_label_rows
from cnnstudio.data.path_spec import labels_spec, parse_path_spec


def write_images(folder: Path, names: list[str], seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8)).save(path)


BAD_CSV = """path,label
cats/a.png,cat
cats/b.png,cat

dogs/c.png,dog
dogs/d.png,dog
missing.png,dog
broken.png,cat
cats/e.png,
cats/a.png,dog
too,many,columns
/abs/f.png,cat
path,label
dogs/g.png
,cat
dogs/h.png, dog ; dog
"""
# line → what its report says (line 4 is blank and ignored; line 1 is the header)
BAD_LINES = {
    7: "no such file",
    8: "not an image (text)",
    9: "the label is empty",
    10: "listed again (first on line 2)",
    11: "3 columns",
    12: "absolute path",
    13: "a header row in the middle",
    14: "1 columns",
    15: "the path is empty",
}


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "images"
    write_images(folder, ["cats/a.png", "cats/b.png", "cats/e.png", "dogs/c.png", "dogs/d.png", "dogs/h.png"])
    (folder / "broken.png").write_text("this is not a picture")
    csv = tmp_path / "labels.csv"
    csv.write_text(BAD_CSV)
    return folder, csv


def test_the_good_rows_load_and_every_bad_row_is_reported_by_line(labelled):
    folder, csv = labelled
    loaded = load_labelled(folder, csv, (3, 8, 8))
    dataset = loaded.train
    assert dataset.classes == ["cat", "dog"]
    assert dataset.sources == ["cats/a.png", "cats/b.png", "dogs/c.png", "dogs/d.png", "dogs/h.png"]
    assert dataset.labels.tolist() == [0, 0, 1, 1, 1]  # " dog ; dog" is one label, spaces trimmed
    assert dataset.images.shape == (5, 3, 8, 8)
    reported = {int(item.path.rpartition(":")[2]): item.reason for item in loaded.skipped}
    assert sorted(reported) == sorted(BAD_LINES)
    for line, text in BAD_LINES.items():
        assert text in reported[line], (line, reported[line])
    assert all(item.path.startswith(f"{csv}:") for item in loaded.skipped)


def test_rows_are_parsed_into_label_lists(tmp_path):
    csv = tmp_path / "labels.csv"
    csv.write_text("a.png,cat;outdoor; cat\nb.png,dog\n", encoding="utf-8-sig")  # a BOM, no header
    rows, bad = parse_label_rows(csv)
    assert bad == []
    assert [(row.line, row.path, row.labels) for row in rows] == [
        (1, "a.png", ["cat", "outdoor"]),
        (2, "b.png", ["dog"]),
    ]


def test_a_file_with_several_labels_in_a_row_loads_as_multi_label(tmp_path):
    write_images(tmp_path, ["a.png", "b.png", "c.png"])
    csv = tmp_path / "labels.csv"
    csv.write_text("path,labels\na.png,cat;outdoor\nb.png,dog\nc.png,outdoor;dog;cat\n")
    data = load_labelled(tmp_path, csv, (3, 8, 8)).train
    assert data.multilabel and data.classes == ["cat", "dog", "outdoor"]
    assert data.labels.tolist() == [[1, 0, 1], [0, 1, 0], [1, 1, 1]]
    assert [data.label_text(i) for i in range(3)] == ["cat, outdoor", "dog", "cat, dog, outdoor"]

    loaded = load_labelled(tmp_path, csv, (3, 8, 8), classes=["cat", "outdoor"])  # a trained run's labels
    assert loaded.train.labels.tolist() == [[1, 1]]
    reasons = {item.path.rpartition(":")[2]: item.reason for item in loaded.skipped}
    assert reasons == {
        "3": "b.png: unknown label 'dog' (labels: cat, outdoor)",
        "4": "c.png: unknown label 'dog' (labels: cat, outdoor)",
    }


def test_labels_outside_the_given_classes_are_reported(labelled):
    folder, csv = labelled
    loaded = load_labelled(folder, csv, (3, 8, 8), classes=["cat", "bird"])
    assert loaded.train.classes == ["cat", "bird"] and loaded.train.labels.tolist() == [0, 0]
    unknown = [item for item in loaded.skipped if "unknown class 'dog'" in item.reason]
    assert [int(item.path.rpartition(":")[2]) for item in unknown] == [5, 6, 7, 16]


def test_load_data_takes_a_folder_with_a_label_file(labelled):
    folder, csv = labelled
    spec = labels_spec(folder, csv)
    assert parse_path_spec(spec).labels == csv.resolve()
    split = load_data(spec, (1, 16, 16), val_fraction=0.4)
    assert split.classes == ["cat", "dog"] and len(split.train) + len(split.val) == 5
    assert len(split.skipped) == len(BAD_LINES)
    assert set(split.train.sources or []) | set(split.val.sources or []) == {
        "cats/a.png",
        "cats/b.png",
        "dogs/c.png",
        "dogs/d.png",
        "dogs/h.png",
    }


def test_unusable_label_files_say_what_to_do(tmp_path):
    write_images(tmp_path, ["a.png"])
    with pytest.raises(DataError, match="no label file"):
        load_data(labels_spec(tmp_path, tmp_path / "nope.csv"))
    (tmp_path / "one.csv").write_text("a.png,cat\n")
    with pytest.raises(DataError, match="at least two classes"):
        load_data(labels_spec(tmp_path, tmp_path / "one.csv"))
    (tmp_path / "none.csv").write_text("gone.png,cat\n")
    with pytest.raises(DataError, match=r"none.csv:1: gone.png: no such file"):
        load_data(labels_spec(tmp_path, tmp_path / "none.csv"))
    with pytest.raises(DataError, match="not an option of a folder"):
        load_data(f"{tmp_path}?colour=red")
