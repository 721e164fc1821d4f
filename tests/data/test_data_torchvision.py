"""The standard datasets, read from small files written in torchvision's exact on-disk formats.

Downloads are exercised with file:// URLs pointing at archives made here; nothing is fetched
from the network.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
import torch
from torchvision.datasets import CIFAR10, MNIST, FashionMNIST

import cnnstudio.data.torchvision_sets as tv_sets
from cnnstudio.data import DataError, load_data


def test_mnist_from_idx_files_uses_the_test_split_for_validation(tmp_path: Path, write_mnist) -> None:
    arrays = write_mnist(tmp_path / "MNIST" / "raw", n_train=30, n_test=10)
    split = load_data("mnist", root=tmp_path, download=False, val_fraction=0.5)

    assert (len(split.train), len(split.val)) == (30, 10)  # val_fraction does not apply
    assert split.image_shape == (1, 28, 28)
    assert split.classes == list(MNIST.classes)
    assert torch.equal(split.train.images[:, 0], torch.from_numpy(arrays["train-images-idx3-ubyte"]))
    assert split.val.labels.tolist() == arrays["t10k-labels-idx1-ubyte"].tolist()
    assert split.adaptations == []
    expected_mean = arrays["train-images-idx3-ubyte"].astype(np.float64).mean() / 255
    assert split.mean[0] == pytest.approx(expected_mean)


def test_mnist_fitted_to_an_rgb_network_says_so(tmp_path: Path, write_mnist) -> None:
    write_mnist(tmp_path / "MNIST" / "raw")
    split = load_data("mnist", (3, 32, 32), root=tmp_path, download=False)
    assert split.image_shape == split.val.image_shape == (3, 32, 32)
    assert split.adaptations == ["resized 28×28 → 32×32", "converted grayscale → 3 channels (RGB)"]


def test_fashion_mnist_from_idx_files(tmp_path: Path, write_mnist) -> None:
    write_mnist(tmp_path / "FashionMNIST" / "raw", n_train=20, n_test=5)
    split = load_data("fashion-mnist", root=tmp_path, download=False)
    assert (len(split.train), len(split.val)) == (20, 5)
    assert split.classes[0] == "T-shirt/top" and split.classes == list(FashionMNIST.classes)


def test_offline_error_says_what_is_missing_where_and_from_where(tmp_path: Path) -> None:
    with pytest.raises(DataError) as error:
        load_data("mnist", root=tmp_path, download=False)
    message = str(error.value)
    assert "MNIST is not on this computer" in message
    assert str(tmp_path / "MNIST" / "raw") in message
    for name, _ in MNIST.resources:
        assert MNIST.mirrors[0] + name in message
    assert "X's and O's (xo), Shapes (shapes) or Digits (8×8) (digits)" in message


def test_unreachable_download_raises_the_offline_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(CIFAR10, "url", (tmp_path / "nowhere" / "cifar.tgz").as_uri())
    with pytest.raises(DataError, match="could not be downloaded") as error:
        load_data("cifar10", root=tmp_path / "data", download=True)
    assert "cifar.tgz" in str(error.value) and str(tmp_path / "data") in str(error.value)


def test_mnist_downloads_from_a_mirror_with_progress(
    tmp_path: Path, write_mnist, patch_mnist_checksums, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    arrays = write_mnist(mirror, gz=True)
    patch_mnist_checksums(MNIST, mirror)
    monkeypatch.setattr(MNIST, "mirrors", [(tmp_path / "down").as_uri() + "/", mirror.as_uri() + "/"])
    calls: list[tuple[str, float]] = []

    split = load_data("mnist", root=tmp_path / "data", progress=lambda m, f: calls.append((m, f)))

    assert torch.equal(split.val.images[:, 0], torch.from_numpy(arrays["t10k-images-idx3-ubyte"]))
    messages = [m for m, _ in calls]
    assert any(m.startswith("Downloading MNIST: train-images-idx3-ubyte.gz (") for m in messages)
    assert "Unpacking t10k-labels-idx1-ubyte.gz" in messages
    assert all(0 <= f <= 1 for _, f in calls)


def test_a_damaged_archive_placed_by_hand_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / CIFAR10.filename).write_bytes(b"half a download")
    with pytest.raises(DataError, match="is incomplete or damaged, and downloading is turned off") as error:
        load_data("cifar10", root=tmp_path, download=False)
    assert str(tmp_path / CIFAR10.filename) in str(error.value)


def test_archives_placed_by_hand_are_unpacked_offline(tmp_path: Path, write_mnist, patch_mnist_checksums) -> None:
    raw = tmp_path / "MNIST" / "raw"
    write_mnist(raw, n_train=12, n_test=4, gz=True)
    patch_mnist_checksums(MNIST, raw)
    split = load_data("mnist", root=tmp_path, download=False)
    assert (len(split.train), len(split.val)) == (12, 4)


def test_cifar10_from_pickled_batches(tmp_path: Path, write_cifar) -> None:
    written = write_cifar(tmp_path, per_batch=6)
    split = load_data("cifar10", root=tmp_path, download=False)

    assert (len(split.train), len(split.val)) == (30, 6)
    assert split.classes == written["classes"]
    assert split.image_shape == (3, 32, 32)
    first = torch.from_numpy(written["data_batch_1"]).permute(0, 3, 1, 2)
    assert torch.equal(split.train.images[:6], first)
    assert split.val.labels.tolist() == written["test_batch:labels"].tolist()


def test_cifar10_fitted_to_a_grayscale_network(tmp_path: Path, write_cifar) -> None:
    write_cifar(tmp_path)
    split = load_data("cifar10", (1, 24, 24), root=tmp_path, download=False)
    assert split.image_shape == (1, 24, 24)
    assert split.adaptations == ["converted RGB → grayscale", "resized 32×32 → 24×24"]


def test_damaged_cifar_batches_raise_a_clear_error(tmp_path: Path, write_cifar) -> None:
    write_cifar(tmp_path)
    (tmp_path / CIFAR10.base_folder / "data_batch_3").write_bytes(b"damaged")
    with pytest.raises(DataError, match="damaged or incomplete") as error:
        load_data("cifar10", root=tmp_path, download=False)
    assert str(tmp_path / CIFAR10.base_folder) in str(error.value)


def test_cifar10_downloads_and_unpacks_the_archive(tmp_path: Path, write_cifar, make_tgz, md5_of, monkeypatch) -> None:
    source = tmp_path / "source"
    write_cifar(source)
    archive = make_tgz(source, CIFAR10.base_folder, tmp_path / "server" / CIFAR10.filename)
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", md5_of(archive))
    root = tmp_path / "data"
    fractions: list[float] = []

    split = load_data("cifar10", root=root, progress=lambda m, f: fractions.append(f))

    assert len(split.train) == 30
    assert fractions[-1] == 1.0
    assert (root / CIFAR10.filename).is_file()  # kept: it can be unpacked again offline
    assert not list(root.glob(".unpack-*")) and not list(root.glob(".*.tmp"))


def test_a_corrupted_download_leaves_nothing_behind(tmp_path: Path, write_cifar, make_tgz, monkeypatch) -> None:
    source = tmp_path / "source"
    write_cifar(source)
    archive = make_tgz(source, CIFAR10.base_folder, tmp_path / "server" / CIFAR10.filename)
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", hashlib.md5(b"something else").hexdigest())
    root = tmp_path / "data"
    with pytest.raises(DataError, match="checksum does not match"):
        load_data("cifar10", root=root)
    assert list(root.iterdir()) == []


def test_cancelling_a_download_leaves_nothing_behind(
    tmp_path: Path, write_cifar, make_tgz, md5_of, monkeypatch
) -> None:
    source = tmp_path / "source"
    write_cifar(source)
    archive = make_tgz(source, CIFAR10.base_folder, tmp_path / "server" / CIFAR10.filename)
    monkeypatch.setattr(CIFAR10, "url", archive.as_uri())
    monkeypatch.setattr(CIFAR10, "tgz_md5", md5_of(archive))
    monkeypatch.setattr("cnnstudio.data.download._CHUNK", 1024)  # several progress calls
    root = tmp_path / "data"

    class Cancelled(Exception):
        pass

    def cancel(message: str, fraction: float) -> None:
        if fraction > 0.3:
            raise Cancelled

    with pytest.raises(Cancelled):
        load_data("cifar10", root=root, progress=cancel)
    assert list(root.iterdir()) == []


def test_imagenette_decodes_photos_at_the_network_size(tmp_path: Path, write_imagenette) -> None:
    wnids = write_imagenette(tmp_path)
    split = load_data("imagenette", (3, 32, 32), root=tmp_path, download=False)
    # torchvision orders classes by WordNet id.
    assert split.classes == [wnids[w] for w in sorted(wnids)]
    assert (len(split.train), len(split.val)) == (12, 6)
    assert split.image_shape == (3, 32, 32)
    assert torch.bincount(split.val.labels).tolist() == [2, 2, 2]
    assert split.adaptations == ["resized 160×213 → 32×32 (scaled to cover, then centre-cropped)"]


def test_imagenette_native_size_is_a_160_square(tmp_path: Path, write_imagenette) -> None:
    write_imagenette(tmp_path)
    split = load_data("imagenette", root=tmp_path, download=False)
    assert split.image_shape == (3, 160, 160)


def test_imagenette_offline_error_names_the_archive(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="Imagenette is not on this computer") as error:
        load_data("imagenette", root=tmp_path, download=False)
    assert tv_sets.IMAGENETTE_URL in str(error.value)


def test_default_root_is_a_per_user_folder() -> None:
    root = tv_sets.default_root()
    assert root.name == "datasets" and "cnnstudio" in str(root)
