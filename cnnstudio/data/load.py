"""load_data: one entry point from a dataset spec to a DataSplit fitted to a network's input.

A spec is a built-in dataset name (see catalog.DATASETS), optionally with options, e.g.
"xo", "xo:size=28,count=2000", "shapes:count=6000"; anything else is the path of an image folder
(a folder that happens to be named like a built-in dataset can be given as "./xo"), optionally with
options after "?" (path_spec.py: "photos?labels=photos.csv").
"""

from __future__ import annotations

import os
from pathlib import Path

from cnnstudio.data.bundled import load_digits
from cnnstudio.data.catalog import DATASETS, DatasetInfo
from cnnstudio.data.dataset import DataSplit, ImageDataset
from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import check_input_shape, fit_images, size_text
from cnnstudio.data.folder import load_folder
from cnnstudio.data.label_file import load_labelled
from cnnstudio.data.medmnist_sets import is_medmnist_spec, load_medmnist
from cnnstudio.data.overrides import apply_overrides, builtin_overrides_path, folder_overrides_path
from cnnstudio.data.path_spec import parse_path_spec
from cnnstudio.data.quickdraw import is_quickdraw_folder, load_quickdraw
from cnnstudio.data.split import Loaded, make_split
from cnnstudio.data.synthetic import make_multi_shapes, make_shapes, make_xo
from cnnstudio.data.torchvision_sets import (
    default_root,
    load_cifar10,
    load_imagenette,
    load_mnist,
)
from cnnstudio.progress import Progress

_BY_NAME = {info.name: info for info in DATASETS}
_NAMES = ", ".join(_BY_NAME)


def parse_spec(spec: str) -> tuple[DatasetInfo, dict[str, int | float]] | None:
    """(dataset, options) for a built-in spec such as "xo:size=28"; None for a folder path."""
    name, _, option_text = spec.strip().partition(":")
    info = _BY_NAME.get(name.strip().lower())
    if info is None:
        return None
    options: dict[str, int | float] = {}
    declared = {option.name: option for option in info.options}
    for item in filter(None, (part.strip() for part in option_text.split(","))):
        key, sep, value = (s.strip() for s in item.partition("="))
        if key not in declared or not sep:
            accepted = ", ".join(f"{o.name}=… ({o.help})" for o in info.options) or "none"
            raise DataError(f"Dataset spec {spec!r}: {item!r} is not an option of {info.name}. Options: {accepted}.")
        kind = type(declared[key].default)
        try:
            options[key] = kind(value)
        except ValueError:
            expected = "a whole number" if kind is int else "a number"
            raise DataError(f"Dataset spec {spec!r}: {key} must be {expected}, not {value!r}.") from None
    return info, options


def _fit(loaded: Loaded, input_shape: tuple[int, int, int] | None) -> Loaded:
    """Fit a source's tensors (and its own validation split) to the network's input."""
    if input_shape is None:
        return loaded
    train_images, notes = fit_images(loaded.train.images, input_shape)
    train = ImageDataset(
        train_images, loaded.train.labels, loaded.train.classes, loaded.train.name, loaded.train.sources
    )
    val = None
    if loaded.val is not None:
        val_images, _ = fit_images(loaded.val.images, input_shape)
        val = ImageDataset(val_images, loaded.val.labels, loaded.val.classes, loaded.val.name, loaded.val.sources)
    return Loaded(train, val, loaded.adaptations + notes, loaded.skipped)


def _generate(
    info: DatasetInfo, options: dict[str, int | float], input_shape: tuple[int, int, int] | None, seed: int
) -> Loaded:
    """X's and O's or shapes (one or several per image), drawn at the network's input size unless the spec
    sets a size."""
    values = {option.name: option.default for option in info.options} | options
    notes = []
    if "size" in options or input_shape is None:
        height = width = int(values["size"])
    else:
        _, height, width = input_shape
        if (height, width) != (values["size"], values["size"]):
            notes.append(f"drew the images at {size_text(height, width)}, the network's input size")
    try:
        if info.name == "xo":
            dataset = make_xo(int(values["count"]), height, width, noise=float(values["noise"]), seed=seed)
        elif info.name == "multishapes":
            dataset = make_multi_shapes(int(values["count"]), height, width, seed=seed)
        else:
            dataset = make_shapes(int(values["count"]), height, width, seed=seed)
    except ValueError as error:
        raise DataError(f"Dataset {info.name}: {error}.") from None
    return _fit(Loaded(dataset, adaptations=notes), input_shape)


