"""Autosave to a recovery file, and recovery after a crash.

Each running window owns a session file `<id>.recovery.json` in the state folder, guarded by a
QLockFile that it holds while it runs. A few seconds after an unsaved edit the design (with the path
it belongs to) is written there atomically; when the design is saved or the window closes normally
the file is removed. A recovery file whose lock can be taken belongs to a session that died (the
lock's process is gone): the next start offers to restore it.
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer

from cnnstudio.fileio import atomic_write_text, remove_orphaned_temporaries
from cnnstudio.graph.io import NetworkFileError, network_from_dict
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.ui.document import Document

FORMAT = "cnnstudio.recovery"
SUFFIX = ".recovery.json"
DELAY_MS = 2000


@dataclass
class Recovery:
    """An orphaned recovery file: the design an ended session had not saved."""

    path: Path
    graph: NetworkGraph
    original: Path | None  # the file the design was opened from, if any
    saved_at: float

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        source = f" (from {self.original.name})" if self.original else ""
        return f"“{self.graph.name}”{source}, {len(self.graph.nodes)} layers, last edited {when}"

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        Path(str(self.path) + ".lock").unlink(missing_ok=True)


class Autosave(QObject):
    """Writes `document` to this session's recovery file a moment after each unsaved edit."""

    def __init__(
        self, document: Document, directory: Path, delay_ms: int = DELAY_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"{uuid.uuid4().hex}{SUFFIX}"
        self._lock = QLockFile(str(self.path) + ".lock")
        self._lock.setStaleLockTime(0)  # only a dead owner makes a lock stale, never its age
        self._lock.tryLock(0)
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.write_now)
        document.undo_stack.indexChanged.connect(self._edited)
        document.undo_stack.cleanChanged.connect(self._edited)

    def _edited(self, *args: object) -> None:
        if self.document.is_modified():
            if not self._timer.isActive():  # write within DELAY_MS of the first edit, even while editing on
                self._timer.start()
        else:
            self._timer.stop()
            self.path.unlink(missing_ok=True)

    def write_now(self) -> None:
        """Write the recovery file (if there is anything unsaved)."""
        if not self.document.is_modified():
            return
        data = {
            "format": FORMAT,
            "version": 1,
            "saved_at": time.time(),
            "original": str(self.document.path) if self.document.path else None,
            "network": self.document.graph.to_dict(),
        }
        # A full or read-only disk must not interrupt editing; the next edit tries again.
        with contextlib.suppress(OSError):
            atomic_write_text(self.path, json.dumps(data, ensure_ascii=False))

    def close(self) -> None:
        """Normal end of the session: nothing to recover."""
        self.document.undo_stack.indexChanged.disconnect(self._edited)
        self.document.undo_stack.cleanChanged.disconnect(self._edited)
        self._timer.stop()
        self.path.unlink(missing_ok=True)
        self._lock.unlock()


def read_recovery(path: Path) -> Recovery:
    """Parse a recovery file; raises NetworkFileError if it is unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise NetworkFileError(f"{path}: unreadable recovery file ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NetworkFileError(f"{path}: not a CNN Studio recovery file")
    graph = network_from_dict(data.get("network"), str(path)).graph
    original = data.get("original")
    saved_at = data.get("saved_at")
    return Recovery(
        path,
        graph,
        Path(original) if isinstance(original, str) else None,
        float(saved_at) if isinstance(saved_at, int | float) else path.stat().st_mtime,
    )


def orphaned_recoveries(directory: Path) -> list[Recovery]:
    """Recovery files of sessions that ended without cleaning up, newest first.

    Damaged recovery files are removed: there is nothing in them to restore.
    """
    remove_orphaned_temporaries(directory)
    found = []
    for path in directory.glob(f"*{SUFFIX}"):
        lock = QLockFile(str(path) + ".lock")
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            continue  # a running window owns it
        lock.unlock()
        try:
            found.append(read_recovery(path))
        except NetworkFileError:
            path.unlink(missing_ok=True)
    return sorted(found, key=lambda recovery: recovery.saved_at, reverse=True)
