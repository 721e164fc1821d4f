"""Phone photos (pixels stored sideways with an EXIF orientation, and the same pixels stored upright) and
large images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

# EXIF orientation → quarter turns (numpy's rot90, counter-clockwise) that show the stored pixels upright.
DISPLAY_TURNS = {3: 2, 6: -1, 8: 1}


def write_phone_photo(folder: Path, upright: np.ndarray, orientation: int) -> tuple[Path, Path]:
    """`upright` (H×W×3 uint8) stored sideways as a JPEG tagged with `orientation`, and a PNG of exactly the
    pixels that JPEG decodes to, turned upright by hand (JPEG is lossy, so the pixels are taken after
    decoding). Returns (jpeg, png)."""
    turns = DISPLAY_TURNS[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    jpeg = folder / f"phone-{orientation}.jpg"
    Image.fromarray(np.ascontiguousarray(np.rot90(upright, -turns))).save(jpeg, exif=exif, quality=90)
    with Image.open(jpeg) as stored:
        decoded = np.asarray(stored.convert("RGB"))
    png = folder / f"upright-{orientation}.png"
    Image.fromarray(np.ascontiguousarray(np.rot90(decoded, turns))).save(png)
    return jpeg, png


def write_large_png(path: Path, width: int, height: int) -> Path:
    """A real black-and-white PNG of width×height pixels, every row present (a memory bomb when decoded
    whole: 30,000×30,000 is 900 megapixels in about 100 KB), written without building the image."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)  # the filter byte, then one bit per pixel
    packer = zlib.compressobj(1)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path
