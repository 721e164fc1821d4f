"""The look of the program: a light Fusion theme, category colours and the canvas palette."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication

from cnnstudio.graph import catalog

CATEGORY_COLORS: dict[str, str] = {
    catalog.INPUT: "#64748b",
    catalog.CONVOLUTION: "#2f6fde",
    catalog.ACTIVATION: "#e0a100",
    catalog.POOLING: "#17a673",
    catalog.NORMALIZATION: "#8b5cf6",
    catalog.REGULARIZATION: "#db4c8a",
    catalog.SHAPE: "#0d9aa6",
    catalog.FULLY_CONNECTED: "#5b5fd6",
    catalog.COMBINATION: "#ea7a1f",
}
UNKNOWN_COLOR = "#9aa3ad"

ACCENT = "#1f6feb"
ERROR = "#d1242f"
ERROR_FILL = "#fff1f0"
WARNING = "#b35900"
OK = "#1a7f37"
TEXT = "#1f2328"
MUTED = "#656d76"
BORDER = "#d0d7de"
CANVAS = "#f6f8fa"
CANVAS_GRID = "#e4e8ec"
EDGE = "#8c959f"
SHAPE_TEXT = "#0b5cad"


def category_color(category: str | None) -> QColor:
    return QColor(CATEGORY_COLORS.get(category or "", UNKNOWN_COLOR))


def color_swatch(color: QColor, size: int = 12) -> QIcon:
    """A small rounded square of `color`: the mark of a layer's category in lists and trees."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(Qt.NoPen)
    painter.setBrush(color)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 3, 3)
    painter.end()
    return QIcon(pixmap)


def monospace_font(point_size: float | None = None) -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    if point_size:
        font.setPointSizeF(point_size)
    return font


_STYLESHEET = f"""
QToolTip {{ color: {TEXT}; background: #ffffff; border: 1px solid {BORDER}; padding: 4px; }}
QTabWidget::pane {{ border: 1px solid {BORDER}; top: -1px; }}
QTabBar::tab {{ padding: 5px 14px; border: 1px solid transparent; color: {MUTED}; }}
QTabBar::tab:selected {{ color: {TEXT}; border-color: {BORDER}; border-bottom-color: #ffffff;
                         background: #ffffff; }}
QLineEdit#search {{ padding: 4px 6px; border: 1px solid {BORDER}; border-radius: 4px; background: #ffffff; }}
QLabel[role="heading"] {{ font-weight: 600; color: {TEXT}; padding-top: 6px; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {ERROR}; }}
QFrame[role="card"] {{ background: #ffffff; border: 1px solid {BORDER}; border-radius: 6px; }}
QStatusBar QLabel {{ padding: 0 8px; }}
QSplitter::handle {{ background: {BORDER}; }}
QSplitter::handle:horizontal {{ width: 1px; }}
QSplitter::handle:vertical {{ height: 1px; }}
"""


def apply_theme(app: QApplication) -> None:
    """Fusion with a light palette: looks the same on every platform, readable in screenshots.

    Applying it again is free: re-setting an application style sheet re-polishes every widget.
    """
    if app.property("cnnstudio_theme"):
        return
    app.setProperty("cnnstudio_theme", True)
    app.setStyle("Fusion")
    palette = QPalette()
    colors = {
        QPalette.Window: "#f3f4f6",
        QPalette.WindowText: TEXT,
        QPalette.Base: "#ffffff",
        QPalette.AlternateBase: "#f6f8fa",
        QPalette.Text: TEXT,
        QPalette.Button: "#f6f8fa",
        QPalette.ButtonText: TEXT,
        QPalette.Highlight: ACCENT,
        QPalette.HighlightedText: "#ffffff",
        QPalette.ToolTipBase: "#ffffff",
        QPalette.ToolTipText: TEXT,
        QPalette.PlaceholderText: "#8c959f",
        QPalette.Link: ACCENT,
        QPalette.Mid: BORDER,
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#8c959f"))
    app.setPalette(palette)
    app.setStyleSheet(_STYLESHEET)
