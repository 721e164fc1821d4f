"""Quick Draw doodles: a folder of the data set's `numpy_bitmap` files, one `.npy` file per class.

    doodles/
        cat.npy        (N, 784) uint8: N drawings of 28×28 pixels, white strokes on black
        full_numpy_bitmap_bicycle.npy     (the name the download gives; the class is "bicycle")

Google publishes them at https://console.cloud.google.com/storage/quickdraw_dataset/full/numpy_bitmap
(about 100,000 drawings per class). A file is memory-mapped and only the first `per_class` drawings
are read, so a folder of real files loads in a moment and holds only what it trains on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from cnnstudio.data.dataset import ImageDataset, SkippedFile
from cnnstudio.data.errors import DataError
from cnnstudio.data.split import Loaded
from cnnstudio.progress import Progress

SIDE = 28
DEFAULT_PER_CLASS = 10_000
_PREFIX = "full_numpy_bitmap_"


def quickdraw_files(folder: Path) -> list[Path]:
    """The visible `.npy` files directly in `folder`, sorted by name (none for a file or a missing folder)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".npy" and not p.name.startswith("."))


def is_quickdraw_folder(folder: Path) -> bool:
    """True for a folder that holds `.npy` files: it is read as Quick Draw bitmaps."""
    return bool(quickdraw_files(folder))


def class_name(path: Path) -> str:
    """The class a bitmap file holds: its name without the download's "full_numpy_bitmap_" prefix."""
    stem = path.stem
    return stem[len(_PREFIX) :] if stem.startswith(_PREFIX) and len(stem) > len(_PREFIX) else stem


def _drawings(path: Path, per_class: int) -> tuple[np.ndarray, int]:
    """The first `per_class` drawings of a bitmap file as (n, 28, 28) uint8, and how many it holds;
    raises DataError with the reason a file cannot be used."""
    try:
        bitmaps = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise DataError(f"not a NumPy array file ({error})") from None
    if bitmaps.dtype != np.uint8 or bitmaps.ndim != 2 or bitmaps.shape[1] != SIDE * SIDE:
        raise DataError(
            f"holds {bitmaps.dtype} {tuple(bitmaps.shape)}, not Quick Draw's (N, {SIDE * SIDE}) uint8 bitmaps"
        )
    if not len(bitmaps):
        raise DataError("holds no drawings")
    return np.array(bitmaps[:per_class]).reshape(-1, SIDE, SIDE), len(bitmaps)


def load_quickdraw(folder: Path, per_class: int | None = None, progress: Progress | None = None) -> Loaded:
    """The drawings of a Quick Draw folder as 1×28×28 images, at most `per_class` (default
    DEFAULT_PER_CLASS) of each class; files that cannot be read are skipped with the reason."""
    cap = per_class or DEFAULT_PER_CLASS
    files = quickdraw_files(folder)
    parts: list[np.ndarray] = []
    classes: list[str] = []
    sources: list[str] = []
    skipped: list[SkippedFile] = []
    largest = 0
    for number, path in enumerate(files, start=1):
        try:
            drawings, total = _drawings(path, cap)
        except DataError as error:
            skipped.append(SkippedFile(str(path), str(error)))
            continue
        largest = max(largest, total)
        parts.append(drawings)
        classes.append(class_name(path))
        sources += [f"{path.name}#{i}" for i in range(len(drawings))]
        if progress is not None:
            progress("Reading Quick Draw bitmaps", number / len(files))
    if len(classes) < 2:
        reason = f" ({skipped[0].path}: {skipped[0].reason})" if skipped else ""
        raise DataError(
            f"{folder} has usable Quick Draw bitmaps for {len(classes)} class(es){reason}; a classifier needs at "
            "least two. Put one numpy_bitmap .npy file per class in the folder."
        )
    images = torch.from_numpy(np.concatenate(parts)).unsqueeze(1)
    labels = torch.cat([torch.full((len(part),), i, dtype=torch.int64) for i, part in enumerate(parts)])
    notes = []
    if largest > cap:
        notes.append(
            f"read the first {cap:,} drawings of each class (files hold up to {largest:,}); "
            f"choose how many with {folder}?per_class=N"
        )
    dataset = ImageDataset(images, labels, classes, name=folder.name, sources=sources)
    return Loaded(train=dataset, adaptations=notes, skipped=skipped)
