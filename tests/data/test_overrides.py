"""Label overrides: decisions kept beside the data set, applied when it loads; the images never change."""

from __future__ import annotations

import json

import pytest

from cnnstudio.data import DataError, load_data
from cnnstudio.data.load import overrides_file
from cnnstudio.data.overrides import Override, read_overrides, write_override
from cnnstudio.data.path_spec import labels_spec
from tests.data.test_label_file import write_images


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    write_images(folder, [f"cat/{i}.png" for i in range(5)] + [f"dog/{i}.png" for i in range(5)])
    return folder


def everything(split) -> dict[str, int]:
    """Every image's label by its source, training and validation images together."""
    sources = split.train.sources + split.val.sources
    return dict(zip(sources, split.train.labels.tolist() + split.val.labels.tolist(), strict=True))


def test_loading_applies_the_decisions_and_says_so(photos):
    path = overrides_file(str(photos))
    assert path == photos.parent / "photos.label-overrides.json"
    before = {p.name: p.read_bytes() for p in photos.rglob("*.png")}
    write_override(path, str(photos), "cat/1.png", Override("relabel", "dog"))
    write_override(path, str(photos), "cat/2.png", Override("exclude"))
    write_override(path, str(photos), "dog/3.png", Override("keep"))
    write_override(path, str(photos), "dog/4.png", Override("exclude"))
    write_override(path, str(photos), "dog/4.png", None)  # forgotten again
    assert json.loads(path.read_text())["images"]["cat/1.png"] == {"action": "relabel", "label": "dog"}
    split = load_data(str(photos), (3, 8, 8))
    labels = everything(split)
    assert labels["cat/1.png"] == 1 and "cat/2.png" not in labels and labels["dog/4.png"] == 1 and len(labels) == 9
    assert any(
        note.startswith(f"applied the label overrides in {path}: 1 relabelled, 1 excluded, 1 kept")
        for note in split.adaptations
    )
    assert {p.name: p.read_bytes() for p in photos.rglob("*.png")} == before


def test_a_label_file_keeps_its_overrides_beside_it_and_built_in_sets_in_the_data_folder(photos, tmp_path):
    csv = tmp_path / "photos.csv"
    csv.write_text("".join(f"{kind}/{i}.png,{kind}\n" for kind in ("cat", "dog") for i in range(5)))
    spec = labels_spec(photos, csv)
    assert overrides_file(spec) == tmp_path / "photos.label-overrides.json"
    assert overrides_file("xo:count=200", tmp_path) == tmp_path / "label-overrides" / "xo_count=200.json"
    path = overrides_file("digits", tmp_path)
    write_override(path, "digits", "#0", Override("relabel", "7"))
    write_override(path, "digits", "#1", Override("relabel", "eleven"))
    split = load_data("digits", root=tmp_path)
    assert everything(split)["#0"] == 7
    assert any("1 relabel(s) to a class the data set does not have were ignored" in n for n in split.adaptations)


def test_a_damaged_overrides_file_is_reported(photos):
    path = overrides_file(str(photos))
    path.write_text("{not json")
    with pytest.raises(DataError, match="cannot be read.*delete it"):
        load_data(str(photos))
    path.write_text(json.dumps({"format": "cnnstudio.label-overrides", "version": 1, "images": {"a": {"action": "x"}}}))
    with pytest.raises(DataError, match="must be relabel \\(with a label\\), exclude or keep"):
        read_overrides(path)
