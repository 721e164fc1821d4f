"""Test-wide setup: Qt runs offscreen, and no test touches the real user's settings or data."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
