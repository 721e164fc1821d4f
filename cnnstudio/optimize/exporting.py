"""A variant of the report as ONNX: an int8 file (`*.int8.pt`) through the quantized exporter, a run folder
(the original, a pruned run) through the engine's export of a run. For the Deploy view's Export button."""

from __future__ import annotations

import os
from pathlib import Path

from cnnstudio.optimize.errors import OptimizeError
from cnnstudio.optimize.quantize import export_quantized_onnx, load_quantized

INT8_SUFFIX = ".int8.pt"


def export_variant_onnx(source: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Write the variant saved at `source` (a VariantRow.path) as ONNX at `path`. Raises OptimizeError."""
    from cnnstudio.engine.exporting import export_run
    from cnnstudio.pytorch.export import ExportError

    source = Path(source)
    if source.name.endswith(INT8_SUFFIX):
        quantized = load_quantized(source)
        return export_quantized_onnx(quantized.module, quantized.data["input_shape"], path)
    try:
        return export_run(source, "onnx", Path(path))[0]
    except ExportError as error:
        raise OptimizeError(str(error)) from None
