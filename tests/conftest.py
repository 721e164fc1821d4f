"""Test-wide setup: Qt runs offscreen, and no test touches the real user's settings or data."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_settings_root = tempfile.mkdtemp(prefix="cnnstudio-test-settings-")
os.environ["CNNSTUDIO_CONFIG_DIR"] = os.path.join(_settings_root, "config")
os.environ["CNNSTUDIO_STATE_DIR"] = os.path.join(_settings_root, "state")
