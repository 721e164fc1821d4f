"""A tiny sweep: the X/O template on 200 X/O images, trials of a few epochs."""

from __future__ import annotations

from cnnstudio.experiments.study import SweepSettings
from cnnstudio.graph.templates import load_template

TINY_SPACE = {
    "params": {"lr": {"kind": "float", "low": 0.003, "high": 0.1, "log": True}},
    "fixed": {"epochs": 2, "batch_size": 32},
}
TINY_DATA = "xo:count=200"


def tiny_settings(out, trials: int, **changes) -> SweepSettings:
    values = {"design": load_template("xo").to_dict(), "data": TINY_DATA, "space": TINY_SPACE, "out": str(out)}
    return SweepSettings(**{**values, "trials": trials, **changes})
