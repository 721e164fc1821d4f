"""Design → torch: analysis (shapes, learnables, FLOPs), fx.GraphModule, source code, import."""

from cnnstudio.pytorch.analyze import NetworkAnalysis, NodeAnalysis, analyze
from cnnstudio.pytorch.builder import BuildError, build_module, class_name_for, module_source, trailing_softmax

__all__ = [
    "BuildError",
    "NetworkAnalysis",
    "NodeAnalysis",
    "analyze",
    "build_module",
    "class_name_for",
    "module_source",
    "trailing_softmax",
]
