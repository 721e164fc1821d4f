"""`cnnstudio classify --model M --source SRC`: the Webcam tab's frame loop on the command line.

    cnnstudio classify --source 0                      # camera 0, until Ctrl+C
    cnnstudio classify --source clip.avi --frames 100 --json

Prints the top classes of each frame with the classification rate and latency (`--json`: one line
per frame, {"frame", "top": [{"label", "prob"}], "fps", "latency_ms"}); source events (opened, lost,
ended) go to stderr. Errors print one line on stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.options import fraction_type, positive_int
from cnnstudio.cli.prediction import add_model_arguments, run_guarded, stderr_progress


def parse_resolution(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().replace("×", "x").partition("x")
    if not sep or not width.strip().isdigit() or not height.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 640x480, not {text!r}")
    return int(width), int(height)


def cmd_classify(args: argparse.Namespace) -> int:
    return run_guarded("classify", lambda: _classify(args))


def _classify(args: argparse.Namespace) -> int:
    from cnnstudio.camera.frames import SourceStatus
    from cnnstudio.camera.grabber import LatestFrameGrabber
    from cnnstudio.camera.pipeline import FrameLoop, FrameProblem, FrameResult
    from cnnstudio.camera.sources import open_source
    from cnnstudio.pretrained.resolve import load_classifier

    source = open_source(args.source, resolution=args.resolution, realtime=args.realtime)
    classifier = load_classifier(args.model, device=args.device, download=args.download, progress=stderr_progress)
    for note in classifier.notes:
        print(f"note: {note}", file=sys.stderr)
    if classifier.multilabel:
        print("note: a multi-label model: each label's own probability, every label shown", file=sys.stderr)
    top = len(classifier.classes) if classifier.multilabel else args.top
    loop = FrameLoop(classifier, top_k=top, smoothing=args.smoothing)
    count, fps = 0, 0.0
    with LatestFrameGrabber(source, mirror=args.mirror) as grabber:
        for event in loop.run(grabber, max_frames=args.frames):
            if isinstance(event, SourceStatus):
                if event.is_error and not event.frames:  # never delivered anything: nothing to wait for
                    print(f"cnnstudio classify: {event.message}", file=sys.stderr)
                    return ExitCode.UNUSABLE
                print(f"[{event.state}] {event.display}", file=sys.stderr)
            elif isinstance(event, FrameProblem):
                print(f"cnnstudio classify: {event.message}", file=sys.stderr)
                return ExitCode.UNUSABLE
            elif isinstance(event, FrameResult):
                count, fps = count + 1, event.fps
                if args.json:
                    print(json.dumps(event.to_json()), flush=True)
                else:
                    labels = " · ".join(f"{p.label} {p.prob:.1%}" for p in event.top)
                    rate = f"({event.fps:.1f} fps, {event.latency_ms:.0f} ms)"
                    print(f"frame {event.frame.index:5d}  {labels}  {rate}", flush=True)
    print(f"classified {count} frames at {fps:.1f} frames/s with {classifier.name}", file=sys.stderr)
    return ExitCode.OK


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `classify` on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "classify",
        help="classify a camera, video file or folder of images frame by frame",
        description="Classify live frames (camera), a video file or a folder of images; prints the top "
        "classes per frame and the frame rate.",
    )
    parser.add_argument(
        "--source", required=True, help="a camera number (0, 1, …), a video file, a folder of images, or an image file"
    )
    add_model_arguments(parser)
    parser.add_argument(
        "--frames", type=positive_int, help="stop after this many frames (default: until the source ends)"
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='one JSON line per frame: {"frame", "top": [{"label", "prob"}], "fps", "latency_ms"}',
    )
    parser.add_argument(
        "--smoothing",
        type=fraction_type(one=False),
        default=0.0,
        help="average the probabilities over frames, 0 (off) … 0.95 (steady)",
    )
    parser.add_argument("--mirror", action="store_true", help="flip frames horizontally")
    parser.add_argument("--resolution", type=parse_resolution, help="camera resolution WIDTHxHEIGHT, e.g. 1280x720")
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="play a video or folder at its own pace like a camera, skipping the frames the "
        "model is too slow for (default: every frame)",
    )
    parser.set_defaults(func=cmd_classify)
