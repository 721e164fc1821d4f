"""MedMNIST v2: its `.npz` files (a path, or `medmnist:NAME[@SIZE]`) as a source with its official splits.

An `.npz` holds train_images/train_labels, val_images/val_labels and test_images/test_labels. Images are
uint8 [N, H, W] (grey) or [N, H, W, 3]; labels are [N, L]: L > 1 columns of 0/1 make a multi-label set
(ChestMNIST's 14 findings), one column of integers a single-label one. Named sets take their task and label
names from the `medmnist` package's INFO metadata (an optional extra); a named file is read from the data
folder or the folder the user gives, from medmnist's own folder (~/.medmnist), or downloaded with the
address and checksum INFO gives (size and progress shown; the file is only put in place once complete and
checked). Training uses the train split and validates on the val split; the test split is not read.
"""

from __future__ import annotations

import http.client
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.download import fetch
from cnnstudio.data.errors import DataError
from cnnstudio.data.split import Loaded
from cnnstudio.progress import Progress

PREFIX = "medmnist:"
SIZES = (28, 64, 128, 224)
SETS_2D = (
    "pathmnist",
    "chestmnist",
    "dermamnist",
    "octmnist",
    "pneumoniamnist",
    "retinamnist",
    "breastmnist",
    "bloodmnist",
    "tissuemnist",
    "organamnist",
    "organcmnist",
    "organsmnist",
)
_INSTALL = 'pip install "cnnstudio[medmnist]"'
_SPLITS = ("train", "val")


def is_medmnist_spec(spec: str) -> bool:
    """Whether `spec` names MedMNIST data: `medmnist:NAME[@SIZE]` or the path of an `.npz` file."""
    text = spec.strip()
    return text.lower().startswith(PREFIX) or text.lower().endswith(".npz")


@dataclass(frozen=True)
class MedMNISTSet:
    """A named set at one size: its file name, download address and checksum, task and label names."""

    name: str
    size: int
    url: str
    md5: str
    multilabel: bool
    labels: tuple[str, ...]
    title: str

    @property
    def filename(self) -> str:
        return f"{self.name}{'' if self.size == 28 else f'_{self.size}'}.npz"


def _info() -> dict[str, dict[str, Any]]:
    try:
        from medmnist import INFO
    except ImportError:
        raise DataError(f"MedMNIST data sets by name need the medmnist package: {_INSTALL}") from None
    return dict(INFO)


def medmnist_set(name: str, size: int) -> MedMNISTSet:
    """The metadata of a named 2D set (from medmnist.INFO). Raises DataError for unknown names and sizes."""
    info = _info()
    key = name.strip().lower()
    if key not in SETS_2D or key not in info:
        raise DataError(f"There is no 2D MedMNIST set called {name!r}. Choose one of {', '.join(SETS_2D)}.")
    if size not in SIZES:
        raise DataError(f"MedMNIST sets come at {', '.join(map(str, SIZES))} pixels, not {size}.")
    entry = info[key]
    suffix = "" if size == 28 else f"_{size}"
    labels = entry["label"]
    names = tuple(labels[str(i)] for i in range(len(labels)))
    title = f"{entry['python_class']} ({size} px)"
    return MedMNISTSet(
        key, size, entry[f"url{suffix}"], entry[f"MD5{suffix}"], entry["task"].startswith("multi-label"), names, title
    )


def parse_medmnist(spec: str) -> tuple[str, int]:
    """(name, size) of `medmnist:NAME[@SIZE]` (size 28 when not given)."""
    body = spec.strip()[len(PREFIX) :]
    name, at, size_text = body.partition("@")
    if not name.strip():
        raise DataError(f"Dataset spec {spec!r}: name a MedMNIST set, e.g. medmnist:chestmnist@64.")
    if not at:
        return name.strip(), 28
    try:
        return name.strip(), int(size_text)
    except ValueError:
        raise DataError(
            f"Dataset spec {spec!r}: the size after @ must be one of {', '.join(map(str, SIZES))}."
        ) from None


def candidate_folders(root: Path) -> list[Path]:
    """Where a named set's file is looked for, in order: the folder given (or the data folder), its
    `medmnist` sub-folder (where downloads go), and the medmnist package's own folder."""
    folders = [root, root / "medmnist"]
    try:
        from medmnist.info import DEFAULT_ROOT

        folders.append(Path(DEFAULT_ROOT))
    except ImportError:
        pass
    return folders


def load_medmnist(spec: str, root: Path, download: bool, progress: Progress | None) -> Loaded:
    """The train and val splits of a MedMNIST `.npz` path or `medmnist:NAME[@SIZE]` spec."""
    if not spec.strip().lower().startswith(PREFIX):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise DataError(f"There is no MedMNIST file at {path.resolve()}. Give the path of a MedMNIST .npz file.")
        known = _known_set(path)
        return read_npz(path, known.labels if known else None, known.multilabel if known else None)
    name, size = parse_medmnist(spec)
    medset = medmnist_set(name, size)
    found = next(
        (folder / medset.filename for folder in candidate_folders(root) if (folder / medset.filename).is_file()), None
    )
    if found is None:
        found = _download(medset, root / "medmnist", download, progress)
    return read_npz(found, medset.labels, medset.multilabel, medset.title)


