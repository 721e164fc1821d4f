"""Packages that re-export their submodules' names without importing them up front (PEP 562).

    __getattr__, __dir__, __all__ = lazy_exports(__name__, {"FrameLoop": "pipeline", ...})

`from cnnstudio.camera import FrameLoop` then imports `cnnstudio.camera.pipeline` on first use, so that
importing one light submodule (or registering the command line) does not load torch and OpenCV.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """The module `__getattr__`, `__dir__` and `__all__` of `package`, whose names (keys of `exports`)
    are read from the submodule each maps to."""
    names = sorted(exports)

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    def __dir__() -> list[str]:
        return names

    return __getattr__, __dir__, list(names)
