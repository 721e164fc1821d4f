"""The standard datasets, read with torchvision.datasets: MNIST, Fashion-MNIST, CIFAR-10 and
Imagenette (160 px).

torchvision provides the file formats, the download addresses and the checksums. The download
itself is done here (download.py) rather than by torchvision, to report byte-level progress to
the GUI, to allow cancelling, and to never leave a half-unpacked dataset behind. Archives already
placed in the data folder by hand are verified and unpacked without any network access.
"""

from __future__ import annotations

import http.client
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs
import torch

from cnnstudio.data.catalog import DATASETS
from cnnstudio.data.dataset import ImageDataset
from cnnstudio.data.decode import decode_files, describe_decoding
from cnnstudio.data.download import fetch, unpack
from cnnstudio.data.errors import DataError
from cnnstudio.data.split import Loaded
from cnnstudio.progress import Progress

if TYPE_CHECKING:  # torchvision is imported by the functions that read a set, not with this module
    from torchvision.datasets import MNIST

# The archive torchvision.datasets.Imagenette(size="160px") downloads.
IMAGENETTE_URL = "https://s3.amazonaws.com/fast-ai-imageclas/imagenette2-160.tgz"
IMAGENETTE_MD5 = "e793b78cc4c9e9a4ccc0c1155377a412"
_IMAGENETTE_FOLDER = "imagenette2-160"


def _offline_sets() -> str:
    """The sets that need no download as the dataset list names them, with the name the CLI takes:
    "X's and O's (xo), Shapes (shapes) or Digits (8×8) (digits)"."""
    names = [f"{info.title} ({info.name})" for info in DATASETS if info.offline and not info.multilabel]
    return ", ".join(names[:-1]) + f" or {names[-1]}"


def default_root() -> Path:
    """Where downloaded datasets live unless load_data is given a root: `datasets` in the user's CNN Studio
    data folder (the one the app keeps runs and captures in; `CNNSTUDIO_DATA_DIR` overrides it)."""
    override = os.environ.get("CNNSTUDIO_DATA_DIR")
    base = Path(override) if override else platformdirs.user_data_path("cnnstudio", appauthor=False)
    return base / "datasets"


@dataclass(frozen=True)
class _Archive:
    """One file to download: its name, mirror URLs, MD5, and the folder (relative to the root)
    it is placed and unpacked in."""

    filename: str
    urls: tuple[str, ...]
    md5: str
    folder: Path


def _mnist_archives(cls: type[MNIST]) -> list[_Archive]:
    folder = Path(cls.__name__) / "raw"
    return [_Archive(name, tuple(m + name for m in cls.mirrors), md5, folder) for name, md5 in cls.resources]


def _mnist_present(cls: type[MNIST], root: Path) -> bool:
    raw = root / cls.__name__ / "raw"
    return all((raw / name.removesuffix(".gz")).is_file() for name, _ in cls.resources)


def _cifar_archives() -> list[_Archive]:
    from torchvision.datasets import CIFAR10

    return [_Archive(CIFAR10.filename, (CIFAR10.url,), CIFAR10.tgz_md5, Path("."))]


def _cifar_present(root: Path) -> bool:
    from torchvision.datasets import CIFAR10

    names = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list] + [CIFAR10.meta["filename"]]
    return all((root / CIFAR10.base_folder / name).is_file() for name in names)


def _imagenette_archives() -> list[_Archive]:
    return [_Archive(f"{_IMAGENETTE_FOLDER}.tgz", (IMAGENETTE_URL,), IMAGENETTE_MD5, Path("."))]


def _imagenette_present(root: Path) -> bool:
    return all((root / _IMAGENETTE_FOLDER / split).is_dir() for split in ("train", "val"))


def _missing(title: str, archives: list[_Archive], root: Path, cause: str) -> DataError:
    folders = sorted({str(root / a.folder) for a in archives})
    files = "\n".join(f"  {a.urls[0]}" for a in archives)
    return DataError(
        f"{title} is not on this computer and {cause}.\n"
        f"To use it offline, download\n{files}\n"
        f"and place {'it' if len(archives) == 1 else 'them'} in {' and '.join(folders)}; "
        "CNN Studio unpacks and checks the files on the next load.\n"
        f"Or choose a dataset that needs no download: {_offline_sets()}."
    )


