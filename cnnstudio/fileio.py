"""Atomic file writing: a file is either the old version or the complete new one, never half-written.

Pure Python (no torch, no Qt) so every layer can use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from glob import escape as glob_escape
from pathlib import Path

_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_NEARLY_FULL = 1 << 20  # bytes free on a disk that a writer failed on without saying why: it was full


class NoSpaceError(OSError):
    """A file could not be written for want of space: the disk (or the user's quota) is full, or the file
    exceeds the size limit of the process (`ulimit -f`). Its message says which, where, and that the previous
    version of the file is kept; `strerror` is that message, so `f"{path}: {error.strerror}"` reads well."""


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    The temporary file is fsynced before the rename, so a crash or kill leaves either the previous
    file or the complete new one. On an exception the temporary file is removed and `path` untouched;
    running out of space (while writing, or when the fsync finds it) raises NoSpaceError.
    A temporary file left by a writer that was killed is removed by the next write of the same file.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_orphaned_temporaries(target.parent, target.name)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        if error.errno in _NO_SPACE:
            raise no_space_error(error.errno, target) from None
        raise
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _mode_for(target))
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as error:
        code = _space_errno(error, tmp) if isinstance(error, Exception) else None
        tmp.unlink(missing_ok=True)
        if code is not None and not isinstance(error, NoSpaceError):
            raise no_space_error(code, target) from None
        raise
    _fsync_directory(target.parent)


def _space_errno(error: Exception, tmp: Path) -> int | None:
    """The errno of running out of space behind `error` (raised while `tmp` was written), or None.

    An OSError carries it. safetensors (Rust) reports an OS error as its own exception whose text ends in
    Rust's standard "(os error N)". torch's C++ writer (torch.save, torch.export.save) says only that a write
    failed, so then the state it left tells: the temporary file at the file size limit, or a nearly full disk.
    """
    if isinstance(error, OSError):
        return error.errno if error.errno in _NO_SPACE else None
    match = re.search(r"\(os error (\d+)\)", str(error))
    if match:
        return int(match.group(1)) if int(match.group(1)) in _NO_SPACE else None
    if _at_size_limit(tmp):
        return errno.EFBIG
    free = _free_bytes(tmp.parent)
    return errno.ENOSPC if free is not None and free < _NEARLY_FULL else None


def no_space_error(code: int, target: Path) -> NoSpaceError:
    """The error that says `target` (a file, or a folder written as a whole) was not written for want of space
    (`code`: its errno), and where."""
    kept = "its previous version is kept" if target.exists() else "nothing was written"
    if code == errno.EFBIG:
        message = f"{target.name} would be larger than the file size limit of this process (ulimit -f); {kept}"
    else:
        free = _free_bytes(target.parent)
        left = f" ({free / 2**20:.1f} MiB free)" if free is not None else ""
        message = f"the disk is full: no space left in {target.parent}{left} to write {target.name}; {kept}"
    return NoSpaceError(code, message, str(target))


def _at_size_limit(path: Path) -> bool:
    """Whether `path` has reached the file size limit of this process (`ulimit -f`; POSIX)."""
    try:
        import resource
    except ImportError:
        return False
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    try:
        return limit != resource.RLIM_INFINITY and path.stat().st_size >= limit
    except OSError:
        return False


def _free_bytes(directory: Path) -> int | None:
    try:
        return shutil.disk_usage(directory).free
    except OSError:
        return None


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
