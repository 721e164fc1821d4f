"""Design → torch: analysis (shapes, learnables, FLOPs), fx.GraphModule, source code, import."""

from cnnstudio.build.analyze import NetworkAnalysis, NodeAnalysis, analyze
from cnnstudio.build.builder import BuildError, build_module, class_name_for, module_source, trailing_softmax

__all__ = [
    "BuildError", "NetworkAnalysis", "NodeAnalysis", "analyze", "build_module", "class_name_for",
    "module_source", "trailing_softmax",
]
