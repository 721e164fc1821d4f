"""Numbers as people read them in tables and status bars."""

from __future__ import annotations

from cnnstudio.graph.describe import format_bytes, format_count

__all__ = ["format_bytes", "format_flops"]  # format_bytes is the network model's, shared with the core


def format_flops(count: int) -> str:
    """1.8e9 → '1.8 GFLOPs', 12 → '12 FLOPs'."""
    text = format_count(count)
    return f"{text}FLOPs" if text[-1].isalpha() else f"{text} FLOPs"