def _known_set(path: Path) -> MedMNISTSet | None:
    """The named set a file is a copy of (chestmnist_64.npz), when medmnist is installed; else None."""
    stem, _, size = path.stem.lower().partition("_")
    if stem not in SETS_2D or (size and not size.isdigit()):
        return None
    try:
        return medmnist_set(stem, int(size or 28))
    except DataError:
        return None


def _download(medset: MedMNISTSet, folder: Path, download: bool, progress: Progress | None) -> Path:
    target = folder / medset.filename
    place = (
        f"download {medset.url} (MD5 {medset.md5}) with a browser and place it in {folder}, or pass the "
        "folder that holds it as the data folder (--data-root), or give the .npz file's path as the data"
    )
    if not download:
        raise DataError(f"{medset.title} is not on this computer and downloading is turned off; {place}.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fetch(medset.url, target, medset.md5, progress, medset.title)
    except (OSError, http.client.HTTPException, ValueError) as error:
        raise DataError(f"{medset.title} could not be downloaded ({error}); {place}.") from None
    return target


def read_npz(
    path: Path, label_names: tuple[str, ...] | None, multilabel: bool | None, title: str | None = None
) -> Loaded:
    """Read a MedMNIST-format file. label_names/multilabel: from the package's metadata (None: decided from
    the labels: L > 1 columns of 0/1 are multi-label)."""
    name = title or path.stem
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [
                f"{split}_{kind}" for split in _SPLITS for kind in ("images", "labels") if f"{split}_{kind}" not in npz
            ]
            if missing:
                raise DataError(
                    f"{path} is not a MedMNIST file: it has no {', '.join(missing)} "
                    "(a MedMNIST .npz holds train_, val_ and test_images and _labels)."
                )
            arrays = {key: npz[key] for key in (f"{s}_{k}" for s in _SPLITS for k in ("images", "labels"))}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path} cannot be read as a MedMNIST .npz file ({error}).") from None
    labels_train = _labels_2d(arrays["train_labels"], path, "train")
    is_multi = multilabel if multilabel is not None else _looks_multilabel(labels_train)
    if is_multi:
        count = labels_train.shape[1]
        classes = (
            list(label_names) if label_names and len(label_names) == count else [f"label {i}" for i in range(count)]
        )
    else:
        highest = max(int(arrays[f"{split}_labels"].max(initial=0)) for split in _SPLITS)
        count = max(highest + 1, len(label_names or ()))
        classes = list(label_names) if label_names and len(label_names) == count else [str(i) for i in range(count)]
    parts = []
    for split in _SPLITS:
        images = _images(arrays[f"{split}_images"], path, split)
        labels = _labels(arrays[f"{split}_labels"], path, split, is_multi, len(classes))
        if len(images) != len(labels):
            raise DataError(f"{path}: {split}_images has {len(images)} images but {split}_labels {len(labels)} rows.")
        parts.append(ImageDataset(images, labels, classes, name))
    task = f"multi-label, {len(classes)} labels" if is_multi else f"{len(classes)} classes"
    return Loaded(parts[0], parts[1], adaptations=[f"{name}: the official train and val splits ({task})"])


def _looks_multilabel(labels: np.ndarray) -> bool:
    return labels.shape[1] > 1 and bool(np.isin(labels, (0, 1)).all())


def _labels_2d(labels: np.ndarray, path: Path, split: str) -> np.ndarray:
    if labels.ndim == 1:
        labels = labels[:, None]
    if labels.ndim != 2 or not np.issubdtype(labels.dtype, np.integer) and not np.issubdtype(labels.dtype, np.floating):
        raise DataError(
            f"{path}: {split}_labels must be numbers shaped (images, labels), not {labels.dtype} {labels.shape}."
        )
    return labels


def _labels(labels: np.ndarray, path: Path, split: str, multilabel: bool, count: int) -> torch.Tensor:
    labels = _labels_2d(labels, path, split)
    if multilabel:
        if labels.shape[1] != count or not np.isin(labels, (0, 1)).all():
            raise DataError(f"{path}: {split}_labels must hold {count} columns of 0 or 1 (one per label).")
        return torch.from_numpy(labels.astype(np.uint8))
    if labels.shape[1] != 1 or (labels < 0).any() or (labels >= count).any():
        raise DataError(f"{path}: {split}_labels must be one class number from 0 to {count - 1} per image.")
    return torch.from_numpy(labels[:, 0].astype(np.int64))


def _images(images: np.ndarray, path: Path, split: str) -> torch.Tensor:
    if images.dtype != np.uint8 or images.ndim not in (3, 4) or (images.ndim == 4 and images.shape[3] not in (1, 3)):
        raise DataError(
            f"{path}: {split}_images must be uint8 [N, H, W] or [N, H, W, 3] as MedMNIST ships them, "
            f"not {images.dtype} {images.shape} (3D volumes are not supported)."
        )
    tensor = torch.from_numpy(np.ascontiguousarray(images))
    tensor = tensor.unsqueeze(1) if images.ndim == 3 else tensor.permute(0, 3, 1, 2)
    return tensor.contiguous()
