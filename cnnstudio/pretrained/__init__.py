"""Ready classifiers: pretrained networks (EfficientNet-Lite0 offline, torchvision's on demand), trained
runs and designs, all behind one resolver, plus transfer learning and teaching new classes.

    classifier = load_classifier("efficientnet_lite0")      # or "torchvision:resnet18", "runs/a", "net.cnn.json"
    probabilities = classifier.predict(images_uint8)         # [N, classes]
    result = teach_classifier("samples/", classifier)        # new head for the folder's classes
"""

import importlib
from typing import Any

# name → submodule. Attributes load on first use (PEP 562), so registering the command line or
# importing one submodule does not import torch and OpenCV needlessly.
_EXPORTS = {
    "Classifier": "classifier",
    "ComparisonRow": "compare",
    "HeadSplit": "headtrain",
    "ModelLoadError": "errors",
    "Prediction": "predictions",
    "PretrainedInfo": "catalog",
    "TeachResult": "teach",
    "TransferResult": "transfer",
    "classifier_from_design": "designs",
    "compare_pretrained": "compare",
    "download_weights": "torchvision_zoo",
    "extract_features": "headtrain",
    "fine_tune": "teach",
    "imagenet_classes": "imagenet",
    "load_classifier": "resolve",
    "pretrained_catalog": "catalog",
    "save_classifier": "designs",
    "split_at_head": "headtrain",
    "teach_classifier": "teach",
    "train_head": "headtrain",
    "transfer_learning": "transfer",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnnstudio.pretrained.{_EXPORTS[name]}"), name)
