"""Frames from cameras, video files and folders, grabbed on their own thread (newest frame only), and
classified through a model's own preprocessing; recording frames as a training set.

    with LatestFrameGrabber(open_source("0"), mirror=True) as grabber:
        for item in ClassificationPipeline(load_classifier("efficientnet_lite0")).run(grabber):
            ...  # FrameResult (top classes, fps, latency) or SourceStatus (opened, lost, ended …)
"""

import importlib
from typing import Any

# name → submodule. Attributes load on first use (PEP 562), so registering the command line or
# importing one submodule does not import torch and OpenCV needlessly.
_EXPORTS = {
    "CameraInfo": "cameras",
    "CameraSource": "sources",
    "ClassificationPipeline": "pipeline",
    "ENDED": "frames",
    "FAILED": "frames",
    "Frame": "frames",
    "FrameResult": "pipeline",
    "FrameSource": "sources",
    "ImageFolderSource": "sources",
    "LOST": "frames",
    "LatestFrameGrabber": "grabber",
    "OPENING": "frames",
    "RUNNING": "frames",
    "STALLED": "frames",
    "STOPPED": "frames",
    "SampleError": "samples",
    "SampleRecorder": "samples",
    "SourceEnded": "sources",
    "SourceError": "sources",
    "SourceStatus": "frames",
    "VideoFileSource": "sources",
    "list_cameras": "cameras",
    "open_source": "sources",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"cnnstudio.camera.{_EXPORTS[name]}"), name)
