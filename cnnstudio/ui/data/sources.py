"""What the Data tab can load: the built-in datasets, image folders and webcam captures, as specs.

Pure Python (no Qt): a `Source` plus the values of its spec options gives the spec string that
`cnnstudio.data.load_data` (and the training worker) reads, e.g. "xo:count=2000" or a folder path.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cnnstudio.data import DATASETS, DatasetInfo

# The option that draws generated images at a chosen side; 0 means "at the network's input size".
SIZE_OPTION = "size"
NETWORK_SIZE = 0
# Datasets that come with their own test split, which load_data uses instead of val_fraction.
OWN_TEST_SPLIT = frozenset({"mnist", "fashion-mnist", "cifar10", "imagenette"})
# A suggested generated dataset is kept below this many bytes (large inputs, e.g. 3×224×224, would
# otherwise hold gigabytes): load_data keeps every image in memory at the network's size.
SUGGESTED_BYTES = 100_000_000

_BY_NAME = {info.name: info for info in DATASETS}


@dataclass(frozen=True)
class Source:
    """A dataset the user can choose: a built-in one (`info`) or an image folder (`folder`)."""

    title: str
    info: DatasetInfo | None = None
    folder: Path | None = None
    captured: bool = False

    @property
    def key(self) -> str:
        """Identifies the source in the chooser (a built-in name or a folder path)."""
        return self.info.name if self.info is not None else str(self.folder)

    def spec(self, values: dict[str, int | float] | None = None) -> str:
        """The load_data spec for these option values (options left at their defaults are omitted)."""
        if self.info is None:
            return str(self.folder)
        chosen = []
        for option in self.info.options:
            value = (values or {}).get(option.name)
            if option.name == SIZE_OPTION:  # any size given is kept: without it, the network's size is used
                keep = value not in (None, NETWORK_SIZE)
            else:
                keep = value is not None and value != option.default
            if keep:
                chosen.append(f"{option.name}={value:g}" if isinstance(value, float) else f"{option.name}={value}")
        return self.info.name + (":" + ",".join(chosen) if chosen else "")

    @property
    def has_own_test_split(self) -> bool:
        return self.info is not None and self.info.name in OWN_TEST_SPLIT


def builtin_sources() -> list[Source]:
    return [Source(info.title, info=info) for info in DATASETS]


def builtin_source(name: str) -> Source:
    return Source(_BY_NAME[name].title, info=_BY_NAME[name])


def folder_source(folder: Path, captured: bool = False) -> Source:
    return Source(folder.name or str(folder), folder=folder, captured=captured)


def captured_sources(root: Path) -> list[Source]:
    """The webcam-captured datasets: folders under `root` that hold at least one class folder."""
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name.lower())
    except OSError:
        return []
    sources = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        try:
            has_class = any(sub.is_dir() and not sub.name.startswith(".") for sub in os.scandir(entry.path))
        except OSError:
            continue
        if has_class:
            sources.append(folder_source(Path(entry.path), captured=True))
    return sources


def suggest(input_shape: tuple[int, int, int] | None, classes: int | None) -> tuple[Source, dict[str, int]]:
    """An offline dataset that suits a design, with option values: the one whose number of classes
    matches the design's output (the channels break ties), else by channels: grayscale → digits,
    colour → shapes. LeNet-5 (1×28×28, 10 classes) gets digits."""
    offline = [info for info in DATASETS if info.offline]
    channels = input_shape[0] if input_shape else 1
    same_classes = [info for info in offline if len(info.classes) == classes]
    same_classes.sort(key=lambda info: info.native_shape[0] != channels)
    fallback = _BY_NAME["digits"] if channels == 1 else _BY_NAME["shapes"]
    info = same_classes[0] if same_classes else fallback
    values: dict[str, int] = {}
    count_option = next((option for option in info.options if option.name == "count"), None)
    if count_option is not None and input_shape is not None:
        per_image = input_shape[0] * input_shape[1] * input_shape[2]
        affordable = max(len(info.classes) * 20, SUGGESTED_BYTES // per_image // 100 * 100)
        if affordable < count_option.default:
            values["count"] = int(affordable)
    return Source(info.title, info=info), values
