"""Data specs that name a path: an image folder, a Quick Draw folder, or a folder with a label file.

A path spec is the path itself, optionally followed by options after a question mark:

    photos                                  one sub-folder of images per class
    photos?labels=/data/photos.csv          the images listed in a label file (paths relative to the folder)
    doodles?per_class=2000                  a Quick Draw folder, at most 2,000 drawings of each class

A path that exists is always taken as it is (a folder may have a "?" in its name), so options only
apply to a spec whose text is not itself a path. The spec is one string because it is what a run
records and what the window's training worker, `evaluate` and the sweeps load again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cnnstudio.data.errors import DataError

_OPTIONS = {
    "labels": "a CSV label file (path, label) whose paths are relative to the folder",
    "per_class": "the most drawings of each class a Quick Draw folder loads (a whole number)",
}


@dataclass(frozen=True)
class PathSpec:
    """A path spec taken apart: the folder, its label file (None: classes are sub-folders), and the cap on
    drawings per class of a Quick Draw folder (None: the default cap)."""

    path: Path
    labels: Path | None = None
    per_class: int | None = None


def parse_path_spec(spec: str) -> PathSpec:
    """The folder and options of a path spec (see the module's docstring); raises DataError for an
    option it does not know or a value it cannot use."""
    if Path(spec).expanduser().exists() or "?" not in spec:
        return PathSpec(Path(spec).expanduser())
    path_text, _, option_text = spec.rpartition("?")
    values: dict[str, str] = {}
    for item in filter(None, option_text.split("&")):
        key, sep, value = (part.strip() for part in item.partition("="))
        if key not in _OPTIONS or not sep or not value:
            accepted = "; ".join(f"{name}=… ({text})" for name, text in _OPTIONS.items())
            raise DataError(f"Data spec {spec!r}: {item!r} is not an option of a folder. Options: {accepted}.")
        values[key] = value
    per_class = None
    if "per_class" in values:
        try:
            per_class = int(values["per_class"])
        except ValueError:
            per_class = 0
        if per_class < 1:
            raise DataError(
                f"Data spec {spec!r}: per_class must be a whole number above 0, not {values['per_class']!r}."
            )
    labels = Path(values["labels"]).expanduser() if "labels" in values else None
    return PathSpec(Path(path_text).expanduser(), labels, per_class)


def labels_spec(folder: str | os.PathLike[str], labels: str | os.PathLike[str]) -> str:
    """The spec of the images of `folder` labelled by the CSV file `labels`, with absolute paths (a run
    records it, so `cnnstudio evaluate` finds both from anywhere)."""
    return f"{Path(folder).expanduser().resolve()}?labels={Path(labels).expanduser().resolve()}"
