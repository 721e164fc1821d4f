"""What the Results view shows for a run: its evaluation on the validation images it was trained with.

The data is loaded from the spec the run recorded, with the run's own validation share and seed,
so the images evaluated are exactly the ones held out during training (the Data tab's copy may have
been split differently). The last split loaded is kept, so looking at several runs on the same data
loads it once (and a large dataset is held only once). Runs in a background thread (no Qt here).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from cnnstudio.data import DataError, DataSplit, load_data
from cnnstudio.engine.checkpoint import CheckpointError
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.evaluate import EvaluationReport, evaluate, load_trained
from cnnstudio.ui.training.run_folders import has_checkpoint


class ResultsError(Exception):
    """A run that cannot be evaluated; the message says why and what to do."""


@dataclass
class RunResults:
    """A run's evaluation with the images it was computed on (for the gallery)."""

    run_dir: Path
    checkpoint: str  # "best" or "last"
    epoch: int  # epochs the evaluated checkpoint had completed
    report: EvaluationReport
    images: torch.Tensor  # validation images, uint8 [N, C, H, W]
    labels: np.ndarray  # their true classes

    def examples(self, true: int, predicted: int) -> list[tuple[int, float | None]]:
        """(image index, confidence) of the images of class `true` predicted as `predicted`.

        The report lists every mistake with its confidence; the correct ones are the rest of the
        class (their confidence is not recorded, hence None).
        """
        if true != predicted:
            return [
                (item.index, item.confidence)
                for item in self.report.misclassified
                if item.true == true and item.predicted == predicted
            ]
        wrong = {item.index for item in self.report.misclassified if item.true == true}
        return [(int(index), None) for index in np.flatnonzero(self.labels == true) if int(index) not in wrong]

    def image(self, index: int) -> np.ndarray:
        """Image `index` as an H×W×3 uint8 RGB array."""
        pixels = self.images[index].permute(1, 2, 0).numpy()
        return np.ascontiguousarray(np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels[:, :, :3])


class DataCache:
    """The last data loaded, by (spec, input shape, validation share, seed); safe to use from threads."""

    def __init__(self) -> None:
        self._splits: dict[tuple, DataSplit] = {}
        self._lock = threading.Lock()

    def get(self, spec: str, input_shape: tuple[int, int, int], val_fraction: float, seed: int) -> DataSplit:
        key = (spec, input_shape, val_fraction, seed)
        with self._lock:
            if key not in self._splits:
                split = load_data(spec, input_shape, val_fraction=val_fraction, seed=seed)
                self._splits = {key: split}
            return self._splits[key]


def evaluate_run_results(run_dir: Path, cache: DataCache, device: str = "cpu") -> RunResults:
    """Evaluate the run's best checkpoint (its last one if it has no best) on its validation images."""
    tag = "best" if has_checkpoint(run_dir, "best") else "last"
    try:
        module, saved = load_trained(run_dir, tag)
        spec = saved.config.data
        if not spec:
            raise ResultsError(f"{run_dir.name} does not record its dataset, so its validation images are unknown")
        data = cache.get(spec, tuple(saved.data.input_shape), saved.config.val_fraction, saved.config.seed)
        if list(data.classes) != list(saved.data.classes):
            raise ResultsError(
                f"the run was trained on classes {', '.join(saved.data.classes)}, but {spec} now "
                f"has {', '.join(data.classes)}"
            )
        if not len(data.val):
            raise ResultsError(
                "the run kept no validation images (validation share 0), so there is nothing to "
                "evaluate; train with a validation share above 0"
            )
        report = evaluate(module, data.val, saved.data.mean, saved.data.std, device=device)
    except CheckpointError as error:
        raise ResultsError(str(error)) from None
    except (DataError, ConfigError) as error:
        raise ResultsError(f"cannot load the run's data: {error}") from None
    return RunResults(run_dir, tag, saved.progress.epoch, report, data.val.images, data.val.labels.numpy())
