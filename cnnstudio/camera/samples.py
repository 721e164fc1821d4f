"""Recording camera frames as training images: an image-folder dataset on disk, one sub-folder per class.

    samples/
        thumbs_up/   0000.jpg  0001.jpg …
        thumbs_down/ 0000.jpg …

This is the layout `cnnstudio.data.load_data(folder)` reads. Every image is written atomically (a
hidden temporary file renamed into place, which the data loader ignores), so a crash never leaves a
half-written sample that would break training.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from cnnstudio.fileio import atomic_write_bytes

JPEG_QUALITY = 95
_SAMPLE_NAME = re.compile(r"^(\d+)\.jpg$")
_FORBIDDEN = set('<>:"/\\|?*')


class SampleError(ValueError):
    """A class name or sample that cannot be used; the message is for the user."""


def check_class_name(name: str) -> str:
    """The class name, stripped, if it can be a folder name everywhere; SampleError otherwise."""
    text = name.strip()
    if not text or text in (".", "..") or text.startswith("."):
        raise SampleError(
            f"{name!r} cannot name a class: use letters, digits, spaces, - or _ (not empty, not starting with a dot)"
        )
    bad = sorted(_FORBIDDEN.intersection(text) | {c for c in text if ord(c) < 32})
    if bad:
        raise SampleError(f"{name!r} cannot name a class: it contains {' '.join(repr(c) for c in bad)}")
    return text


class SampleRecorder:
    """Writes frames into `root/<class>/NNNN.jpg` and keeps count. Existing samples are kept."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def classes(self) -> list[str]:
        """The class folders, in name order (the order load_data numbers them)."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def add_class(self, name: str) -> Path:
        folder = self.root / check_class_name(name)
        folder.mkdir(exist_ok=True)
        return folder

    def record(self, name: str, frame: np.ndarray) -> Path:
        """Save one BGR frame as the class's next JPEG sample; returns its path."""
        import cv2

        folder = self.add_class(name)
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        if not ok:
            raise SampleError(f"the frame ({frame.dtype} {frame.shape}) could not be encoded as JPEG")
        path = folder / f"{self._next_number(folder):04d}.jpg"
        atomic_write_bytes(path, encoded.tobytes())
        return path

    def samples(self, name: str) -> list[Path]:
        folder = self.root / check_class_name(name)
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

    def counts(self) -> dict[str, int]:
        """Samples per class, e.g. {"thumbs_down": 40, "thumbs_up": 38}."""
        return {name: len(self.samples(name)) for name in self.classes()}

    def delete(self, sample: str | os.PathLike) -> None:
        """Delete one sample (a path returned by record or samples)."""
        path = Path(sample)
        if path.resolve().parent.parent != self.root.resolve() or not path.is_file():
            raise SampleError(f"{path} is not a sample of {self.root}")
        path.unlink()

    @staticmethod
    def _next_number(folder: Path) -> int:
        numbers = [int(m.group(1)) for p in folder.iterdir() if (m := _SAMPLE_NAME.match(p.name))]
        return max(numbers, default=-1) + 1
