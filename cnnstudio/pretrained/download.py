"""Downloading pretrained weights into the torch cache, with progress and without half-written files.

Files land where torch.hub and torchvision look for them (`<torch hub dir>/checkpoints/`, see
cnnstudio.pytorch.importer.torchvision_weights_file), so a download made here is found by torchvision
and vice versa. torchvision's file names carry the first hex digits of the file's SHA-256
("resnet18-f37072fd.pth"); the download is checked against them, as
`torch.hub.download_url_to_file(check_hash=True)` does, before it replaces the target in one rename.
"""

from __future__ import annotations

import hashlib
import re
import urllib.request
from pathlib import Path

from cnnstudio.fileio import atomic_path
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.progress import Progress

_CHUNK = 1 << 20
_TIMEOUT_S = 30
_HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")


def fetch_checked(url: str, dest: Path, label: str, progress: Progress | None = None) -> None:
    """Download `url` to `dest`; progress(message, fraction) follows the bytes.

    Raises ModelLoadError when the server cannot be reached (offline), answers with an error, or the
    file does not match the hash in its name. `dest` is only ever the complete, checked file.
    """
    expected = _HASH_IN_NAME.search(Path(url).name)
    request = urllib.request.Request(url, headers={"User-Agent": "cnnstudio"})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response, atomic_path(dest) as tmp:
            total = int(response.headers.get("Content-Length") or 0)
            digest = hashlib.sha256()
            done = 0
            with open(tmp, "wb") as out:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
                        progress(f"Downloading {label} ({size})", done / total if total else 0.0)
            if expected and not digest.hexdigest().startswith(expected.group(1)):
                raise ModelLoadError(
                    f"the download of {label} from {url} is damaged (its SHA-256 does not match); try again"
                )
    except OSError as error:  # URLError, HTTPError, timeouts, a full disk
        reason = getattr(error, "reason", None) or error.strerror or error
        raise ModelLoadError(
            f"could not download {label} from {url} ({reason}). Check the internet "
            f"connection, or place the file at {dest}"
        ) from None
