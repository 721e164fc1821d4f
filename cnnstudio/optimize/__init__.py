"""Making a trained run small and fast, measured against the original: int8 quantization, structured
pruning with fine-tuning, torch.compile, and the cost/accuracy report of each variant (no Qt).

    from cnnstudio.optimize import OptimizeOptions, optimize_run
    result = optimize_run("runs/lenet", OptimizeOptions(quantize=True, prune=0.5, finetune=3))
    for row in result.rows: print(row.name, row.val_acc, row.latency_ms_b32)

It sits above the engine (it trains, evaluates and times with it) and beside `pretrained`; the command
line and the window call it.
"""

from cnnstudio.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "OptimizeError": "errors",
        "OptimizeOptions": "job",
        "OptimizeResult": "job",
        "optimize_run": "job",
        "VariantRow": "report",
        "quantize_int8": "quantize",
        "save_quantized": "quantize",
        "load_quantized": "quantize",
        "export_quantized_onnx": "quantize",
        "prune_channels": "prune",
        "export_variant_onnx": "exporting",
    },
)
