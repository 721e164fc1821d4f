"""Where CNN Studio finds the data it ships (templates, sample images): package data under
`cnnstudio/resources/`, read through importlib.resources so that a wheel, a zip import, an editable install
and a plain checkout all find the same files."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def resources() -> Traversable:
    """The shipped data folder (a Traversable: read it with read_text/iterdir, it may not be on disk)."""
    return files("cnnstudio") / "resources"


def templates() -> Traversable:
    """The network templates, one `NAME.cnn.json` each, and `learnables.json` (their parameter counts)."""
    return resources() / "templates"
