"""optimize_run's edges: what it reports while it works, cancellation, and runs it cannot optimize."""

from __future__ import annotations

import threading

import pytest

from cnnstudio.optimize import OptimizeError, OptimizeOptions, optimize_run
from cnnstudio.progress import Cancelled

QUICK = {"repeats": 2, "warmup": 1, "calibration_images": 32}


def test_progress_names_each_step_and_ends_done(lenet_run, tmp_path):
    messages = []
    optimize_run(
        lenet_run, OptimizeOptions(quantize=True, out=tmp_path, **QUICK), progress=lambda m, f: messages.append((m, f))
    )
    names = [message for message, _ in messages]
    assert names[0].startswith("Loading the data") and names[-1] == "Done"
    assert "Calibrating int8" in names and any(name.startswith("Timing 2 networks") for name in names)
    assert all(0.0 <= fraction <= 1.0 for _, fraction in messages)


def test_cancelling_during_fine_tuning_stops_the_run_after_its_batch(lenet_run, tmp_path):
    cancel = threading.Event()

    def progress(message: str, fraction: float) -> None:
        if message.startswith("Fine-tuning"):
            cancel.set()

    with pytest.raises(Cancelled):
        optimize_run(
            lenet_run, OptimizeOptions(prune=0.5, finetune=3, out=tmp_path, **QUICK), progress=progress, cancel=cancel
        )
    assert not list(tmp_path.iterdir())  # the half-trained run folder is removed


def test_a_set_cancel_stops_before_any_work(lenet_run, tmp_path):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        optimize_run(lenet_run, OptimizeOptions(quantize=True, out=tmp_path, **QUICK), cancel=cancel)
    assert not list(tmp_path.iterdir())


def test_a_folder_without_a_run_is_refused(tmp_path):
    with pytest.raises(OptimizeError, match="no such run folder"):
        optimize_run(tmp_path / "missing", OptimizeOptions(quantize=True))


def test_data_with_other_classes_is_refused(lenet_run, tmp_path):
    with pytest.raises(OptimizeError, match="classes"):
        optimize_run(lenet_run, OptimizeOptions(quantize=True, data="xo", out=tmp_path, **QUICK))
