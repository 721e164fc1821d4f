"""uint8 image tensors → Qt images, scaled with whole pixels so tiny images (8×8 digits) stay crisp."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap


def to_qimage(image: torch.Tensor) -> QImage:
    """A [C, H, W] uint8 tensor (C = 1 or 3) as a QImage that owns its pixels."""
    pixels = np.ascontiguousarray(image.permute(1, 2, 0).numpy())
    height, width, channels = pixels.shape
    if channels == 1:
        qimage = QImage(pixels.data, width, height, width, QImage.Format_Grayscale8)
    else:
        qimage = QImage(pixels.data, width, height, 3 * width, QImage.Format_RGB888)
    return qimage.copy()  # detach from the numpy buffer


def thumbnail(image: torch.Tensor, side: int) -> QPixmap:
    """The image fitted into side×side: enlarged by a whole factor (nearest neighbour), or shrunk smoothly."""
    qimage = to_qimage(image)
    largest = max(qimage.width(), qimage.height())
    if largest <= side:
        factor = side // largest
        return QPixmap.fromImage(
            qimage.scaled(
                qimage.width() * factor, qimage.height() * factor, Qt.IgnoreAspectRatio, Qt.FastTransformation
            )
        )
    return QPixmap.fromImage(qimage.scaled(side, side, Qt.KeepAspectRatio, Qt.SmoothTransformation))
