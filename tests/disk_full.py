"""A full disk, simulated: the atomic writes of cnnstudio.fileio fail as they do when the disk fills up."""

from __future__ import annotations

import errno
import os
import stat

import pytest


def fill_disk(monkeypatch: pytest.MonkeyPatch, after: int = 0) -> None:
    """Let `after` more files be written, then fail every file's fsync with ENOSPC, as the kernel does when
    delayed allocation finds no space for data already written (directories still sync)."""
    real_fsync = os.fsync
    written = [0]

    def fsync(fd: int) -> None:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            written[0] += 1
            if written[0] > after:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr("cnnstudio.fileio.os.fsync", fsync)
