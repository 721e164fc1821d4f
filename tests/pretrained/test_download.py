"""Downloading torchvision weights: progress, hash check, atomic result, and clear failures offline.

A local HTTP server stands in for download.pytorch.org; nothing leaves this machine.
"""

import hashlib
import http.server
import socket
import threading

import pytest
import torch

from cnnstudio.pretrained import (
    ModelLoadError,
    download_weights,
    load_classifier,
    torchvision_zoo,
)
from cnnstudio.pretrained.download import fetch_checked


@pytest.fixture
def served(tmp_path):
    """Serve tmp_path/www over HTTP on localhost; yields the base URL."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def named_by_hash(root, stem: str, payload: bytes) -> str:
    name = f"{stem}-{hashlib.sha256(payload).hexdigest()[:8]}.pth"
    (root / name).write_bytes(payload)
    return name


def test_a_download_reports_progress_and_lands_complete(served, tmp_path):
    root, url = served
    payload = bytes(range(256)) * 12_000  # 3 MB: several chunks
    name = named_by_hash(root, "net", payload)
    reports = []
    dest = tmp_path / "cache" / name
    fetch_checked(f"{url}/{name}", dest, "the net weights", lambda *report: reports.append(report))
    assert dest.read_bytes() == payload
    fractions = [fraction for _, fraction in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 3
    assert "Downloading the net weights" in reports[-1][0] and "MB" in reports[-1][0]


def test_a_damaged_download_is_refused_and_leaves_nothing(served, tmp_path):
    root, url = served
    (root / "net-00000000.pth").write_bytes(b"not what the name promises")
    dest = tmp_path / "cache" / "net-00000000.pth"
    with pytest.raises(ModelLoadError, match="damaged"):
        fetch_checked(f"{url}/net-00000000.pth", dest, "the net weights")
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_offline_downloads_fail_with_a_clear_message(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dest = tmp_path / "net-1234abcd.pth"
    with pytest.raises(ModelLoadError, match="could not download the net weights.*internet connection"):
        fetch_checked(f"http://127.0.0.1:{port}/net-1234abcd.pth", dest, "the net weights")
    assert not dest.exists()


def test_download_weights_fetches_the_official_file_into_the_torch_cache(monkeypatch, torch_cache):
    calls = []

    def fake_fetch(url, dest, label, progress=None):  # what the internet would deliver
        calls.append((url, dest))
        dest.parent.mkdir(parents=True, exist_ok=True)
        torch.save(torch.nn.Linear(2, 2).state_dict(), dest)

    monkeypatch.setattr(torchvision_zoo, "fetch_checked", fake_fetch)
    path = download_weights("resnet18")
    official = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    assert calls == [(official, torch_cache / "resnet18-f37072fd.pth")]
    assert path == torch_cache / "resnet18-f37072fd.pth" and path.is_file()
    download_weights("resnet18")  # already cached: no second download
    assert len(calls) == 1


def test_load_classifier_downloads_only_when_asked(monkeypatch, torch_cache):
    import torchvision

    def fake_fetch(url, dest, label, progress=None):
        dest.parent.mkdir(parents=True, exist_ok=True)
        torch.save(torchvision.models.mobilenet_v3_small(weights=None).state_dict(), dest)
        if progress is not None:
            progress(f"Downloading {label}", 1.0)

    monkeypatch.setattr(torchvision_zoo, "fetch_checked", fake_fetch)
    with pytest.raises(ModelLoadError, match="not on this computer"):
        load_classifier("torchvision:mobilenet_v3_small")
    reports = []
    classifier = load_classifier(
        "torchvision:mobilenet_v3_small", download=True, progress=lambda message, fraction: reports.append(fraction)
    )
    assert classifier.graph is not None and reports == [1.0]
