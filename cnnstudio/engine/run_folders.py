"""The runs the Training tab lists: one folder per run in a runs folder, read back for the runs list.

A run folder holds what the engine writes (metrics.json, best/ and last/ checkpoints). Nothing
else is stored: the list is rebuilt from the folders, so runs trained with `cnnstudio train --out`
into the same folder show up too. Folders that cannot be read are listed as damaged, with the
reason, and never stop the list from loading.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cnnstudio.engine.checkpoint import (
    CHECKPOINT_TAGS,
    STATE_JSON,
    checkpoint_folders,
    has_checkpoint,
    trained_checkpoint,
)
from cnnstudio.engine.loop import METRICS_FILE
from cnnstudio.engine.metrics import MetricsLog
from cnnstudio.engine.tensorboard_log import log_files

DATE_FORMAT = "%Y-%m-%d_%H-%M-%S"
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})")
# metrics.json status → what the list shows
_STATUS_TEXT = {
    "completed": "completed",
    "early_stopped": "completed (early stop)",
    "stopped": "stopped",
    "failed": "failed",
    "running": "interrupted",
}
RESUMABLE = ("stopped", "interrupted")


@dataclass(frozen=True)
class EpochHistory:
    """A run's per-epoch curves from its metrics.json (val_* entries may be None)."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float | None] = field(default_factory=list)
    val_acc: list[float | None] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class RunRecord:
    """One row of the runs list.

    status: completed, completed (early stop), stopped, failed, interrupted (the process ended
    without a final word, e.g. the computer shut down; resumable from `last`) or damaged.
    """

    path: Path
    date: datetime
    design: str
    data: str
    epochs_done: int
    epochs: int | None
    best_val_acc: float | None
    status: str
    problem: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    history: EpochHistory = field(default_factory=EpochHistory)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def has_checkpoint(self) -> bool:
        return trained_checkpoint(self.path) is not None

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE and has_checkpoint(self.path, "last")


def new_run_dir(root: Path, design_name: str, now: datetime | None = None) -> Path:
    """Create a fresh folder with a readable name, `2026-11-23_14-05-12_LeNet-5` (with -2, -3 … if taken).

    The folder is created here, in one mkdir that fails if it exists, so that two windows starting a run of
    the same design in the same second never share (and overwrite) one folder. Raises OSError if `root`
    cannot be written.
    """
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in design_name.strip()).strip("._") or "network"
    base = f"{(now or datetime.now()).strftime(DATE_FORMAT)}_{stem}"
    root.mkdir(parents=True, exist_ok=True)
    candidate, number = root / base, 2
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            candidate, number = root / f"{base}-{number}", number + 1


def holds_run(path: Path) -> bool:
    """Whether folder `path` holds (part of) a training run: its metrics.json or a checkpoint."""
    return (path / METRICS_FILE).exists() or any(has_checkpoint(path, tag) for tag in CHECKPOINT_TAGS)


def remove_run(path: Path) -> None:
    """Delete what a training run wrote into `path` (metrics.json, its checkpoints, interrupted checkpoint
    writes, its TensorBoard and CSV logs); anything else in the folder is left alone."""
    (path / METRICS_FILE).unlink(missing_ok=True)
    for log in log_files(path):
        log.unlink()
    for folder in checkpoint_folders(path):
        shutil.rmtree(folder)