def _check_classes(classes: list[str] | tuple[str, ...], num_classes: int | None, name: str) -> None:
    if num_classes is not None and num_classes != len(classes):
        raise DataError(
            f"The network has {num_classes} outputs but {name} has {len(classes)} classes "
            f"({', '.join(classes)}). Set the last layer's output size to {len(classes)}."
        )


def load_data(
    spec: str,
    input_shape: tuple[int, int, int] | None = None,
    *,
    val_fraction: float = 0.2,
    seed: int = 0,
    root: str | os.PathLike | None = None,
    download: bool = True,
    progress: Progress | None = None,
    num_classes: int | None = None,
) -> DataSplit:
    """Load a dataset fitted to a network's input, split into training and validation images.

    spec: a built-in dataset ("xo", "shapes", "digits", "mnist", "fashion-mnist", "cifar10",
        "imagenette"), with options for generated sets ("xo:size=28,count=2000,noise=0.05"),
        a MedMNIST set ("medmnist:chestmnist@64", or the path of a MedMNIST .npz file; see
        medmnist_sets.py), or the path of an image folder with one sub-folder per class; "FOLDER?labels=FILE.csv" (see
        path_spec.labels_spec) takes the classes from a label file instead, and a folder of Quick Draw
        `.npy` bitmaps is read as doodles ("FOLDER?per_class=2000" caps the drawings per class).
    input_shape: the network's input (C, H, W). Images are scaled to cover H×W and centre-cropped,
        and converted to C channels; every change is listed in DataSplit.adaptations. None keeps
        the dataset's own size.
    val_fraction: share of each class held out for validation (stratified, seeded). Datasets with
        their own test split (MNIST, Fashion-MNIST, CIFAR-10, Imagenette) use it instead.
    seed: makes generation and the split reproducible.
    root: folder of the downloaded datasets (default: default_root()).
    download: fetch missing standard datasets; when False or offline, a DataError says which files
        to place where.
    progress: progress(message, fraction) callback; see cnnstudio.progress.
    num_classes: the network's number of outputs; a DataError is raised if the data's classes differ.

    Raises DataError for anything the user can fix, with a message saying what and how.
    """
    shape = None if input_shape is None else check_input_shape(input_shape)
    if not 0 <= val_fraction < 1:
        raise DataError(f"The validation fraction must be at least 0 and below 1, not {val_fraction}.")
    if is_medmnist_spec(spec):
        data_folder = Path(root).expanduser() if root is not None else default_root()
        loaded = _fit(load_medmnist(spec, data_folder, download, progress), shape)
        _check_classes(loaded.train.classes, num_classes, loaded.train.name)
        return make_split(loaded, val_fraction, seed)
    parsed = parse_spec(spec)
    if parsed is None:
        source = parse_path_spec(spec)
        folder = source.path
        if not folder.exists():
            raise DataError(
                f"There is no dataset called {spec!r} and no folder at {folder.resolve()}. "
                f"Choose one of {_NAMES}, or the path of a folder with one sub-folder of images per class."
            )
        if source.labels is not None:
            loaded = load_labelled(folder, source.labels, shape, progress)
        elif is_quickdraw_folder(folder):
            loaded = _fit(load_quickdraw(folder, source.per_class, progress), shape)
        else:
            loaded = load_folder(folder, shape, progress)
        _check_classes(loaded.train.classes, num_classes, str(folder))
        return make_split(apply_overrides(loaded, folder_overrides_path(source)), val_fraction, seed)

    info, options = parsed
    _check_classes(info.classes, num_classes, info.title)
    data_root = Path(root).expanduser() if root is not None else default_root()
    if info.name in ("xo", "shapes", "multishapes"):
        loaded = _generate(info, options, shape, seed)
    elif info.name == "digits":
        loaded = _fit(Loaded(load_digits()), shape)
    elif info.name in ("mnist", "fashion-mnist"):
        loaded = _fit(load_mnist(info.name == "fashion-mnist", data_root, download, progress), shape)
    elif info.name == "cifar10":
        loaded = _fit(load_cifar10(data_root, download, progress), shape)
    else:
        loaded = load_imagenette(shape or info.native_shape, data_root, download, progress)
    return make_split(apply_overrides(loaded, builtin_overrides_path(spec, data_root)), val_fraction, seed)


def overrides_file(spec: str, root: str | os.PathLike | None = None) -> Path:
    """The label overrides file that load_data(spec, root=root) applies (see data/overrides.py)."""
    if parse_spec(spec) is None:
        return folder_overrides_path(parse_path_spec(spec))
    return builtin_overrides_path(spec, Path(root).expanduser() if root is not None else default_root())
