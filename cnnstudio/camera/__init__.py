"""Frames from cameras, video files and folders, grabbed on their own thread (newest frame only), and
classified through a model's own preprocessing by the one frame loop; recording frames as a training set.

    with LatestFrameGrabber(open_source("0"), mirror=True) as grabber:
        for event in FrameLoop(load_classifier("efficientnet_lite0")).run(grabber):
            ...  # FrameResult (top classes, fps, latency), SourceStatus (opened, lost, ended …), …
"""

from cnnstudio.lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "CameraInfo": "cameras",
        "CameraSource": "sources",
        "ENDED": "frames",
        "FAILED": "frames",
        "Frame": "frames",
        "FrameExtras": "pipeline",
        "FrameLoop": "pipeline",
        "FrameProblem": "pipeline",
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
    },
)
