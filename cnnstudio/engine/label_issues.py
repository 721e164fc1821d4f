"""Finding the mislabelled images of a data set with confident learning (the `cleanlab` package).

Every image needs a predicted probability from a network that did not train on it. Two ways to get them:
- k-fold (the default): the run's design is trained k times with its own settings, each time on all images
  but one fold, and predicts the fold it never saw (out-of-fold probabilities for every image);
- fast: the run's own network predicts its validation images (only those are examined).
`cleanlab.filter.find_label_issues` then picks the images whose given label the predictions contradict, ranked
by self-confidence (the probability given to the given label: lowest, most likely wrong).

The user decides per image (relabel, exclude, keep) in the data set's overrides file (data/overrides.py);
images the user kept are not suggested again.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from cnnstudio.data import DataSplit, ImageDataset, load_data
from cnnstudio.data.load import overrides_file
from cnnstudio.data.overrides import read_overrides
from cnnstudio.data.split import channel_stats
from cnnstudio.engine.checkpoint import load_checkpoint, trained_checkpoint
from cnnstudio.engine.config import ConfigError, TrainConfig
from cnnstudio.engine.device import resolve_device
from cnnstudio.engine.evaluate import class_probabilities, load_trained
from cnnstudio.engine.events import Error, Finished
from cnnstudio.engine.loop import train
from cnnstudio.graph import NetworkGraph, network_from_dict
from cnnstudio.progress import CancelFlag, Progress, check_cancel

INSTALL_HINT = "finding label issues needs cleanlab: pip install 'cnnstudio[labels]'"


class TrainingFailed(Exception):
    """Training the design on a fold failed (diverged, out of memory); the message says how."""


@dataclass(frozen=True)
class LabelIssue:
    """A suspected label error: image `index` of the examined images (`source` names it in the data set),
    its given and suggested class, and `score`, the probability the predictions give the given label
    (self-confidence: the lower, the more likely the label is wrong)."""

    index: int
    source: str
    given: int
    suggested: int
    given_label: str
    suggested_label: str
    score: float


@dataclass
class LabelIssues:
    """The result: the issues ranked (most likely wrong first), the images examined, how the probabilities
    were found ("3-fold" or "validation predictions"), the overrides file and how long it took."""

    issues: list[LabelIssue]
    dataset: ImageDataset
    method: str
    overrides: Path
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "examined": len(self.dataset),
            "overrides": str(self.overrides),
            "seconds": round(self.seconds, 2),
            "issues": [vars(issue) for issue in self.issues],
        }


def _folds(labels: torch.Tensor, folds: int, seed: int) -> np.ndarray:
    """A fold number for every image, each class spread evenly over the folds (seeded)."""
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(labels), dtype=np.int64)
    for label in np.unique(labels.numpy()):
        members = np.flatnonzero(labels.numpy() == label)
        rng.shuffle(members)
        assignment[members] = np.arange(len(members)) % folds
    return assignment


def out_of_fold_probabilities(
    design: NetworkGraph,
    dataset: ImageDataset,
    config: TrainConfig,
    folds: int = 3,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> np.ndarray:
    """(N, classes) probabilities of every image of `dataset`, each from the design trained with `config`
    on the other folds (engine/loop.py's training, in a temporary run folder that is removed after).
    Raises TrainingFailed when a fold's training fails, Cancelled when `cancel` is set."""
    if folds < 2:
        raise ConfigError(f"k-fold needs at least 2 folds, not {folds}")
    smallest = int(dataset.class_counts().min())
    if smallest < folds:
        raise ConfigError(f"a class has only {smallest} image(s), too few for {folds} folds; use fewer folds")
    assignment = _folds(dataset.labels, folds, config.seed)
    device = resolve_device(config.device)
    fold_config = config.replace(patience=None, val_every=0, data="")
    result = np.zeros((len(dataset), len(dataset.classes)), dtype=np.float64)
    with tempfile.TemporaryDirectory(prefix="cnnstudio-folds-") as scratch:
        for fold in range(folds):
            held = torch.from_numpy(np.flatnonzero(assignment == fold))
            rest = torch.from_numpy(np.flatnonzero(assignment != fold))
            train_set, held_set = dataset.subset(rest), dataset.subset(held)
            mean, std = channel_stats(train_set.images)
            run_dir = Path(scratch) / f"fold{fold + 1}"
            for event in train(design, DataSplit(train_set, held_set, mean, std), fold_config, run_dir):
                check_cancel(cancel)
                if isinstance(event, Error):
                    raise TrainingFailed(f"training fold {fold + 1} of {folds} failed: {event.message}")
                if isinstance(event, Finished) and progress is not None:
                    progress(f"Trained fold {fold + 1} of {folds}", (fold + 1) / folds)
            module, _ = load_trained(run_dir, "last")
            module.to(device).eval()
            probabilities = class_probabilities(module, held_set, mean, std, device=device, cancel=cancel)
            result[held.numpy()] = probabilities.cpu().double().numpy()
    return result


def rank_label_issues(
    dataset: ImageDataset, probabilities: np.ndarray, *, skip: frozenset[str] = frozenset()
) -> list[LabelIssue]:
    """The images whose labels `probabilities` (N, classes; out-of-sample) contradict, by
    `cleanlab.filter.find_label_issues`, ranked by self-confidence; images named in `skip` are left out."""
    try:
        from cleanlab.filter import find_label_issues
    except ImportError:
        raise ConfigError(INSTALL_HINT) from None
    labels = dataset.labels.numpy()
    ranked = find_label_issues(labels, probabilities, return_indices_ranked_by="self_confidence")
    issues = []
    for index in (int(i) for i in ranked):
        source = dataset.source(index)
        if source in skip:
            continue
        given = int(labels[index])
        order = np.argsort(-probabilities[index])
        suggested = int(order[0] if order[0] != given else order[1])
        issues.append(
            LabelIssue(
                index,
                source,
                given,
                suggested,
                dataset.classes[given],
                dataset.classes[suggested],
                float(probabilities[index, given]),
            )
        )
    return issues


def find_run_label_issues(
    run_dir: str | os.PathLike[str],
    data: str | None = None,
    *,
    folds: int = 3,
    fast: bool = False,
    epochs: int | None = None,
    root: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
) -> LabelIssues:
    """The suspected label errors of `data` (default: the run's data set), found with the run's design and
    settings: k-fold over all its images, or (fast) the run's network on the validation images it held out.
    `epochs` trains each fold for that many epochs instead of the run's.

    Raises CheckpointError, DataError or ConfigError for what the user can fix, TrainingFailed when a fold's
    training fails."""
    started = time.perf_counter()
    saved = load_checkpoint(run_dir, trained_checkpoint(run_dir) or "last")
    spec = data or saved.config.data
    if not spec:
        raise ConfigError(f"{Path(run_dir).name} does not record its dataset; name it (--data)")
    config = saved.config
    channels, height, width = saved.data.input_shape
    shape = (channels, height, width)
    split = load_data(spec, shape, val_fraction=config.val_fraction, seed=config.seed, root=root, progress=progress)
    if list(split.classes) != list(saved.data.classes):
        raise ConfigError(
            f"the run was trained on classes {', '.join(saved.data.classes)}, but {spec} has {', '.join(split.classes)}"
        )
    overrides = overrides_file(spec, root)
    kept = frozenset(name for name, item in read_overrides(overrides).items() if item.action == "keep")
    if fast:
        if not len(split.val):
            raise ConfigError("the run kept no validation images; use k-fold (leave out --fast)")
        module, checkpoint = load_trained(run_dir, trained_checkpoint(run_dir) or "last")
        device = resolve_device(config.device)
        module.to(device).eval()
        probabilities = class_probabilities(
            module, split.val, checkpoint.data.mean, checkpoint.data.std, device=device, cancel=cancel
        )
        dataset, method, found = split.val, "validation predictions", probabilities.cpu().double().numpy()
    else:
        dataset = _all_images(split)
        design = network_from_dict(saved.design, f"{run_dir} (design)").graph
        fold_config = config.replace(epochs=epochs) if epochs else config
        found = out_of_fold_probabilities(design, dataset, fold_config, folds, progress=progress, cancel=cancel)
        method = f"{folds}-fold"
    issues = rank_label_issues(dataset, found, skip=kept)
    return LabelIssues(issues, dataset, method, overrides, time.perf_counter() - started)


def _all_images(split: DataSplit) -> ImageDataset:
    """The training and validation images of a split as one data set (sources kept)."""
    train, val = split.train, split.val
    sources = None if train.sources is None or val.sources is None else [*train.sources, *val.sources]
    return ImageDataset(
        torch.cat([train.images, val.images]), torch.cat([train.labels, val.labels]), train.classes, train.name, sources
    )
