"""Does the Webcam tab's pipeline keep up with its model? Classify a video file through the real
capture → preprocess → model → result pipeline (the frame loop that `cnnstudio classify` and the Webcam
tab run), against the bare model forward on the same frames.

The baseline is the model alone: the video's frames decoded and preprocessed beforehand, then one
forward pass per frame (batch of one, as the tab runs). The pipeline adds decoding on the capture
thread, the latest-frame hand-over, preprocessing, softmax and top-k; the goal is ≥ 0.9 of the bare
rate. Rates are frames over the whole runs (3 of each, alternated); the rates from the median time
per frame are shown too, as a check that other programs' bursts on a shared machine did not decide
the ratio. It also reports how far behind the newest captured frame each result is ("frame age"), with
every frame of a file handed over in order, and with the video played live at its own frame rate.

    python benchmarks/webcam_pipeline.py [--model efficientnet_lite0] [--device cpu] [--frames 90]
"""

import argparse
import itertools
import statistics
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from cnnstudio.camera import FrameLoop, FrameResult, LatestFrameGrabber, SourceEnded, VideoFileSource
from cnnstudio.pretrained import load_classifier

WIDTH, HEIGHT, FPS = 640, 480, 30
REPEATS = 3


def write_test_video(path: Path, frames: int) -> Path:
    """A 640×480 MJPG video of a moving disc on a textured background (JPEG-decoding cost like a webcam's)."""
    rng = np.random.default_rng(0)
    background = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8), (0, 0), 3)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (WIDTH, HEIGHT))
    for index in range(frames):
        frame = background.copy()
        centre = (int(WIDTH / 2 + 200 * np.cos(index / 10)), int(HEIGHT / 2 + 120 * np.sin(index / 10)))
        cv2.circle(frame, centre, 60, (40, 90, 220), -1)
        writer.write(frame)
    writer.release()
    return path


def bare_forward_times(classifier, video: Path) -> list[float]:
    """Seconds per frame of the model alone on the video's frames, preprocessed beforehand."""
    source = VideoFileSource(video)
    source.open()
    inputs = []
    try:
        while True:
            inputs.append(classifier.preprocessing.frame_tensor(source.read(), classifier.device))
    except SourceEnded:
        source.close()
    times = []
    with torch.inference_mode():
        for x in inputs:
            start = time.perf_counter()
            classifier.module(x).softmax(1).cpu()  # .cpu() waits for a GPU, as the pipeline's result does
            times.append(time.perf_counter() - start)
    return times


def pipeline_run(classifier, video: Path, realtime: bool) -> tuple[list[float], list[FrameResult]]:
    """Seconds between consecutive results of the whole pipeline (the frame loop), and the results."""
    loop = FrameLoop(classifier, top_k=5)
    stamps, results = [], []
    with LatestFrameGrabber(VideoFileSource(video, realtime=realtime)) as grabber:
        for item in loop.run(grabber):
            if isinstance(item, FrameResult):
                stamps.append(time.perf_counter())
                results.append(item)
    return [later - earlier for earlier, later in itertools.pairwise(stamps)], results


def whole_rate(seconds: list[float]) -> float:
    return len(seconds) / sum(seconds)


def median_rate(seconds: list[float]) -> float:
    return 1.0 / statistics.median(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="efficientnet_lite0")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--frames", type=int, default=90)
    args = parser.parse_args()

    classifier = load_classifier(args.model, device=args.device)
    with tempfile.TemporaryDirectory() as folder:
        video = write_test_video(Path(folder) / "bench.avi", args.frames)
        bare_forward_times(classifier, video)  # warm-up (allocator, kernels)
        pipeline_times, bare_times, ages = [], [], []
        for _ in range(REPEATS):  # alternate so that machine noise hits both sides alike
            intervals, results = pipeline_run(classifier, video, realtime=False)
            pipeline_times += intervals
            ages += [result.frame_age for result in results]
            bare_times += bare_forward_times(classifier, video)
        live_intervals, live = pipeline_run(classifier, video, realtime=True)

    ours, baseline = whole_rate(pipeline_times), whole_rate(bare_times)
    live_ages = [result.frame_age for result in live]
    print(
        f"{classifier.name} on {classifier.device}, {torch.get_num_threads()} CPU threads, "
        f"{args.frames} frames {WIDTH}×{HEIGHT} MJPG, {REPEATS} runs each"
    )
    print(
        f"every frame: pipeline {ours:.1f} frames/s (median frame {median_rate(pipeline_times):.1f}), "
        f"bare forward {baseline:.1f} frames/s (median frame {median_rate(bare_times):.1f}); "
        f"frame age max {max(ages)}, mean {statistics.mean(ages):.2f} (frames behind the newest captured)"
    )
    print(
        f"live at {FPS} fps: classified {len(live)} of {args.frames} frames ({whole_rate(live_intervals):.1f}/s); "
        f"frame age max {max(live_ages)}, mean {statistics.mean(live_ages):.2f}"
    )
    print(
        f"webcam_pipeline_{args.model.replace(':', '_')}: {ours:.1f} frames/s "
        f"(baseline: {baseline:.1f} frames/s bare forward) ratio: {ours / baseline:.2f}"
    )


if __name__ == "__main__":
    main()
