"""Atomic writes: the old file or the complete new one, and no temporary file outlives a killed writer."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnnstudio.fileio import NoSpaceError, atomic_path, atomic_write_text
from tests.disk_full import fill_disk


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


def _design(tmp_path, version):
    from cnnstudio.graph import save_network
    from cnnstudio.graph.templates import load_template

    graph = load_template("lenet5")
    graph.set_param("fc3", "out_features", version)
    save_network(graph, tmp_path / "net.cnn.json")


def _design_version(tmp_path):
    from cnnstudio.graph import load_network

    return load_network(tmp_path / "net.cnn.json").graph.node("fc3").param("out_features")


def _checkpoint(tmp_path, version):
    import torch

    from cnnstudio.engine.checkpoint import DataInfo, Progress, save_checkpoint
    from cnnstudio.engine.config import TrainConfig
    from cnnstudio.graph.templates import load_template

    save_checkpoint(
        tmp_path / "run",
        "last",
        model=torch.nn.Linear(3, 2),
        config=TrainConfig(),
        design=load_template("xo").to_dict(),
        data=DataInfo(["x", "o"], [0.5], [0.25], [1, 28, 28]),
        progress=Progress(epoch=version),
    )


def _checkpoint_version(tmp_path):
    from cnnstudio.engine.checkpoint import load_checkpoint

    return load_checkpoint(tmp_path / "run").progress.epoch


def _export(tmp_path, version):
    import torch

    from cnnstudio.graph.templates import load_template
    from cnnstudio.pytorch.export import export_python

    graph = load_template("xo")
    torch.manual_seed(version)
    export_python(graph, None, tmp_path / "net.py")
    (tmp_path / f"expected-{version}.pt").write_bytes((tmp_path / "net.pt").read_bytes())


def _export_version(tmp_path):
    exported = (tmp_path / "net.pt").read_bytes()
    return next(int(p.stem.split("-")[1]) for p in tmp_path.glob("expected-*.pt") if p.read_bytes() == exported)


WRITERS = {
    "design": (_design, _design_version),
    "checkpoint": (_checkpoint, _checkpoint_version),
    "export": (_export, _export_version),
}


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_full_disk_keeps_the_previous_file_and_says_the_disk_is_full_and_where(tmp_path, monkeypatch, kind):
    write, version = WRITERS[kind]
    write(tmp_path, 1)
    fill_disk(monkeypatch)
    with pytest.raises(NoSpaceError) as caught:
        write(tmp_path, 2)
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert caught.value.strerror.startswith(f"the disk is full: no space left in {tmp_path}")
    assert "its previous version is kept" in caught.value.strerror
    assert version(tmp_path) == 1
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or ".new-" in p.name]
    assert not leftovers


def test_a_full_disk_reported_by_safetensors_in_its_own_words_is_a_full_disk(tmp_path, monkeypatch):
    import torch
    from safetensors import SafetensorError

    from cnnstudio.pytorch.weights import save_state_dict

    def full(*args, **kwargs):
        raise SafetensorError("Error while serializing: I/O error: No space left on device (os error 28)")

    monkeypatch.setattr("cnnstudio.pytorch.weights.save_file", full)
    with pytest.raises(NoSpaceError, match="the disk is full: no space left in .* nothing was written"):
        save_state_dict({"w": torch.zeros(3)}, tmp_path / "w.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_other_failures_are_not_called_a_full_disk(tmp_path):
    with pytest.raises(PermissionError), atomic_path(tmp_path / "net.cnn.json"):
        raise PermissionError(errno.EACCES, "Permission denied")
    with pytest.raises(RuntimeError, match="file write failed"), atomic_path(tmp_path / "net.cnn.json"):
        raise RuntimeError("file write failed")  # as torch's writer says it, with space to spare


_UNDER_A_FILE_SIZE_LIMIT = """
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from tests.test_fileio import WRITERS
folder = Path(sys.argv[1])
results = {}
for kind, (write, version) in WRITERS.items():
    write(folder, 1)
resource.setrlimit(resource.RLIMIT_FSIZE, (1024, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
for kind, (write, version) in WRITERS.items():
    try:
        write(folder, 2)
        results[kind] = "written"
    except OSError as error:
        results[kind] = [type(error).__name__, error.errno, error.strerror]
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print(json.dumps({"results": results, "versions": {kind: version(folder) for kind, (_, version) in WRITERS.items()}}))
"""


@pytest.mark.skipif(os.name != "posix", reason="ulimit -f is POSIX")
def test_under_a_real_file_size_limit_every_writer_keeps_the_previous_file(tmp_path):
    """`ulimit -f` in a real process: Python's, safetensors' (Rust) and torch's (C++) writers all hit it."""
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", _UNDER_A_FILE_SIZE_LIMIT, str(tmp_path), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    for kind in WRITERS:
        name, code, message = report["results"][kind]
        assert name == "NoSpaceError" and code == errno.EFBIG, report
        assert "would be larger than the file size limit of this process (ulimit -f)" in message
        assert report["versions"][kind] == 1
