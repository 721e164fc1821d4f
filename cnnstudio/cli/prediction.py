"""`cnnstudio predict --model M IMAGE…`: the top classes of single images, from the command line.

Registering the command imports nothing heavy (torch loads when it runs). Errors print one line on
stderr and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.options import add_device, positive_int

MODEL_HELP = (
    "efficientnet_lite0, torchvision:NAME, a run directory, a checkpoint folder, or a .cnn.json design "
    "with weights beside it"
)
_BATCH = 16


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """--model, --device, --download, --top: shared by predict and classify."""
    parser.add_argument("--model", default="efficientnet_lite0", help=f"{MODEL_HELP} (default: efficientnet_lite0)")
    add_device(parser, default="cpu")
    parser.add_argument(
        "--download",
        action="store_true",
        help="download missing torchvision weights into the torch cache (needs internet)",
    )
    parser.add_argument("--top", type=positive_int, default=5, help="how many classes to list (default: 5)")


def stderr_progress(message: str, fraction: float) -> None:
    """A one-line progress display on stderr (downloads, decoding, occlusion), on a terminal only: a log or
    pipe would keep every redraw."""
    if not sys.stderr.isatty():
        return
    end = "\n" if fraction >= 1.0 else ""
    print(f"\r{message} {fraction:4.0%}", end=end, file=sys.stderr, flush=True)


def report_error(command: str, error: BaseException) -> int:
    text = str(error).strip()
    print(f"cnnstudio {command}: {text.splitlines()[0] if text else type(error).__name__}", file=sys.stderr)
    return ExitCode.UNUSABLE


def run_guarded(command: str, body: Callable[[], int]) -> int:
    """Run a command body; any error becomes one line on stderr and exit status 2 (a closed output pipe and
    Ctrl-C go on to cnnstudio.cli.main, which ends the command quietly)."""
    try:
        return body()
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as error:  # the command line promises one readable line, never a traceback
        return report_error(command, error)


def cmd_predict(args: argparse.Namespace) -> int:
    return run_guarded("predict", lambda: _predict(args))


def _predict(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from cnnstudio.data.pipeline import ImageError
    from cnnstudio.pretrained.resolve import load_classifier

    classifier = load_classifier(args.model, device=args.device, download=args.download, progress=stderr_progress)
    for note in classifier.notes:
        print(f"note: {note}", file=sys.stderr)
    status = ExitCode.OK
    readable: list[tuple[str, np.ndarray]] = []
    for path in args.images:
        try:  # decoded upright and fitted as the model was evaluated (cnnstudio.data.pipeline)
            readable.append((path, classifier.preprocessing.image_pixels(path)))
        except ImageError as error:
            status = report_error("predict", error)
    for start in range(0, len(readable), _BATCH):
        chunk = readable[start : start + _BATCH]
        batch = torch.from_numpy(np.stack([pixels for _, pixels in chunk])).permute(0, 3, 1, 2)
        for (path, _), probabilities in zip(chunk, classifier.predict(batch), strict=True):
            top = classifier.top(probabilities, args.top)
            if args.json:
                print(json.dumps({"image": path, "top": [{"label": p.label, "prob": round(p.prob, 6)} for p in top]}))
            else:
                print(path)
                for prediction in top:
                    print(f"  {prediction.prob:6.1%}  {prediction.label}")
    return status


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `predict` on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "predict",
        help="the most probable classes of image files",
        description="Classify image files with a pretrained or trained network.",
    )
    parser.add_argument("images", nargs="+", metavar="IMAGE", help="image files (JPEG, PNG, …)")
    add_model_arguments(parser)
    parser.add_argument(
        "--json", action="store_true", help='one JSON line per image: {"image", "top": [{"label", "prob"}]}'
    )
    parser.set_defaults(func=cmd_predict)
