"""Pixels (numpy arrays) → Qt images and thumbnails: the one conversion every view uses.

Arrays are (H, W) grey, or (H, W, C) with C = 1, 3 or 4; `order` names the channels ("RGB", "BGR" for
camera frames, "RGBA" for overlays). Channel-first images ([C, H, W], as datasets hold them) go through
`channels_last` first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

_FORMATS = {"RGB": QImage.Format_RGB888, "BGR": QImage.Format_BGR888, "RGBA": QImage.Format_RGBA8888}
_CHANNELS = {"RGB": 3, "BGR": 3, "RGBA": 4}


def channels_last(image: Any) -> np.ndarray:
    """A [C, H, W] uint8 image (a numpy array or anything numpy can read, e.g. a CPU tensor) → (H, W, C)."""
    return np.asarray(image).transpose(1, 2, 0)


def to_qimage(pixels: np.ndarray, order: str = "RGB", *, copy: bool = True) -> QImage:
    """uint8 pixels → a QImage. With copy=False the image reads the array's memory: the caller keeps the
    array alive and unchanged while the image is used (the live video, 30 frames a second)."""
    array = np.ascontiguousarray(pixels)
    if array.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {array.dtype}")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    height, width = array.shape[:2]
    if array.ndim == 2:
        image = QImage(array.data, width, height, array.strides[0], QImage.Format_Grayscale8)
    elif array.ndim == 3 and order in _FORMATS and array.shape[2] == _CHANNELS[order]:
        image = QImage(array.data, width, height, array.strides[0], _FORMATS[order])
    else:
        raise ValueError(f"expected (H, W) or (H, W, {_CHANNELS.get(order, '?')}) {order} pixels, got {array.shape}")
    return image.copy() if copy else image


def thumbnail(pixels: np.ndarray, width: int, height: int | None = None, order: str = "RGB") -> QPixmap:
    """The image fitted into width×height (a square by default): enlarged by a whole factor with crisp
    pixels (an 8×8 digit), or shrunk smoothly (a photo)."""
    height = width if height is None else height
    image = to_qimage(pixels, order)
    factor = min(width // image.width(), height // image.height())
    if factor >= 1:
        size = (image.width() * factor, image.height() * factor)
        return QPixmap.fromImage(image.scaled(*size, Qt.IgnoreAspectRatio, Qt.FastTransformation))
    return QPixmap.fromImage(image.scaled(width, height, Qt.KeepAspectRatio, Qt.SmoothTransformation))
