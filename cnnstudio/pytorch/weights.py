"""Weight files: safetensors keyed by node id, loaded without ever executing code.

A built network's state_dict keys are `<node id>.<tensor>` (the node id is the module name), so a
weights file written here belongs to a design by its node ids, not by Python class layout.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

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
    metadata = _header(Path(path))[1]
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise WeightsFileError(f"{path}: the metadata cannot be read (it must map names to text)")
    return metadata


def load_state_dict_file(path: str | os.PathLike, fitting: torch.nn.Module | None = None) -> dict[str, torch.Tensor]:
    """Read weights from `.safetensors`, or from `.pt`/`.pth` with `weights_only=True` (no fallback).

    fitting: the network the weights are for. A safetensors file's header is then checked against it
    before any tensor data is read: only the tensors whose name and shape fit are read, and a file none of
    whose tensors fits is refused (an 8 GiB file of tensors the design does not have is never mapped).

    Raises WeightsFileError with the file name and the cause for missing, truncated, foreign or
    unsafe files (a pickle that would run code is refused by `weights_only`, never executed), and for a
    file too large for the memory there is.
    """
    path = Path(path)
    if not path.is_file():
        raise WeightsFileError(f"{path}: no such weights file")
    try:
        if path.suffix == ".safetensors":
            return _read_safetensors(path, fitting)
        loaded = _load_pickle(path)
    except MemoryError:
        raise WeightsFileError(
            f"{path}: not enough memory to read its {_size(path.stat().st_size)} of weights; "
            "close other programs, or use a file with fewer or smaller tensors"
        ) from None
    if isinstance(loaded, dict) and "state_dict" in loaded and isinstance(loaded["state_dict"], dict):
        loaded = loaded["state_dict"]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise WeightsFileError(f"{path}: does not contain a state dict of tensors")
    return loaded


def _load_pickle(path: Path) -> Any:
    """`torch.load(path, weights_only=True)` on the CPU; WeightsFileError for a file it refuses or cannot read.

    A refused pickle is reported as such, without torch's advice to re-run with the safe loading turned off:
    that would run the code in the file.
    """
    try:
        with warnings.catch_warnings():  # torch's note on the pickle protocol of a file it will refuse anyway
            warnings.filterwarnings("ignore", message="Detected pickle protocol")
            return torch.load(path, map_location="cpu", weights_only=True)
    except MemoryError:
        raise
    except pickle.UnpicklingError as error:
        if "weights_only" not in str(error):
            raise WeightsFileError(f"{path}: not a weights-only PyTorch file ({_first_line(error)})") from None
        found = re.search(r"GLOBAL (\S+) was not an allowed global", str(error))
        what = (
            f"Python code ({found.group(1)}) that would run when loaded"
            if found
            else "Python objects other than tensors (a pickle can carry code that runs when it is loaded)"
        )
        raise WeightsFileError(
            f"{path}: refused: it contains {what}, so it was not loaded. CNN Studio loads plain tensors only "
            "(safetensors, or a weights-only PyTorch file saved with torch.save(model.state_dict())); "
            "use weights from a source you trust"
        ) from None
    except Exception as error:  # noqa: BLE001 - torch raises RuntimeError, EOFError, OSError… for bad files
        raise WeightsFileError(
            f"{path}: unreadable as a weights-only PyTorch file ({_first_line(error)}); "
            "re-save the weights with torch.save(model.state_dict())"
        ) from None


@dataclass(frozen=True)
class TensorInfo:
    """A tensor as a safetensors header declares it."""

    dtype: str
    shape: tuple[int, ...]
    nbytes: int


# safetensors refuses headers above 100 MB; a header is read whole before anything else.
MAX_HEADER_BYTES = 100_000_000


def read_header(path: str | os.PathLike) -> dict[str, TensorInfo]:
    """The tensors a safetensors file declares, read from its header alone (no tensor data is read or
    mapped). Raises WeightsFileError for a header that is malformed or declares more data than the file has."""
    return _header(Path(path))[0]


def _header(path: Path) -> tuple[dict[str, TensorInfo], Any]:
    """(the tensors, the metadata) of a safetensors file's header."""
    try:
        with path.open("rb") as handle:
            prefix = handle.read(8)
            length = int.from_bytes(prefix, "little") if len(prefix) == 8 else -1
            if not 0 < length <= MAX_HEADER_BYTES:
                raise WeightsFileError(f"{path}: not a readable safetensors file (no valid header at its start)")
            text = handle.read(length)
        size = path.stat().st_size
    except OSError as error:
        raise WeightsFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        header = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict):
        raise WeightsFileError(f"{path}: not a readable safetensors file (its header is not a JSON object)")
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        info = _tensor_info(entry)
        if info is None:
            raise WeightsFileError(
                f"{path}: not a readable safetensors file (the header entry of tensor {name!r} is malformed)"
            )
        tensors[name] = info
    declared = 8 + length + sum(info.nbytes for info in tensors.values())
    if declared > size:
        raise WeightsFileError(
            f"{path}: not a readable safetensors file (truncated: its header declares {_size(declared)}, "
            f"the file has {_size(size)})"
        )
    return tensors, header.get("__metadata__") or {}


