"""Test-wide setup: Qt runs offscreen, and no test touches the real user's settings or data."""

import os
import tempfile

import tqdm

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_settings_root = tempfile.mkdtemp(prefix="cnnstudio-test-settings-")
os.environ["CNNSTUDIO_CONFIG_DIR"] = os.path.join(_settings_root, "config")
os.environ["CNNSTUDIO_STATE_DIR"] = os.path.join(_settings_root, "state")
os.environ["CNNSTUDIO_DATA_DIR"] = os.path.join(_settings_root, "data")

# torch.fx's Interpreter (the inspector runs models with it) creates a disabled tqdm bar, and the first bar
# starts tqdm's monitor thread, which would outlive the test that caused it.
tqdm.tqdm.monitor_interval = 0
