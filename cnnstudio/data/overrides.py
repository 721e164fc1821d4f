"""Label overrides: the user's decisions about suspected label errors, kept beside the data set.

The user's images and label files are never modified or moved. A decision per image goes into a JSON file
beside the data set, and loading the data set applies it (and says so in the data notes):

    {"format": "cnnstudio.label-overrides", "version": 1, "data": "/data/photos",
     "images": {"cat/a.jpg": {"action": "relabel", "label": "dog"},
                "cat/b.jpg": {"action": "exclude"},
                "dog/c.jpg": {"action": "keep"}}}

relabel: train with another class; exclude: leave the image out; keep: the label is right (the finder of
label issues stops suggesting it). Images are named by their source (ImageDataset.sources: a path
relative to the data set, "#i" for the i-th image of a built-in set, "test#i" in its own test split).

Where the file lives: `photos.label-overrides.json` beside an image folder `photos` (or beside the label
file `photos.csv`); for a built-in set, `label-overrides/NAME.json` in the folder of downloaded datasets.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import torch

from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.errors import DataError
from cnnstudio.data.path_spec import PathSpec
from cnnstudio.data.split import Loaded
from cnnstudio.fileio import atomic_write_text

FORMAT = "cnnstudio.label-overrides"
VERSION = 1
ACTIONS = ("relabel", "exclude", "keep")
_SUFFIX = ".label-overrides.json"


@dataclass(frozen=True)
class Override:
    """One decision: `action` one of ACTIONS; `label` the class name a relabel gives."""

    action: str
    label: str | None = None


def folder_overrides_path(source: PathSpec) -> Path:
    """The overrides file of an image folder (or of its label file): beside it."""
    base = (source.labels or source.path).expanduser().resolve()
    return base.with_name(base.stem + _SUFFIX if source.labels else base.name + _SUFFIX)


def builtin_overrides_path(spec: str, root: str | os.PathLike[str]) -> Path:
    """The overrides file of a built-in set (options included: "xo:count=2000" draws other images) in `root`,
    the folder of downloaded datasets."""
    name = re.sub(r"[^A-Za-z0-9.=-]+", "_", spec.strip().lower())
    return Path(root).expanduser() / "label-overrides" / f"{name}.json"


def read_overrides(path: Path) -> dict[str, Override]:
    """The decisions in an overrides file, by image source ({} when there is no file). Raises DataError for a
    file that is not an overrides file, saying which and how to fix it."""
    if not path.is_file():
        return {}
    fix = "fix it or delete it (the images themselves were never changed)"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"The label overrides file {path} cannot be read ({error}); {fix}.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise DataError(f"{path} is not a version {VERSION} label overrides file; {fix}.")
    images = document.get("images")
    if not isinstance(images, dict):
        raise DataError(f"{path}: 'images' must map image names to decisions; {fix}.")
    overrides: dict[str, Override] = {}
    for source, entry in images.items():
        action = entry.get("action") if isinstance(entry, dict) else None
        label = entry.get("label") if isinstance(entry, dict) else None
        if action not in ACTIONS or (action == "relabel") != isinstance(label, str):
            raise DataError(
                f"{path}: the decision for {source!r} must be relabel (with a label), exclude or keep; {fix}."
            )
        overrides[str(source)] = Override(action, label if action == "relabel" else None)
    return overrides


def write_override(path: Path, spec: str, source: str, override: Override | None) -> dict[str, Override]:
    """Record the decision for image `source` (None: forget it) in the overrides file at `path`, written
    atomically; returns all decisions now in the file."""
    if override is not None and (
        override.action not in ACTIONS or (override.action == "relabel") != bool(override.label)
    ):
        raise ValueError(f"not a decision: {override}")
    overrides = read_overrides(path)
    if override is None:
        overrides.pop(source, None)
    else:
        overrides[source] = override
    images = {
        name: {"action": item.action, **({"label": item.label} if item.label else {})}
        for name, item in sorted(overrides.items())
    }
    document = {"format": FORMAT, "version": VERSION, "data": spec, "images": images}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    return overrides


def _named(dataset: ImageDataset, prefix: str) -> ImageDataset:
    if dataset.sources is not None:
        return dataset
    sources = [f"{prefix}#{i}" for i in range(len(dataset))]
    return ImageDataset(dataset.images, dataset.labels, dataset.classes, dataset.name, sources)


def _apply(dataset: ImageDataset, overrides: dict[str, Override], counts: dict[str, int]) -> ImageDataset:
    index = {name: i for i, name in enumerate(dataset.classes)}
    labels = dataset.labels.clone()
    keep = torch.ones(len(dataset), dtype=torch.bool)
    for row, source in enumerate(dataset.sources or []):
        override = overrides.get(source)
        if override is None:
            continue
        counts["matched"] += 1
        if override.action == "exclude":
            keep[row] = False
            counts["excluded"] += 1
        elif override.action == "relabel":
            if override.label in index:
                labels[row] = index[override.label]
                counts["relabelled"] += 1
            else:
                counts["unknown"] += 1
    relabelled = ImageDataset(dataset.images, labels, dataset.classes, dataset.name, dataset.sources)
    return relabelled.subset(torch.nonzero(keep).flatten()) if not keep.all() else relabelled


def apply_overrides(loaded: Loaded, path: Path) -> Loaded:
    """The loaded data with every image named (ImageDataset.sources) and the decisions in the overrides file
    at `path` applied, with a note of what they changed."""
    train, val = _named(loaded.train, ""), None if loaded.val is None else _named(loaded.val, "test")
    overrides = read_overrides(path)
    if not overrides:
        return Loaded(train, val, loaded.adaptations, loaded.skipped)
    counts = dict.fromkeys(("matched", "relabelled", "excluded", "unknown"), 0)
    train = _apply(train, overrides, counts)
    val = None if val is None else _apply(val, overrides, counts)
    note = f"applied the label overrides in {path}: {counts['relabelled']} relabelled, {counts['excluded']} excluded"
    kept = counts["matched"] - counts["relabelled"] - counts["excluded"] - counts["unknown"]
    if kept:
        note += f", {kept} kept as labelled"
    if counts["unknown"]:
        note += f"; {counts['unknown']} relabel(s) to a class the data set does not have were ignored"
    if len(overrides) > counts["matched"]:
        note += f"; {len(overrides) - counts['matched']} name images the data set no longer has"
    return Loaded(train, val, [*loaded.adaptations, note], loaded.skipped)
