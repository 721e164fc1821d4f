"""Ready classifiers: pretrained networks (EfficientNet-Lite0 offline, torchvision's on demand), trained
runs and designs, all behind one resolver, plus transfer learning and teaching new classes.

    classifier = load_classifier("efficientnet_lite0")      # or "torchvision:resnet18", "runs/a", "net.cnn.json"
    probabilities = classifier.predict(images_uint8)         # [N, classes]
    result = teach_classifier("samples/", classifier)        # new head for the folder's classes
"""

from cnnstudio.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
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
    },
)
