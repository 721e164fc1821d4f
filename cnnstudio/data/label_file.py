"""A folder of images with a CSV label file: one row per image, `path,label`.

    path,label                      (an optional header row)
    scans/0001.png,cat
    scans/0002.png,dog;outdoor      (labels separated by ";": a multi-label row)

Paths are relative to the folder. Every row that cannot be used is reported by its line number, as a
SkippedFile whose path is "FILE.csv:LINE", and loading goes on with the good rows: a wrong number of
columns, an empty path or label, an absolute path, a path listed twice, a missing file, an image that
cannot be decoded, and a label outside the classes asked for.

A file in which any row holds several labels is a multi-label file: each image gets a 0/1 value per label
(labels [N, L], the label names sorted), a row with one label carries only that one, and a row is skipped when
one of its labels is outside the classes asked for. Otherwise each image has one class.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from cnnstudio.data.dataset import ImageDataset, SkippedFile
from cnnstudio.data.decode import decode_files, describe_decoding
from cnnstudio.data.errors import DataError
from cnnstudio.data.fit import check_input_shape
from cnnstudio.data.split import Loaded
from cnnstudio.progress import Progress

_PATH_HEADERS = frozenset({"path", "file", "filename", "file_name", "image", "image_path", "images"})
_LABEL_HEADERS = frozenset({"label", "labels", "class", "classes", "category", "target"})
_DEFAULT_SIDE = 64  # without an input shape, labelled images are fitted to this square


@dataclass(frozen=True)
class LabelRow:
    """One usable row of a label file: its line number, the path as written, and its labels (one or more)."""

    line: int
    path: str
    labels: list[str]


def _is_header(cells: list[str]) -> bool:
    return len(cells) == 2 and cells[0].strip().lower() in _PATH_HEADERS and cells[1].strip().lower() in _LABEL_HEADERS


def parse_label_rows(csv_path: Path) -> tuple[list[LabelRow], list[SkippedFile]]:
    """The rows of a label file with their label lists (";"-separated labels split, blanks and repeats
    dropped), and every bad row by line number. Blank lines are ignored; a header is recognised on the
    first row only (path/file/image, label/class). Raises DataError when the file cannot be read."""
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"There is no label file at {csv_path}. Give the CSV file that lists path,label.") from None
    except UnicodeDecodeError:
        raise DataError(f"{csv_path} is not a text file in UTF-8; save the label file as UTF-8 CSV.") from None
    except OSError as error:
        raise DataError(f"Could not read the label file {csv_path}: {error.strerror or error}.") from None
    rows: list[LabelRow] = []
    bad: list[SkippedFile] = []
    first_line: dict[str, int] = {}
    seen_content = False
    reader = csv.reader(text.splitlines())
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue

        def report(reason: str, row_line: int = line) -> None:
            bad.append(SkippedFile(f"{csv_path}:{row_line}", reason))

        if _is_header(cells):
            if seen_content:
                report("a header row in the middle of the file (only the first row may be a header)")
            seen_content = True
            continue
        seen_content = True
        if len(cells) != 2:
            report(f"{len(cells)} columns; a row is path,label (labels separated by ';')")
            continue
        path, label_text = cells[0].strip(), cells[1]
        labels = list(dict.fromkeys(part.strip() for part in label_text.split(";") if part.strip()))
        if not path:
            report("the path is empty")
        elif not labels:
            report(f"{path}: the label is empty")
        elif Path(path).is_absolute():
            report(f"{path}: an absolute path; write it relative to the image folder")
        elif (key := os.path.normpath(path)) in first_line:
            report(f"{path}: listed again (first on line {first_line[key]}); each image takes one row")
        else:
            first_line[key] = line
            rows.append(LabelRow(line, path, labels))
    return rows, bad


def _unknown(row: LabelRow, classes: Sequence[str] | None) -> list[str]:
    return [] if classes is None else [label for label in row.labels if label not in classes]


def _label_tensor(given: list[list[str]], names: list[str], multilabel: bool) -> torch.Tensor:
    index = {name: i for i, name in enumerate(names)}
    if not multilabel:
        return torch.tensor([index[labels[0]] for labels in given], dtype=torch.int64)
    labels = torch.zeros((len(given), len(names)), dtype=torch.uint8)
    for row, row_labels in enumerate(given):
        labels[row, [index[label] for label in row_labels]] = 1
    return labels


def load_labelled(
    folder: Path,
    csv_path: Path,
    input_shape: tuple[int, int, int] | None,
    progress: Progress | None = None,
    classes: Sequence[str] | None = None,
) -> Loaded:
    """The images of `folder` that the label file `csv_path` lists, decoded at input_shape (None: RGB at
    64×64), with every row that could not be used in Loaded.skipped.

    classes: the classes the labels must be among, in output order (a trained network's, say); None takes the
    labels the file uses, sorted. A file with a row of several labels gives a multi-label dataset. Raises
    DataError when nothing usable is left.
    """
    if not folder.is_dir():
        raise DataError(f"{folder} is not a folder; give the folder the paths in {csv_path.name} are relative to.")
    rows, skipped = parse_label_rows(csv_path)
    multilabel = any(len(row.labels) > 1 for row in rows)
    usable: list[LabelRow] = []
    for row in rows:
        file = folder / row.path
        where = f"{csv_path}:{row.line}"
        if unknown := _unknown(row, classes):
            known = ", ".join(classes or ())
            what = ", ".join(repr(label) for label in unknown)
            kind, kinds = ("label", "labels") if multilabel else ("class", "classes")
            skipped.append(SkippedFile(where, f"{row.path}: unknown {kind} {what} ({kinds}: {known})"))
        elif not file.exists():
            skipped.append(SkippedFile(where, f"{row.path}: no such file in {folder}"))
        elif not file.is_file():
            skipped.append(SkippedFile(where, f"{row.path}: a folder, not an image file"))
        else:
            usable.append(row)
    shape = check_input_shape(input_shape) if input_shape is not None else (3, _DEFAULT_SIDE, _DEFAULT_SIDE)
    images, kept, infos, unreadable = decode_files([folder / row.path for row in usable], shape, progress)
    row_of = {str(folder / row.path): row for row in usable}
    for failure in unreadable:
        row = row_of[failure.path]
        skipped.append(SkippedFile(f"{csv_path}:{row.line}", f"{row.path}: {failure.reason}"))
    skipped.sort(key=lambda item: int(item.path.rpartition(":")[2]))
    if not kept:
        example = f" (for example {skipped[0].path}: {skipped[0].reason})" if skipped else ""
        raise DataError(f"None of the rows of {csv_path} gives a usable image{example}. Fix the rows listed.")
    given = [usable[i].labels if multilabel else usable[i].labels[:1] for i in kept]
    names = list(classes) if classes is not None else sorted({label for labels in given for label in labels})
    if classes is None and len(names) < 2:
        raise DataError(
            f"The usable rows of {csv_path} all have the label {names[0]!r}; a classifier needs at least two classes."
        )
    labels = _label_tensor(given, names, multilabel)
    sources = [Path(usable[i].path).as_posix() for i in kept]
    dataset = ImageDataset(images, labels, names, name=folder.name, sources=sources)
    return Loaded(train=dataset, adaptations=describe_decoding(infos, shape), skipped=skipped)
