"""Numbers as people read them in tables and status bars."""

from __future__ import annotations

from cnnstudio.graph.describe import format_count


def format_bytes(count: int) -> str:
    """1536 → '1.5 KiB'."""
    for limit, unit in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
        if count >= limit:
            return f"{count / limit:.1f} {unit}"
    return f"{count} B"


def format_flops(count: int) -> str:
    """1.8e9 → '1.8 GFLOPs', 12 → '12 FLOPs'."""
    text = format_count(count)
    return f"{text}FLOPs" if text[-1].isalpha() else f"{text} FLOPs"
