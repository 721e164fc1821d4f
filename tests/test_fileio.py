"""Atomic writes: the old file or the complete new one, and no temporary file outlives a killed writer."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cnnstudio.fileio import atomic_path, atomic_write_text


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "net.cnn.json"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.cnn.json"]


@pytest.mark.skipif(os.name != "posix", reason="orphans are recognised by process id on POSIX")
def test_the_next_write_removes_a_dead_writers_temporary_but_not_a_live_ones(tmp_path):
    target = tmp_path / "net [1].cnn.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f".{target.name}.{int(dead.stdout)}.abc123.tmp"
    alive = tmp_path / f".{target.name}.{os.getppid()}.def456.tmp"
    for leftover in (orphan, alive):
        leftover.write_text("half-written")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert not orphan.exists() and alive.exists()
