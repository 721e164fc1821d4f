"""Starting the GUI: `main()` creates the QApplication and opens the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

import cnnstudio
from cnnstudio.ui.main_window import APP_TITLE, MainWindow
from cnnstudio.ui.style import apply_theme


def create_application(argv: list[str]) -> QApplication:
    """The QApplication (or the existing one), themed."""
    app = QApplication.instance() or QApplication(argv)
    app.setApplicationName(APP_TITLE)
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("CNN Studio")
    app.setApplicationVersion(cnnstudio.__version__)
    app.setAttribute(Qt.AA_DontShowIconsInMenus, False)
    apply_theme(app)
    return app


def main(argv: list[str] | None = None) -> int:
    """Open the main window, on the network file given as the first argument if any; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    app = create_application([sys.argv[0], *argv])
    window = MainWindow()
    window.show()
    window.start(next((arg for arg in argv if not arg.startswith("-")), None))
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