def _ensure(
    title: str, archives: list[_Archive], present: bool, root: Path, download: bool, progress: Progress | None
) -> None:
    """Make the dataset's files present: unpack archives found in place, download the others."""
    from torchvision.datasets.utils import check_integrity

    if present:
        return
    for archive in archives:
        folder = root / archive.folder
        path = folder / archive.filename
        if not check_integrity(str(path), archive.md5):
            if not download:
                damaged = f"{path} is incomplete or damaged, and " if path.exists() else ""
                raise _missing(title, archives, root, damaged + "downloading is turned off")
            errors = []
            for url in archive.urls:
                try:
                    fetch(url, path, archive.md5, progress, f"{title}: {archive.filename}")
                    break
                except (OSError, http.client.HTTPException, ValueError, DataError) as error:
                    errors.append(f"{url}: {error}")
            else:
                raise _missing(title, archives, root, "could not be downloaded (" + "; ".join(errors) + ")")
        if progress is not None:
            progress(f"Unpacking {archive.filename}", 0.0)
        unpack(path, folder)
        if progress is not None:
            progress(f"Unpacking {archive.filename}", 1.0)


def _damaged(title: str, where: Path, error: Exception) -> DataError:
    return DataError(
        f"The {title} files in {where} are damaged or incomplete ({error}). Delete that folder and "
        "load the dataset again to download fresh copies."
    )


def load_mnist(fashion: bool, root: Path, download: bool, progress: Progress | None) -> Loaded:
    """MNIST or Fashion-MNIST at 1×28×28, with its 10,000-image test split as validation."""
    from torchvision.datasets import MNIST, FashionMNIST

    cls = FashionMNIST if fashion else MNIST
    title = "Fashion-MNIST" if fashion else "MNIST"
    _ensure(title, _mnist_archives(cls), _mnist_present(cls, root), root, download, progress)
    parts = []
    for train in (True, False):
        try:
            data = cls(str(root), train=train, download=False)
        except (RuntimeError, AssertionError, ValueError, TypeError, OSError) as error:
            raise _damaged(title, root / cls.__name__ / "raw", error) from None
        parts.append(ImageDataset(data.data.unsqueeze(1).contiguous(), data.targets.long(), list(cls.classes), title))
    return Loaded(train=parts[0], val=parts[1])


def load_cifar10(root: Path, download: bool, progress: Progress | None) -> Loaded:
    """CIFAR-10 at 3×32×32, with its 10,000-image test batch as validation."""
    from torchvision.datasets import CIFAR10

    _ensure("CIFAR-10", _cifar_archives(), _cifar_present(root), root, download, progress)
    parts = []
    for train in (True, False):
        try:
            data = CIFAR10(str(root), train=train, download=False)
        except (RuntimeError, pickle.UnpicklingError, KeyError, ValueError, EOFError, OSError) as error:
            raise _damaged("CIFAR-10", root / CIFAR10.base_folder, error) from None
        images = torch.from_numpy(data.data).permute(0, 3, 1, 2).contiguous()
        labels = torch.tensor(data.targets, dtype=torch.int64)
        parts.append(ImageDataset(images, labels, list(data.classes), "CIFAR-10"))
    return Loaded(train=parts[0], val=parts[1])


def load_imagenette(shape: tuple[int, int, int], root: Path, download: bool, progress: Progress | None) -> Loaded:
    """Imagenette's 160 px photos decoded at shape (C, H, W), with its validation split."""
    from torchvision.datasets import Imagenette

    _ensure("Imagenette", _imagenette_archives(), _imagenette_present(root), root, download, progress)
    parts, infos, skipped = [], [], []
    for split in ("train", "val"):
        try:
            # loader=Path: list the samples through torchvision without decoding them; they are
            # decoded below in parallel, straight to the network's size.
            data = Imagenette(str(root), split=split, size="160px", download=False, loader=Path)
        except (RuntimeError, KeyError, FileNotFoundError) as error:
            raise _damaged("Imagenette", root / _IMAGENETTE_FOLDER, error) from None
        samples = [data[i] for i in range(len(data))]
        paths = [path for path, _ in samples]
        message = f"Decoding Imagenette ({split})"
        images, kept, split_infos, split_skipped = decode_files(paths, shape, progress, message)
        labels = torch.tensor([samples[i][1] for i in kept], dtype=torch.int64)
        parts.append(ImageDataset(images, labels, [names[0] for names in data.classes], "Imagenette"))
        infos += split_infos
        skipped += split_skipped
    if len(parts[0]) == 0:
        raise _damaged("Imagenette", root / _IMAGENETTE_FOLDER, RuntimeError("no readable training images"))
    return Loaded(train=parts[0], val=parts[1], adaptations=describe_decoding(infos, shape), skipped=skipped)
