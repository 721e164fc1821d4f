"""Post-training static int8 quantization (weights and activations), calibrated on sample images.

The flow is torch.ao's FX graph mode (`prepare_fx` / `convert_fx`) with the backend's default qconfig:
`x86` (fbgemm and oneDNN int8 kernels) where the CPU offers it, `qnnpack` on ARM. It was chosen over
PT2E with the X86InductorQuantizer because, on torch 2.14.1, PT2E lives only in torchao and produces int8
kernels only after torch.compile with Inductor (a C++ compiler at run time, 20 s and more per network), was
slower than compiled fp32 on LeNet-5 and failed to annotate torch.export's ResNet-18 graph ("Input partition
has more than one output node"); the FX-converted module runs int8 kernels eagerly, with no compiler, and
loads from a plain state dict. Designs are fx.GraphModules already, so FX tracing always succeeds.

The quantized network is saved as one file read with `torch.load(weights_only=True)` (no code runs): the
design, what it was trained on and the quantized state dict; loading rebuilds the quantized graph from
the design and fills it. ONNX export uses torch's TorchScript-based exporter, which writes the quantized
operators as QuantizeLinear/DequantizeLinear around float Conv/Gemm (onnxruntime fuses them into int8
kernels); the dynamo exporter cannot trace quantized modules.
"""

from __future__ import annotations

import copy
import io
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import fx, nn

from cnnstudio.fileio import atomic_path, atomic_write_bytes
from cnnstudio.graph import NetworkFileError, network_from_dict
from cnnstudio.optimize.errors import OptimizeError
from cnnstudio.progress import CancelFlag, FractionProgress, check_cancel
from cnnstudio.pytorch import build_module

FORMAT = "cnnstudio.int8"
VERSION = 1


@dataclass
class QuantizedModel:
    """A quantized network read back from its file: the module (raw class scores, CPU only), the design
    it was made from and what that design was trained on (classes, mean, std, input shape)."""

    module: fx.GraphModule
    design: dict[str, Any]
    data: dict[str, Any]


def quantized_engine() -> str:
    """The quantized backend of this CPU: x86 where torch has it, else qnnpack (ARM)."""
    engines = torch.backends.quantized.supported_engines
    for engine in ("x86", "fbgemm", "qnnpack"):
        if engine in engines:
            return engine
    raise OptimizeError(f"this PyTorch build has no int8 CPU backend (it offers {', '.join(engines) or 'none'})")


def quantize_int8(
    module: nn.Module,
    calibration: Sequence[torch.Tensor],
    *,
    progress: FractionProgress | None = None,
    cancel: CancelFlag | None = None,
) -> fx.GraphModule:
    """An int8 copy of `module` (which outputs raw class scores), its activation ranges observed on the
    normalized image batches `calibration`; `module` itself is left unchanged. Runs on the CPU."""
    if not calibration:
        raise OptimizeError("int8 quantization needs calibration images, and none were given")
    prepared = _prepared(copy.deepcopy(module).cpu().eval(), calibration[0].cpu())
    with torch.no_grad():
        for index, batch in enumerate(calibration):
            check_cancel(cancel)
            prepared(batch.cpu())
            if progress is not None:
                progress((index + 1) / len(calibration))
    return _converted(prepared)


def _prepared(module: nn.Module, example: torch.Tensor) -> fx.GraphModule:
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import prepare_fx

    engine = quantized_engine()
    torch.backends.quantized.engine = engine
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao's notices that the flow is moving to torchao
        try:
            return prepare_fx(module, get_default_qconfig_mapping(engine), (example,))
        except Exception as error:  # FX quantization reports unsupported patterns with assorted types
            raise OptimizeError(f"the network cannot be prepared for int8 quantization: {_first_line(error)}") from None


def _converted(prepared: fx.GraphModule) -> fx.GraphModule:
    from torch.ao.quantization.quantize_fx import convert_fx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # uncalibrated observers (when loading) warn; their values are replaced
        return convert_fx(prepared)


def save_quantized(
    module: fx.GraphModule, path: str | os.PathLike[str], *, design: dict[str, Any], data: dict[str, Any]
) -> Path:
    """Write the quantized `module` of `design` (a NetworkGraph.to_dict()) and its training data's
    description (classes, mean, std, input_shape) atomically to `path`; returns the path."""
    payload = {"format": FORMAT, "version": VERSION, "design": design, "data": data, "state": module.state_dict()}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    atomic_write_bytes(path, buffer.getvalue())
    return Path(path)


def load_quantized(path: str | os.PathLike[str]) -> QuantizedModel:
    """Read a file written by save_quantized, without running code from it. Raises OptimizeError."""
    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's own TypedStorage notice while it rebuilds quantized tensors
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # a foreign file fails the weights-only unpickler in many ways (KeyError, EOFError …)
        raise OptimizeError(f"{path}: not a readable int8 model ({_first_line(error)})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise OptimizeError(f"{path}: not a CNN Studio int8 model (written by cnnstudio optimize --quantize int8)")
    if payload.get("version") != VERSION:
        raise OptimizeError(f"{path}: int8 model version {payload.get('version')!r} is not supported")
    try:
        graph = network_from_dict(payload["design"], f"{path} (design)").graph
        shape = tuple(payload["data"]["input_shape"])
        module = _converted(_prepared(build_module(graph, logits=True).eval(), torch.zeros(1, *shape)))
        module.load_state_dict(payload["state"])
    except NetworkFileError as error:
        raise OptimizeError(str(error)) from None
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise OptimizeError(f"{path}: damaged int8 model ({_first_line(error)})") from None
    return QuantizedModel(module, payload["design"], payload["data"])


def export_quantized_onnx(module: fx.GraphModule, input_shape: Sequence[int], path: str | os.PathLike[str]) -> Path:
    """The quantized network as ONNX (QuantizeLinear/DequantizeLinear around Conv and Gemm, input 'input',
    output 'output', a dynamic batch axis), written atomically; returns the path."""
    example = torch.zeros(1, *input_shape)
    with atomic_path(path) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript-based exporter's deprecation notice
        try:
            torch.onnx.export(
                module,
                (example,),
                str(tmp),
                dynamo=False,
                input_names=["input"],
                output_names=["output"],
                dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
            )
        except ImportError as error:
            raise OptimizeError(f'ONNX export needs the onnx extra ({error}): pip install "cnnstudio[onnx]"') from None
        except Exception as error:  # the exporter's failures have no common type
            raise OptimizeError(f"the int8 network cannot be exported to ONNX: {_first_line(error)}") from None
    return Path(path)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
