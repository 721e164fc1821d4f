"""The canvas view: zoom (wheel, buttons), pan (middle button, trackpad), rubber-band selection,
fit-to-view, and the drop target for layers dragged from the palette."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGraphicsView, QHBoxLayout, QLabel, QToolButton, QWidget

from cnnstudio.ui import style
from cnnstudio.ui.designer.minimap import Minimap
from cnnstudio.ui.designer.scene import NetworkScene

MIN_SCALE = 0.08
MAX_SCALE = 3.0
READABLE_SCALE = 0.75  # below this the cards' text gets hard to read; loading a design never goes lower
STEP = 1.2
OVERLAY_GAP = 6  # pixels between the zoom bar and the design a fit shows


class CanvasView(QGraphicsView):
    """Shows a NetworkScene. `layer_dropped(type, scene_pos)` when a palette layer is dropped here."""

    layer_dropped = Signal(str, QPointF)
    zoom_changed = Signal(float)

    def __init__(self, scene: NetworkScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setFrameShape(QGraphicsView.NoFrame)
        self.setFocusPolicy(Qt.StrongFocus)
        self._pan_from: QPoint | None = None
        self.overlay = _ZoomOverlay(self)
        self.zoom_changed.connect(self.overlay.show_zoom)
        self.minimap = Minimap(self)

    @property
    def network_scene(self) -> NetworkScene:
        return self.scene()

    # ----- zoom
    def scale_factor(self) -> float:
        return self.transform().m11()

    def set_scale(self, scale: float) -> None:
        scale = min(max(scale, MIN_SCALE), MAX_SCALE)
        self.scale(scale / self.scale_factor(), scale / self.scale_factor())
        self.zoom_changed.emit(scale)

    def zoom_in(self) -> None:
        self._zoom_centered(STEP)

    def zoom_out(self) -> None:
        self._zoom_centered(1 / STEP)

    def _zoom_centered(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.AnchorViewCenter)
        self.set_scale(self.scale_factor() * factor)
        self.setTransformationAnchor(anchor)

    def design_rect(self) -> QRectF:
        """The layers' extent with a margin (empty for an empty design)."""
        rect = QRectF()
        for item in self.network_scene.nodes.values():
            rect = rect.united(item.sceneBoundingRect())
        return rect.adjusted(-40, -40, 40, 40)

    def free_area(self) -> QRectF:
        """The part of the viewport that the zoom bar does not cover (the band under it, full width)."""
        viewport = QRectF(self.viewport().rect())
        return viewport.adjusted(0, self.overlay.geometry().bottom() + OVERLAY_GAP, 0, 0)

    def _show(self, scale: float, anchor: QPointF, target: QPointF) -> None:
        """Zoom to `scale` and scroll so that the scene point `anchor` appears at the viewport point `target`."""
        self.set_scale(scale)
        self.centerOn(anchor + (QPointF(self.viewport().rect().center()) - target) / scale)

    def fit_all(self) -> None:
        """Zoom so the whole design is visible below the zoom bar."""
        rect = self.design_rect()
        if rect.isEmpty():
            return
        free = self.free_area()
        self._show(min(free.width() / rect.width(), free.height() / rect.height(), 1.0), rect.center(), free.center())

    def show_design(self) -> None:
        """The view after loading: everything if that stays readable, else readable from the top (the input)."""
        rect = self.design_rect()
        if rect.isEmpty():
            return
        free = self.free_area()
        fit = min(free.width() / rect.width(), free.height() / rect.height(), 1.0)
        if fit >= READABLE_SCALE:
            self.fit_all()
            return
        scale = max(min(READABLE_SCALE, free.width() / rect.width()), MIN_SCALE)
        self._show(scale, QPointF(rect.center().x(), rect.top()), QPointF(free.center().x(), free.top()))

    def center_on_node(self, node_id: str) -> None:
        item = self.network_scene.nodes.get(node_id)
        if item is not None:
            self.ensureVisible(item.sceneBoundingRect(), 60, 60)

    # ----- palette drops (see palette_drag.py)
    def accept_layer_drop(self, layer_type: str, viewport_pos: QPoint) -> None:
        self.layer_dropped.emit(layer_type, self.mapToScene(viewport_pos))

    # ----- mouse
    def wheelEvent(self, event: QWheelEvent) -> None:
        if not event.pixelDelta().isNull() and not event.modifiers() & Qt.ControlModifier:
            super().wheelEvent(event)  # a trackpad scrolls; a wheel (or ctrl + trackpad) zooms
            return
        delta = event.angleDelta().y() or event.pixelDelta().y()
        if delta:
            self.set_scale(self.scale_factor() * STEP ** (delta / 120))
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MiddleButton:
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.LeftButton and self.itemAt(event.position().toPoint()) is None:
            self.setFocus()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self.overlay.place()
        self.place_minimap()

    def place_minimap(self) -> None:
        """Keep the overview in the bottom-right corner of the canvas."""
        viewport = self.viewport().geometry()
        self.minimap.move(viewport.right() - self.minimap.width() - 12, viewport.bottom() - self.minimap.height() - 12)


class _ZoomOverlay(QWidget):
    """The small zoom bar in the canvas corner: − 100% + · Fit · Arrange."""

    def __init__(self, view: CanvasView) -> None:
        super().__init__(view)
        self.view = view
        self.setObjectName("zoomOverlay")
        self.setAttribute(Qt.WA_StyledBackground, True)
        self.setStyleSheet(
            f"#zoomOverlay {{ background: rgba(255,255,255,235); border: 1px solid {style.BORDER};"
            " border-radius: 6px; }"
            "QToolButton { border: none; padding: 3px 8px; border-radius: 4px; }"
            "QToolButton:hover { background: #eaeef2; }"
            f"QLabel {{ color: {style.MUTED}; min-width: 38px; }}"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(0)
        self.buttons: dict[str, QToolButton] = {}
        self.zoom_label = QLabel("100%", alignment=Qt.AlignCenter)
        for key, text, tip in (
            ("zoom_out", "−", "Zoom out"),
            ("zoom", None, None),
            ("zoom_in", "+", "Zoom in"),
            ("fit", "Fit", "Fit the whole design in the view"),
            ("arrange", "Arrange", "Auto-arrange the layers top-down"),
        ):
            if key == "zoom":
                layout.addWidget(self.zoom_label)
                continue
            button = QToolButton(self, text=text, toolTip=tip, autoRaise=True)
            button.setObjectName(key)
            layout.addWidget(button)
            self.buttons[key] = button
        self.buttons["zoom_out"].clicked.connect(view.zoom_out)
        self.buttons["zoom_in"].clicked.connect(view.zoom_in)
        self.buttons["fit"].clicked.connect(view.fit_all)
        self.place()

    def show_zoom(self, scale: float) -> None:
        self.zoom_label.setText(f"{scale * 100:.0f}%")

    def place(self) -> None:
        self.adjustSize()
        self.move(self.view.viewport().width() - self.width() - 12, 12)
