"""Fixtures for the GUI tests: private settings folders, scripted dialogs, a main window, no leaked threads."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from ui_helpers import FakePrompts, wait_analysis

from cnnstudio.ui.settings import Settings
from cnnstudio.ui.style import apply_theme


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Settings and recovery files go to a temporary folder, never the real user's."""
    dirs = {"config": tmp_path / "config", "state": tmp_path / "state", "data": tmp_path / "data"}
    monkeypatch.setenv("CNNSTUDIO_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("CNNSTUDIO_STATE_DIR", str(dirs["state"]))
    monkeypatch.setenv("CNNSTUDIO_DATA_DIR", str(dirs["data"]))
    return dirs


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Any:
    """Fail a test that leaves a thread of its own running."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not leaked or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@pytest.fixture
def make_window(qtbot: Any, qapp: Any, prompts: FakePrompts, user_dirs: dict[str, Path]) -> Any:
    """Create main windows (sized, shown, closed after the test) with the scripted prompts."""
    from cnnstudio.ui.main_window import MainWindow

    apply_theme(qapp)
    windows = []

    def make(start: bool = True, path: str | None = None, resize: bool = True) -> MainWindow:
        window = MainWindow(prompts=prompts, settings=Settings(), autosave_delay_ms=50)
        if resize:
            window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        if start:
            window.start(path)
            wait_analysis(qtbot, window)
        return window

    yield make
    for window in windows:
        window.shutdown()
        window.close()
        window.deleteLater()
    # Delete the windows now: left for a later event loop, every test's window would stay alive and
    # slow down the style polishing of all windows after it.
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture
def window(make_window: Any) -> Any:
    """A main window showing LeNet-5 (the default design), analysed."""
    return make_window()


@pytest.fixture(scope="module")
def efficientnet() -> Any:
    """The pretrained EfficientNet-Lite0 (loaded once per test module)."""
    from cnnstudio.pretrained.resolve import load_classifier

    return load_classifier("efficientnet_lite0")


@pytest.fixture
def lenet() -> Any:
    """LeNet-5 with random weights (seeded), as a classifier."""
    import torch

    from cnnstudio.graph.templates import load_template
    from cnnstudio.pretrained.designs import classifier_from_design

    torch.manual_seed(0)
    return classifier_from_design(load_template("lenet5"))
