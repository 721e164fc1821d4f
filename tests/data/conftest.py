"""Fixtures that write small datasets in the exact on-disk formats the loaders read.

Nothing here touches the network or the user's data folder: every root is a tmp_path.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from torchvision.datasets import CIFAR10, MNIST


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


@pytest.fixture
def md5_of() -> Callable[[Path], str]:
    return _md5


def _idx_bytes(array: np.ndarray) -> bytes:
    """MNIST's idx format: magic (0, 0, type 0x08 = uint8, ndim), big-endian dims, raw data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


MnistWriter = Callable[..., dict[str, np.ndarray]]


@pytest.fixture
def write_mnist() -> MnistWriter:
    """write_mnist(raw_dir, n_train, n_test, gz=False) writes the four idx files (gzipped with
    gz=True, as served by the mirrors) and returns the arrays written."""

    def write(raw_dir: Path, n_train: int = 30, n_test: int = 10, gz: bool = False) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(1)
        raw_dir.mkdir(parents=True, exist_ok=True)
        arrays = {
            "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
            "train-labels-idx1-ubyte": (np.arange(n_train) % 10).astype(np.uint8),
            "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
            "t10k-labels-idx1-ubyte": (np.arange(n_test) % 10).astype(np.uint8),
        }
        for name, array in arrays.items():
            data = _idx_bytes(array)
            if gz:
                (raw_dir / f"{name}.gz").write_bytes(gzip.compress(data))
            else:
                (raw_dir / name).write_bytes(data)
        return arrays

    return write


@pytest.fixture
def patch_mnist_checksums(monkeypatch: pytest.MonkeyPatch) -> Callable[[type[MNIST], Path], None]:
    """Make torchvision expect the checksums of our generated .gz files instead of the real ones."""

    def patch(cls: type[MNIST], gz_dir: Path) -> None:
        resources = [(name, _md5(gz_dir / name)) for name, _ in cls.resources]
        monkeypatch.setattr(cls, "resources", resources)

    return patch


_CIFAR_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


@pytest.fixture
def write_cifar(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, int], dict[str, np.ndarray]]:
    """write_cifar(root, per_batch) writes cifar-10-batches-py (5 training batches, a test batch,
    batches.meta) as pickled dicts like the real ones, and points torchvision's expected
    checksums at these files. Returns {batch name: images [n, 32, 32, 3]}, {batch name + ":labels":
    labels} and {"classes": class names}."""

    def write(root: Path, per_batch: int = 6) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(2)
        folder = root / CIFAR10.base_folder
        folder.mkdir(parents=True, exist_ok=True)
        written = {}
        names = [name for name, _ in CIFAR10.train_list + CIFAR10.test_list]
        for name in names:
            images = rng.integers(0, 256, (per_batch, 32, 32, 3), dtype=np.uint8)
            labels = [int(v) for v in rng.integers(0, 10, per_batch)]
            batch = {"batch_label": name, "labels": labels, "data": images.transpose(0, 3, 1, 2).reshape(per_batch, -1)}
            (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
            written[name] = images
            written[name + ":labels"] = np.array(labels)
        meta = {"label_names": _CIFAR_CLASSES, "num_cases_per_batch": per_batch, "num_vis": 3072}
        (folder / CIFAR10.meta["filename"]).write_bytes(pickle.dumps(meta, protocol=2))
        written["classes"] = _CIFAR_CLASSES
        monkeypatch.setattr(CIFAR10, "train_list", [[n, _md5(folder / n)] for n, _ in CIFAR10.train_list])
        monkeypatch.setattr(CIFAR10, "test_list", [[n, _md5(folder / n)] for n, _ in CIFAR10.test_list])
        monkeypatch.setattr(CIFAR10, "meta", {**CIFAR10.meta, "md5": _md5(folder / CIFAR10.meta["filename"])})
        return written

    return write


@pytest.fixture
def make_tgz() -> Callable[[Path, str, Path], Path]:
    """make_tgz(source_root, folder_name, archive) packs source_root/folder_name into a .tgz
    whose top-level entry is folder_name, as the real archives are."""

    def make(source_root: Path, folder_name: str, archive: Path) -> Path:
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(source_root / folder_name, arcname=folder_name)
        return archive

    return make


_IMAGENETTE_WNIDS = {"n01440764": "tench", "n03888257": "parachute", "n03417042": "garbage truck"}


@pytest.fixture
def write_imagenette() -> Callable[[Path], dict[str, str]]:
    """write_imagenette(root) writes root/imagenette2-160/{train,val}/<wnid>/*.JPEG for three
    classes: 4 training and 2 validation photos each, 160×213. Returns {wnid: class name}."""

    def write(root: Path) -> dict[str, str]:
        rng = np.random.default_rng(3)
        for split, count in (("train", 4), ("val", 2)):
            for wnid in _IMAGENETTE_WNIDS:
                folder = root / "imagenette2-160" / split / wnid
                folder.mkdir(parents=True, exist_ok=True)
                for i in range(count):
                    pixels = rng.integers(0, 256, (160, 213, 3), dtype=np.uint8)
                    Image.fromarray(pixels).save(folder / f"{wnid}_{i}.JPEG")
        return dict(_IMAGENETTE_WNIDS)

    return write
