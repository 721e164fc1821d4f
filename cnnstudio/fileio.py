"""Atomic file writing: a file is either the old version or the complete new one, never half-written.

Pure Python (no torch, no Qt) so every layer can use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from glob import escape as glob_escape
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    The temporary file is fsynced before the rename, so a crash or kill leaves either the previous
    file or the complete new one. On an exception the temporary file is removed and `path` untouched.
    A temporary file left by a writer that was killed is removed by the next write of the same file.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_orphaned_temporaries(target.parent, target.name)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _mode_for(target))
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def remove_orphaned_temporaries(directory: Path, name: str | None = None) -> None:
    """Delete the temporary files of atomic writes in `directory` (of the file `name`, or of any file)
    whose writing process no longer exists: what a killed writer leaves behind. POSIX only: elsewhere
    there is no cheap, safe way to ask whether a process is alive, and the files stay."""
    if os.name != "posix":
        return
    pattern = f".{glob_escape(name)}.*.tmp" if name is not None else ".*.tmp"
    for leftover in directory.glob(pattern):
        pid_text = leftover.name[: -len(".tmp")].rsplit(".", 2)[-2]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not _process_exists(int(pid_text)):
            leftover.unlink(missing_ok=True)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _mode_for(target: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0o666 less the umask)."""
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    """Persist the rename itself (POSIX); a no-op where directories cannot be opened."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
