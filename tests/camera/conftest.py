"""The camera tests stop the grabbers they start (photos, EfficientNet-Lite0 and the photo video come from
tests/conftest.py)."""

import threading

import pytest


@pytest.fixture(autouse=True)
def no_capture_thread_left_behind():
    """Every test stops the grabbers it starts: no capture thread may outlive it."""
    yield
    leftover = [thread.name for thread in threading.enumerate() if thread.name.startswith("grab ")]
    assert not leftover, f"capture threads still running: {leftover}"