def scan_runs(root: Path) -> list[RunRecord]:
    """Every run folder under `root`, newest first."""
    try:
        folders = [path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")]
    except OSError:
        return []
    return sorted((read_run(path) for path in folders), key=lambda record: record.date, reverse=True)


def read_run(path: Path) -> RunRecord:
    """The record of one run folder; a folder that cannot be read becomes a 'damaged' record."""
    date = _folder_date(path)
    metrics_path = path / METRICS_FILE
    if not metrics_path.is_file():
        if has_checkpoint(path, "last"):
            return _from_checkpoint(path, date)
        return _damaged(
            path, date, f"no {METRICS_FILE} and no checkpoint: not a training run, or it ended before its first epoch"
        )
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        if not isinstance(metrics, dict):
            raise TypeError("not a JSON object")
        history = _history(metrics.get("epochs", []))
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        return _damaged(path, date, f"{METRICS_FILE} is unreadable ({type(error).__name__}: {error})")
    config = metrics.get("config") if isinstance(metrics.get("config"), dict) else {}
    status = _STATUS_TEXT.get(str(metrics.get("status")), str(metrics.get("status") or "unknown"))
    epochs = config.get("epochs")
    return RunRecord(
        path,
        date,
        str(metrics.get("name") or "?"),
        data_text(config.get("data")),
        history.epoch[-1] if history.epoch else 0,
        epochs if isinstance(epochs, int) else None,
        _best_accuracy(history, metrics.get("best_epoch")),
        status,
        config=config,
        history=history,
    )


def lost_history(path: Path) -> str:
    """Why the metrics.json of run `path` does not list the epochs its `last` checkpoint has completed: it is
    missing, unreadable or lacks some (a run killed between writing the checkpoint and metrics.json at the end
    of an epoch lacks that one). '' when it lists them all, or there is no readable checkpoint to resume from.
    A run resumed without them would write a metrics.json that starts at the resumed epoch."""
    try:
        epochs = int(_last_state(path)["progress"]["epoch"])
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return ""
    metrics_path = path / METRICS_FILE
    if not epochs:
        return ""
    if not metrics_path.is_file():
        return f"{metrics_path} is missing"
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        listed = set(_history(metrics.get("epochs") if isinstance(metrics, dict) else None).epoch)
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        return f"{metrics_path} is unreadable ({type(error).__name__}: {error})"
    missing = [epoch for epoch in range(1, epochs + 1) if epoch not in listed]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
        return f"{metrics_path} lacks epoch{'s' if len(missing) > 1 else ''} {shown} of the {epochs} the run has done"
    return ""


def restore_history(path: Path) -> str:
    """Before run `path` resumes: rebuild its metrics.json from the history its `last` checkpoint keeps when
    metrics.json lost epochs the checkpoint has completed. Returns what is still lost ('' when nothing is:
    metrics.json was whole, or has been rebuilt), as lost_history words it."""
    lost = lost_history(path)
    if not lost:
        return ""
    try:
        state = _last_state(path)
        epochs = int(state["progress"]["epoch"])
        kept = [entry for entry in state["history"] if isinstance(entry, dict) and isinstance(entry.get("epoch"), int)]
        header = {"name": state["design"]["name"], "classes": state["data"]["classes"], "config": state["config"]}
        best_epoch = state["progress"]["best_epoch"]
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError):
        return lost
    if {entry["epoch"] for entry in kept} < set(range(1, epochs + 1)):
        return lost
    log = MetricsLog(path / METRICS_FILE, header)
    log.epochs = [entry for entry in kept if entry["epoch"] <= epochs]
    log.write("running", best_epoch)  # what a run that did not end cleanly says; resuming rewrites it
    return ""


def _last_state(path: Path) -> Any:
    """The state.json of a run's `last` checkpoint (or of the `.last.old` a crash left), parsed."""
    folder = path / "last" if (path / "last" / STATE_JSON).is_file() else path / ".last.old"
    return json.loads((folder / STATE_JSON).read_text(encoding="utf-8"))


def _from_checkpoint(path: Path, date: datetime) -> RunRecord:
    """A run without metrics.json (written by an older or interrupted run): what `last` records."""
    try:
        state = _last_state(path)
        config, progress = state["config"], state["progress"]
        return RunRecord(
            path,
            date,
            str(state["design"].get("name", "?")),
            data_text(config.get("data")),
            int(progress["epoch"]),
            int(config["epochs"]),
            progress.get("best_val_acc"),
            "interrupted",
            config=config,
        )
    except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, AttributeError) as error:
        return _damaged(path, date, f"its checkpoint is unreadable ({type(error).__name__}: {error})")


def _damaged(path: Path, date: datetime, problem: str) -> RunRecord:
    """The record of a folder that cannot be read: listed as damaged, with the reason."""
    return RunRecord(path, date, "?", "?", 0, None, None, "damaged", problem=problem)


def _history(entries: Any) -> EpochHistory:
    if not isinstance(entries, list):
        raise TypeError("'epochs' is not a list")
    history = EpochHistory()
    for entry in entries:
        history.epoch.append(int(entry["epoch"]))
        history.train_loss.append(float(entry["train_loss"]))
        history.train_acc.append(float(entry["train_acc"]))
        history.val_loss.append(None if entry.get("val_loss") is None else float(entry["val_loss"]))
        history.val_acc.append(None if entry.get("val_acc") is None else float(entry["val_acc"]))
        history.lr.append(float(entry["lr"]))
    return history


def _best_accuracy(history: EpochHistory, best_epoch: Any) -> float | None:
    """The validation accuracy of the best checkpoint (the epoch with the lowest validation loss), which
    is the network the run hands on, evaluates and exports."""
    for epoch, accuracy in zip(history.epoch, history.val_acc, strict=True):
        if epoch == best_epoch:
            return accuracy
    return None


def _folder_date(path: Path) -> datetime:
    match = _DATE_PREFIX.match(path.name)
    if match:
        try:
            return datetime.strptime(match.group(1), DATE_FORMAT)
        except ValueError:
            pass
    try:
        return datetime.fromtimestamp(path.stat().st_mtime)
    except OSError:
        return datetime.fromtimestamp(0)


def data_text(spec: Any) -> str:
    """How the list names a run's data: the spec of a built-in set, the folder name of an image folder."""
    if not isinstance(spec, str) or not spec:
        return "?"
    return Path(spec).name if ("/" in spec or "\\" in spec) else spec
