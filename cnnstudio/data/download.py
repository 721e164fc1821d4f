"""Downloading and unpacking dataset archives, with progress and without half-written results.

A download goes to a temporary file that replaces the target only once complete and checksummed
(cnnstudio.fileio.atomic_path); an archive is unpacked into a staging folder whose entries are
then moved into place, so an interrupted run never leaves a dataset that looks present but is not.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import urllib.request
import zlib
from pathlib import Path

from cnnstudio.data.errors import DataError
from cnnstudio.fileio import atomic_path
from cnnstudio.progress import Progress

_CHUNK = 1 << 20
_TIMEOUT_S = 30


def fetch(url: str, dest: Path, md5: str, progress: Progress | None, label: str) -> None:
    """Download url to dest, verifying its MD5.

    Network failures raise OSError (urllib.error.URLError, TimeoutError…) or
    http.client.HTTPException; a checksum mismatch raises DataError. `progress` gets
    (message, fraction of bytes); if it raises, the download stops and dest is left untouched.
    """
    from torchvision.datasets.utils import check_integrity

    request = urllib.request.Request(url, headers={"User-Agent": "cnnstudio"})
    with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response, atomic_path(dest) as tmp:
        total = int(response.headers.get("Content-Length") or 0)
        done = 0
        with open(tmp, "wb") as out:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress is not None:
                    size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
                    progress(f"Downloading {label} ({size})", done / total if total else 0.0)
        if not check_integrity(str(tmp), md5):
            raise DataError(
                f"The download of {label} from {url} was damaged (its checksum does not match). "
                "Try again; if it keeps failing, download the file with a browser and place it "
                f"at {dest}."
            )


def unpack(archive: Path, dest: Path) -> None:
    """Unpack a .tar.gz/.tgz/.gz/.zip archive into dest, replacing entries of the same name."""
    from torchvision.datasets.utils import extract_archive

    dest.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest))
    try:
        try:
            extract_archive(str(archive), str(staging))
        except (tarfile.TarError, EOFError, zlib.error, OSError, RuntimeError) as error:
            raise DataError(
                f"Could not unpack {archive} ({error}). Delete it and load the dataset again to download a fresh copy."
            ) from None
        for entry in staging.iterdir():
            target = dest / entry.name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target)
            os.replace(entry, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
