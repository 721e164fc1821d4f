"""Weight files: safetensors keyed by node id, loaded without ever executing code.

A built network's state_dict keys are `<node id>.<tensor>` (the node id is the module name), so a
weights file written here belongs to a design by its node ids, not by Python class layout.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from cnnstudio.fileio import atomic_path


class WeightsFileError(Exception):
    """A weights file that cannot be read, or does not fit the network it is loaded into."""


def weights_path_for(design_path: str | os.PathLike) -> Path:
    """The weights file that sits beside a design: `net.cnn.json` → `net.safetensors`."""
    path = Path(design_path)
    name = path.name
    for suffix in (".cnn.json", ".json"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return path.with_name(name + ".safetensors")


def save_state_dict(
    state_dict: dict[str, torch.Tensor], path: str | os.PathLike, metadata: dict[str, str] | None = None
) -> None:
    """Write a state dict as safetensors, atomically (tensors are made contiguous CPU copies).

    metadata: string pairs stored in the file's header (e.g. class names, see cnnstudio.pretrained.designs).
    """
    tensors = {key: value.detach().to("cpu").contiguous() for key, value in state_dict.items()}
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata=metadata or None)


def read_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The header metadata of a safetensors file ({} for a file without any)."""
    try:
        with safe_open(str(path), framework="pt") as handle:
            return dict(handle.metadata() or {})
    except (SafetensorError, OSError) as error:
        raise WeightsFileError(f"{path}: the metadata cannot be read ({error})") from None


def load_state_dict_file(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Read weights from `.safetensors`, or from `.pt`/`.pth` with `weights_only=True` (no fallback).

    Raises WeightsFileError with the file name and the cause for missing, truncated, foreign or
    unsafe files (a pickle that would run code is refused by `weights_only`, never executed).
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsFileError(f"{path}: no such weights file")
    if path.suffix == ".safetensors":
        try:
            return load_file(str(path))
        except (SafetensorError, OSError, ValueError) as error:
            raise WeightsFileError(f"{path}: not a readable safetensors file ({error})") from None
    try:
        loaded = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - torch raises UnpicklingError, RuntimeError, EOFError… for bad files
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise WeightsFileError(
            f"{path}: refused or unreadable as a weights-only PyTorch file ({first_line}). "
            "CNN Studio only loads plain tensors; re-save the weights with torch.save(model.state_dict())."
        ) from None
    if isinstance(loaded, dict) and "state_dict" in loaded and isinstance(loaded["state_dict"], dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise WeightsFileError(f"{path}: does not contain a state dict of tensors")
    return loaded


def load_matching(module: torch.nn.Module, state_dict: dict[str, torch.Tensor]) -> list[str]:
    """Copy the tensors of `state_dict` whose name and shape fit `module`; the names of the module's
    tensors that were left as they were (the design changed since the weights were made)."""
    own = module.state_dict()
    fitting = {
        key: value for key, value in state_dict.items() if key in own and tuple(value.shape) == tuple(own[key].shape)
    }
    module.load_state_dict(fitting, strict=False)
    return sorted(set(own) - set(fitting))


def load_into(module: torch.nn.Module, state_dict: dict[str, torch.Tensor], source: str = "weights") -> None:
    """Copy `state_dict` into `module`, with a plain message naming missing, extra or mis-shaped tensors."""
    own = module.state_dict()
    missing = sorted(set(own) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(own))
    mismatched = [
        f"{key}: file {tuple(state_dict[key].shape)} vs network {tuple(own[key].shape)}"
        for key in own
        if key in state_dict and tuple(state_dict[key].shape) != tuple(own[key].shape)
    ]
    if missing or unexpected or mismatched:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} tensor(s), e.g. {', '.join(missing[:3])}")
        if unexpected:
            parts.append(f"{len(unexpected)} tensor(s) the network does not have, e.g. {', '.join(unexpected[:3])}")
        if mismatched:
            parts.append(f"shape mismatch: {'; '.join(mismatched[:3])}")
        raise WeightsFileError(f"{source} do not fit this network: " + "; ".join(parts))
    module.load_state_dict(state_dict)
