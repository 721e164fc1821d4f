"""Autosave to a recovery file, and recovery after a crash.

Each running window owns a session file `<id>.recovery.json` in the state folder, guarded by a
QLockFile that it holds while it runs. A few seconds after an unsaved edit the design (with the path
it belongs to) is written there atomically; when the design is saved or the window closes normally
the file is removed. A recovery file whose lock can be taken belongs to a session that died (the
lock's process is gone): the next start offers to restore it.

The design's weights (pretrained, transfer-learned, or opened beside the file) go to
`<id>.recovery.safetensors` whenever they change, written in the background (they can be hundreds of
megabytes). The JSON names the version of the weights it belongs to, and the weights file carries that
version in its metadata, so a crash between the two writes restores the design without weights (and
says so) rather than with weights of another state.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, QTimer

from cnnstudio.fileio import atomic_write_text, remove_orphaned_temporaries
from cnnstudio.graph.io import NetworkFileError, network_from_dict
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch.weights import WeightsFileError, load_state_dict_file, read_metadata, save_state_dict
from cnnstudio.ui.document import Document
from cnnstudio.ui.tasks import TaskRunner

FORMAT = "cnnstudio.recovery"
SUFFIX = ".recovery.json"
WEIGHTS_SUFFIX = ".recovery.safetensors"
VERSION_KEY = "cnnstudio.recovery_version"  # in the weights file's metadata
DELAY_MS = 2000


def weights_path(recovery: Path) -> Path:
    """Where the weights of the recovery file `recovery` are kept."""
    return recovery.with_name(recovery.name[: -len(SUFFIX)] + WEIGHTS_SUFFIX)


@dataclass
class Recovery:
    """An orphaned recovery file: the design an ended session had not saved."""

    path: Path
    graph: NetworkGraph
    original: Path | None  # the file the design was opened from, if any
    saved_at: float
    weights_version: str | None = None  # the weights the design had (None: it had none)

    def load_weights(self) -> tuple[dict | None, dict[str, str], str]:
        """(weights, metadata, problem): the design's weights as they were, or why they are not back."""
        if self.weights_version is None:
            return None, {}, ""
        lost = "the weights could not be recovered (the session ended while writing them); the layers are random"
        path = weights_path(self.path)
        if not path.is_file():
            return None, {}, lost
        try:
            metadata = read_metadata(path)
            if metadata.get(VERSION_KEY) != self.weights_version:
                return None, {}, lost
            weights = load_state_dict_file(path)
        except (WeightsFileError, MemoryError) as error:
            return None, {}, f"the recovered weights are damaged ({error}); the layers keep random weights"
        metadata.pop(VERSION_KEY)
        return weights, metadata, ""

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        source = f" (from {self.original.name})" if self.original else ""
        return f"“{self.graph.name}”{source}, {len(self.graph.nodes)} layers, last edited {when}"

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        weights_path(self.path).unlink(missing_ok=True)
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
        self._tasks = TaskRunner("cnnstudio-autosave", self)
        self._weights_version: str | None = None  # of the document's weights (None: it has none)
        self._written_weights: str | None = None  # the version in the weights file
        self._weights_changed()
        document.undo_stack.indexChanged.connect(self._edited)
        document.undo_stack.cleanChanged.connect(self._edited)
        document.weights_changed.connect(self._weights_changed)
        self._listening = True
        # QObject emits destroyed before it deletes its children, so this runs while the undo stack still
        # exists; the stack's own destructor clears it, which emits indexChanged and cleanChanged.
        document.destroyed.connect(self._stop_listening)

    def _edited(self, *args: object) -> None:
        if self.document.is_modified():
            if not self._timer.isActive():  # write within DELAY_MS of the first edit, even while editing on
                self._timer.start()
        else:
            self._timer.stop()
            self._remove_files()

    def _weights_changed(self) -> None:
        self._weights_version = uuid.uuid4().hex if self.document.weights else None
        self._edited()

    def _remove_files(self) -> None:
        self.path.unlink(missing_ok=True)
        weights_path(self.path).unlink(missing_ok=True)
        self._written_weights = None

    def write_now(self) -> None:
        """Write the recovery file (if there is anything unsaved)."""
        if not self.document.is_modified():
            return
        data = {
            "format": FORMAT,
            "version": 1,
            "saved_at": time.time(),
            "original": str(self.document.path) if self.document.path else None,
            "weights_version": self._weights_version,
            "network": self.document.graph.to_dict(),
        }
        # A full or read-only disk must not interrupt editing; the next edit tries again.
        with contextlib.suppress(OSError):
            atomic_write_text(self.path, json.dumps(data, ensure_ascii=False))
        if self._weights_version != self._written_weights and self.document.weights:
            self._write_weights(dict(self.document.weights), dict(self.document.weights_metadata))

    def adopt(self, recovery: Recovery) -> None:
        """Take over the weights file of `recovery`, whose weights the document holds now, instead of
        writing them again (a rename: instant, and the weights are never without a file)."""
        source = weights_path(recovery.path)
        if recovery.weights_version is not None and self.document.weights and source.is_file():
            os.replace(source, weights_path(self.path))
            self._weights_version = self._written_weights = recovery.weights_version

    def _write_weights(self, weights: dict, metadata: dict[str, str]) -> None:
        version, target = self._weights_version, weights_path(self.path)
        assert version is not None

        def write(task: object) -> str:
            save_state_dict(weights, target, {**metadata, VERSION_KEY: version})
            return version

        def written(done: str) -> None:
            self._written_weights = done

        # Like the design's file: a full disk must not interrupt editing; the next autosave tries again.
        self._tasks.submit(write, key="weights", on_done=written, on_error=lambda error: None)

    def _stop_listening(self, *args: object) -> None:
        """No more autosaves: the session ends, or the document goes (a window deleted without being
        closed), whose undo stack must not call back into a document half destroyed."""
        if self._listening:
            self._listening = False
            self.document.undo_stack.indexChanged.disconnect(self._edited)
            self.document.undo_stack.cleanChanged.disconnect(self._edited)
        self._timer.stop()

    def close(self) -> None:
        """Normal end of the session: nothing to recover."""
        self._stop_listening()
        self._tasks.shutdown()
        self._remove_files()
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
    version = data.get("weights_version")
    return Recovery(
        path,
        graph,
        Path(original) if isinstance(original, str) else None,
        float(saved_at) if isinstance(saved_at, int | float) else path.stat().st_mtime,
        version if isinstance(version, str) else None,
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
            weights_path(path).unlink(missing_ok=True)
    return sorted(found, key=lambda recovery: recovery.saved_at, reverse=True)
