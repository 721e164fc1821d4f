"""Image folders: one sub-folder per class, as users arrange photos and the webcam capture writes.

    my_data/
        cat/   a.jpg  b.png  more/c.jpeg     (files in nested folders count for the class)
        dog/   ...

Hidden files and folders (dot names; the hidden attribute on Windows) are ignored. Everything
else that cannot be used is reported as a SkippedFile with the reason, and loading goes on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from statistics import median

import torch

from cnnstudio.data.dataset import ImageDataset, SkippedFile
from cnnstudio.data.decode import (
    ACCEPTED_EXTENSIONS,
    ImageHeader,
    decode_files,
    describe_decoding,
    map_files,
    read_header,
)
from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import check_input_shape
from cnnstudio.data.split import Loaded
from cnnstudio.progress import Progress

# Without an input shape, a folder whose images all share one size up to this side keeps it;
# otherwise images are fitted to a square of the median short side, at most _DEFAULT_SIDE.
_MAX_NATIVE_SIDE = 1024
_DEFAULT_SIDE = 224

_EXTENSIONS_TEXT = ", ".join(sorted(ACCEPTED_EXTENSIONS))


def _is_hidden(entry: os.DirEntry) -> bool:
    if entry.name.startswith("."):
        return True
    if os.name == "nt":
        attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
        return bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)
    return False


def _visible_entries(directory: Path) -> list[os.DirEntry]:
    with os.scandir(directory) as entries:
        return sorted((e for e in entries if not _is_hidden(e)), key=lambda e: e.name)


def _files_under(directory: Path) -> Iterator[Path]:
    """Visible files under directory, recursively, in a stable order (symlinked folders are not
    followed, so a link loop cannot recurse forever)."""
    for entry in _visible_entries(directory):
        if entry.is_dir(follow_symlinks=False):
            yield from _files_under(Path(entry.path))
        elif entry.is_file():
            yield Path(entry.path)


def scan_folder(folder: Path) -> tuple[list[str], list[list[Path]], list[SkippedFile]]:
    """Class names, each class's image files, and the files that are not candidate images."""
    if not folder.is_dir():
        raise DataError(
            f"{folder} is a file, not a folder. Choose a folder that holds one sub-folder of images per class."
        )
    try:
        return _scan(folder)
    except OSError as error:
        raise DataError(f"Could not read the folder {error.filename or folder}: {error.strerror or error}.") from None


def _scan(folder: Path) -> tuple[list[str], list[list[Path]], list[SkippedFile]]:
    classes: list[str] = []
    files: list[list[Path]] = []
    skipped: list[SkippedFile] = []
    for entry in _visible_entries(folder):
        if entry.is_dir():
            classes.append(entry.name)
            files.append([])
            for path in _files_under(Path(entry.path)):
                if path.suffix.lower() in ACCEPTED_EXTENSIONS:
                    files[-1].append(path)
                else:
                    kind = path.suffix or "no extension"
                    skipped.append(SkippedFile(str(path), f"not an accepted image type ({kind})"))
        else:
            skipped.append(SkippedFile(entry.path, "not inside a class folder"))
    if not classes:
        loose = f" (the {len(skipped)} files directly in it are not used)" if skipped else ""
        raise DataError(
            f"{folder} has no sub-folders{loose}. Put the images of each class in a sub-folder "
            f"named after the class, for example {folder / 'cat'} and {folder / 'dog'}."
        )
    return classes, files, skipped


def _native_shape(headers: list[ImageHeader]) -> tuple[int, int, int]:
    channels = 1 if all(h.grayscale for h in headers) else 3
    sizes = {(h.height, h.width) for h in headers}
    if len(sizes) == 1:
        ((height, width),) = sizes
        if max(height, width) <= _MAX_NATIVE_SIDE:
            return channels, height, width
    side = int(min(_DEFAULT_SIDE, median(min(h.height, h.width) for h in headers)))
    return channels, side, side


def _probe(
    paths: list[Path], labels: list[int], progress: Progress | None
) -> tuple[list[Path], list[int], list[ImageHeader], list[SkippedFile]]:
    """Read every header; keep the files that have a readable one."""
    headers = map_files(lambda _, path: read_header(path), paths, progress, "Reading image sizes")
    keep = [i for i, header in enumerate(headers) if isinstance(header, ImageHeader)]
    skipped = [
        SkippedFile(str(p), str(h)) for p, h in zip(paths, headers, strict=True) if not isinstance(h, ImageHeader)
    ]
    return [paths[i] for i in keep], [labels[i] for i in keep], [headers[i] for i in keep], skipped  # type: ignore[misc]


def _nothing_readable(folder: Path, skipped: list[SkippedFile]) -> DataError:
    example = next(s for s in skipped if s.reason != "not inside a class folder")
    return DataError(
        f"None of the image files in {folder} could be read (for example {example.path}: "
        f"{example.reason}). Use JPEG, PNG, BMP, WebP or TIFF images."
    )


def load_folder(folder: Path, input_shape: tuple[int, int, int] | None, progress: Progress | None = None) -> Loaded:
    """Decode every image of an image folder at input_shape (None: a size the images suggest)."""
    classes, class_files, skipped = scan_folder(folder)
    paths = [path for files in class_files for path in files]
    labels = [label for label, files in enumerate(class_files) for _ in files]
    if not paths:
        raise DataError(
            f"No image files ({_EXTENSIONS_TEXT}) were found in the class folders of {folder}. "
            "Put images in the sub-folders, one sub-folder per class."
        )
    if input_shape is None:
        paths, labels, headers, unreadable = _probe(paths, labels, progress)
        skipped += unreadable
        if not paths:
            raise _nothing_readable(folder, skipped)
        shape = _native_shape(headers)
    else:
        shape = check_input_shape(input_shape)
    images, kept, infos, unreadable = decode_files(paths, shape, progress)
    skipped += unreadable
    if not kept:
        raise _nothing_readable(folder, skipped)
    kept_labels = torch.tensor([labels[i] for i in kept], dtype=torch.int64)
    present = torch.unique(kept_labels).tolist()
    for label, name in enumerate(classes):
        if label not in present:
            skipped.append(SkippedFile(str(folder / name), "class folder has no usable images; class left out"))
    if len(present) < 2:
        raise DataError(
            f"{folder} has usable images for only one class ({classes[present[0]]}); a classifier "
            "needs at least two. Add a sub-folder of images for each other class."
        )
    relabel = torch.full((len(classes),), -1, dtype=torch.int64)
    relabel[present] = torch.arange(len(present))
    sources = [paths[i].relative_to(folder).as_posix() for i in kept]
    dataset = ImageDataset(images, relabel[kept_labels], [classes[i] for i in present], folder.name, sources)
    return Loaded(train=dataset, adaptations=describe_decoding(infos, shape), skipped=skipped)
