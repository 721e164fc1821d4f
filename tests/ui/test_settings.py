"""Damaged settings files in the config folder: the window opens with defaults, and what was ignored is said."""

from __future__ import annotations

import json

import pytest

from cnnstudio.ui.main_window import DEFAULT_SIZE
from cnnstudio.ui.settings import Settings


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"[[[ not settings", "is not a JSON object of settings"),
        (b'["a", "list"]', "is not a JSON object of settings"),
        (b"\xff\xfe\x00 binary", "cannot be read"),
        (b"[" * 100_000, "is not a JSON object of settings"),
    ],
    ids=["not json", "a list", "binary", "nested too deeply"],
)
def test_a_damaged_settings_file_is_ignored_kept_and_reported(user_dirs, content, reason):
    path = user_dirs["config"] / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    settings = Settings()
    assert settings.recent_files() == [] and settings.get("window") is None
    assert reason in settings.problem and "settings.json.damaged" in settings.problem
    assert (path.parent / "settings.json.damaged").read_bytes() == content
    settings.add_recent_file(user_dirs["config"])
    assert json.loads(path.read_text())["recent_files"] == [str(user_dirs["config"].resolve())]


def test_a_missing_settings_file_is_no_problem(user_dirs):
    assert Settings().problem == ""


def test_settings_of_the_wrong_types_open_the_window_with_defaults(make_window, user_dirs):
    path = user_dirs["config"] / "settings.json"
    path.parent.mkdir(parents=True)
    values = {"window": {"geometry": 5}, "tabs": ["x"], "recent_files": [1, None, "a\nb"], "last_dir": 7}
    path.write_text(json.dumps(values))
    window = make_window()
    assert window.document.graph.name == "LeNet-5"
    assert window.settings.recent_files() == ["a\nb"]


def test_a_window_geometry_that_is_not_base64_gives_the_default_size(make_window, user_dirs):
    path = user_dirs["config"] / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"window": {"geometry": "abc"}}))
    window = make_window(resize=False)
    assert (window.width(), window.height()) == DEFAULT_SIZE


def test_the_window_says_which_settings_it_ignored(make_window, user_dirs):
    path = user_dirs["config"] / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    message = make_window().statusBar().currentMessage()
    assert f"The settings file {path}" in message and "it was ignored (kept as settings.json.damaged)" in message