def _tensor_info(entry: Any) -> TensorInfo | None:
    if not isinstance(entry, dict):
        return None
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if not isinstance(dtype, str) or not isinstance(shape, list) or not isinstance(offsets, list) or len(offsets) != 2:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in [*shape, *offsets]):
        return None
    if offsets[1] < offsets[0]:
        return None
    return TensorInfo(dtype, tuple(shape), offsets[1] - offsets[0])


def _read_safetensors(path: Path, fitting: torch.nn.Module | None) -> dict[str, torch.Tensor]:
    header = read_header(path)
    names = list(header)
    if fitting is not None:
        own = {key: tuple(value.shape) for key, value in fitting.state_dict().items()}
        names = [name for name in names if own.get(name) == header[name].shape]
        if header and not names:
            examples = [
                f"{name} {header[name].shape} vs network {own[name]}" if name in own else f"{name} (not in the network)"
                for name in list(header)[:3]
            ]
            raise WeightsFileError(
                f"{path}: none of its {len(header)} tensors fits this network ({'; '.join(examples)}); "
                "these weights belong to another design"
            )
    try:
        with safe_open(str(path), framework="pt") as handle:
            return {name: handle.get_tensor(name) for name in names}
    except (SafetensorError, OSError, ValueError) as error:
        raise WeightsFileError(f"{path}: not a readable safetensors file ({error})") from None


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _size(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.1f} MiB"


def load_matching(module: torch.nn.Module, state_dict: dict[str, torch.Tensor]) -> list[str]:
    """Copy the tensors of `state_dict` whose name and shape fit `module`; the names of the module's
    tensors that were left as they were (the design changed since the weights were made)."""
    own = module.state_dict()
    fitting = {
        key: value for key, value in state_dict.items() if key in own and tuple(value.shape) == tuple(own[key].shape)
    }
    module.load_state_dict(fitting, strict=False)
    return sorted(set(own) - set(fitting))


def load_into(module: torch.nn.Module, state_dict: dict[str, torch.Tensor], source: str = "weights") -> list[str]:
    """Copy `state_dict` into `module`, with a plain message naming missing, extra or mis-shaped tensors.

    Returns notes on tensors whose type was converted (bool or integer weights become float), which
    load_state_dict does without a word.
    """
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
            parts.append(f"{len(mismatched)} of another shape: {'; '.join(mismatched[:3])}")
        raise WeightsFileError(f"{source} do not fit this network: " + "; ".join(parts))
    converted: dict[tuple[torch.dtype, torch.dtype], list[str]] = {}
    for key, value in state_dict.items():
        if value.dtype != own[key].dtype:
            converted.setdefault((value.dtype, own[key].dtype), []).append(key)
    module.load_state_dict(state_dict)
    return [
        f"{source}: {len(keys)} tensor(s) converted from {_dtype_name(old)} to {_dtype_name(new)}, "
        f"e.g. {', '.join(keys[:3])}"
        for (old, new), keys in converted.items()
    ]


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")
