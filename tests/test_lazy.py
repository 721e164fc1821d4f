"""Packages re-export their submodules' names lazily: a name is read from its submodule on first use,
an unknown name is an AttributeError that names the package, and `dir()` lists the exports."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cnnstudio.camera
from cnnstudio.lazy import lazy_exports


def test_an_exported_name_is_the_submodule_object_and_an_unknown_name_says_which_package():
    from cnnstudio.camera.pipeline import FrameLoop

    assert cnnstudio.camera.FrameLoop is FrameLoop
    assert "FrameLoop" in dir(cnnstudio.camera) and "FrameLoop" in cnnstudio.camera.__all__
    with pytest.raises(AttributeError, match="'cnnstudio.camera' has no attribute 'NoSuchThing'"):
        _ = cnnstudio.camera.NoSuchThing


def test_the_exports_are_sorted_and_a_missing_submodule_fails_only_when_its_name_is_used():
    getattr_, dir_, all_ = lazy_exports("cnnstudio", {"b": "progress", "a": "no_such_submodule"})
    assert all_ == ["a", "b"] and dir_() == ["a", "b"]
    with pytest.raises(ModuleNotFoundError, match="cnnstudio.no_such_submodule"):
        getattr_("a")


def test_importing_the_packages_loads_none_of_their_submodules():
    code = (
        "import sys, cnnstudio.camera, cnnstudio.pretrained;"
        "print(sorted(m for m in sys.modules if m.startswith(('cnnstudio.camera.', 'cnnstudio.pretrained.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert (
        "torch"
        not in subprocess.run(
            [sys.executable, "-c", "import sys, cnnstudio.camera; print(' '.join(sys.modules))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
