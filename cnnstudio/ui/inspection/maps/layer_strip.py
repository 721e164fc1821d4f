"""The strip under the feature maps: one map per layer of the whole network, each layer's name under its
map; clicking one shows that layer above."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from cnnstudio.ui import style
from cnnstudio.ui.widgets.images import to_qimage
from cnnstudio.viz.featuremaps import LayerStrip

STRIP_SIZE = 56


class LayerStripView(QWidget):
    """The strip of one map per layer with each layer's name under its map; `layer_clicked(name)`."""

    layer_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strip: LayerStrip | None = None
        self._image = None
        self._selected = ""
        self.setMouseTracking(True)
        self.setCursor(Qt.PointingHandCursor)

    def set_strip(self, strip: LayerStrip | None) -> None:
        self._strip = strip
        self._image = None if strip is None else to_qimage(strip.tiles.image)
        self.updateGeometry()
        self.adjustSize()
        self.update()

    def set_selected(self, name: str) -> None:
        self._selected = name
        self.update()

    def layers(self) -> list[str]:
        return list(self._strip.layers) if self._strip is not None else []

    def _label_height(self) -> int:
        return QFontMetrics(self.font()).height() + 6

    def sizeHint(self) -> QSize:
        if self._strip is None:
            return QSize(200, STRIP_SIZE + self._label_height())
        image = self._strip.tiles.image
        return QSize(image.shape[1], image.shape[0] + self._label_height())

    def tile_rect(self, index: int) -> QRectF:
        tiles = self._strip.tiles
        top, left = tiles.origin(index)
        return QRectF(left, top, tiles.map_width * tiles.scale, tiles.map_height * tiles.scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._strip is None or self._image is None:
            return
        painter = QPainter(self)
        painter.drawImage(0, 0, self._image)
        metrics = QFontMetrics(self.font())
        bottom = self._image.height()
        for index, name in enumerate(self._strip.layers):
            rect = self.tile_rect(index)
            if name == self._selected:
                painter.setPen(QPen(QColor(style.ACCENT), 3))
                painter.drawRect(rect.adjusted(-1, -1, 1, 1))
            painter.setPen(QColor(style.TEXT if name == self._selected else style.MUTED))
            label = metrics.elidedText(name, Qt.ElideMiddle, int(rect.width()) + 2)
            painter.drawText(
                QRectF(rect.left() - 2, bottom, rect.width() + 4, self._label_height()),
                Qt.AlignHCenter | Qt.AlignTop,
                label,
            )

    def _index_at(self, x: float) -> int | None:
        if self._strip is None:
            return None
        tiles = self._strip.tiles
        step = tiles.map_width * tiles.scale + tiles.padding
        index = int((x - tiles.padding) // step)
        return index if 0 <= index < len(self._strip.layers) else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().x())
        if index is not None:
            channel = self._strip.channels[index]
            shown = "the whole vector" if channel < 0 else f"its most active channel ({channel})"
            self.setToolTip(f"{self._strip.layers[index]}: {shown}")

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._index_at(event.position().x())
        if event.button() == Qt.LeftButton and index is not None:
            self.layer_clicked.emit(self._strip.layers[index])
