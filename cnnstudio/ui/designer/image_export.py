"""Rendering the whole design to an image (File ▸ Export ▸ Canvas Image)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from cnnstudio.ui import style
from cnnstudio.ui.designer.scene import NetworkScene

MAX_PIXELS = 12000  # per side; very deep networks are rendered smaller rather than failing


def render_design(scene: NetworkScene, scale: float = 2.0) -> QImage:
    """The design at `scale` (2: sharp on paper and high-DPI screens), on the canvas background."""
    scene.clearSelection()
    source = QRectF()
    for item in list(scene.nodes.values()) + list(scene.edges.values()):
        source = source.united(item.sceneBoundingRect())
    source = source.adjusted(-24, -24, 24, 24)
    scale = min(scale, MAX_PIXELS / max(source.width(), source.height(), 1.0))
    image = QImage(
        max(1, int(source.width() * scale)), max(1, int(source.height() * scale)), QImage.Format_ARGB32_Premultiplied
    )
    image.fill(QColor(style.CANVAS))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), source, Qt.KeepAspectRatio)
    painter.end()
    return image
