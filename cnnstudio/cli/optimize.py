"""`cnnstudio optimize RUN`: a trained run made smaller and faster, each variant measured against it.

    cnnstudio optimize runs/lenet --quantize int8 --prune 0.5 --finetune 3 [--compile] [--out DIR] [--json]

The table (or, with --json, one JSON object per row, the original first) gives each variant's learnables,
file size, CPU latency at batch 1 and 32, validation accuracy and top-1 agreement with the original.
Registering the command imports nothing heavy: torch loads when it runs (cnnstudio.optimize).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from cnnstudio.cli.exit_codes import CommandError, ExitCode
from cnnstudio.cli.options import add_data, add_data_root, add_json, fraction_type, positive_int

if TYPE_CHECKING:
    from cnnstudio.optimize import OptimizeOptions


def cmd_optimize(args: argparse.Namespace) -> int:
    from cnnstudio.optimize import OptimizeError, optimize_run
    from cnnstudio.optimize.report import format_table

    shown = [""]

    def progress(message: str, fraction: float) -> None:
        if message != shown[0] and not args.json:
            print(message, file=sys.stderr)
            shown[0] = message

    try:
        result = optimize_run(args.run, options_from(args), progress=progress)
    except OptimizeError as error:
        raise CommandError(str(error)) from None
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        for row in result.rows:
            print(json.dumps(row.to_dict()))
        return ExitCode.OK
    print(format_table(result.rows))
    for path in result.files:
        print(f"wrote {path}")
    return ExitCode.OK


def options_from(args: argparse.Namespace) -> OptimizeOptions:
    """The command line's choices as the core's options."""
    from cnnstudio.optimize import OptimizeOptions

    return OptimizeOptions(
        quantize=args.quantize == "int8",
        prune=args.prune,
        finetune=args.finetune,
        compile=args.compile,
        onnx=args.onnx,
        out=args.out,
        data=args.data,
        data_root=args.data_root,
        checkpoint=args.checkpoint,
        calibration_images=args.calibration,
        repeats=args.repeats,
    )


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `optimize` on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "optimize",
        help="quantize, prune or compile a trained run and measure each variant against it",
        description="Make a trained run small and fast: int8 quantization calibrated on its training images, "
        "pruning of conv channels fine-tuned into a new run, torch.compile; prints each variant's size, CPU "
        "latency (batch 1 and 32, median of warm runs), validation accuracy and agreement with the original.",
    )
    parser.add_argument("run", help="a run folder written by `cnnstudio train` or the Training tab")
    parser.add_argument("--quantize", choices=("int8",), help="post-training static int8 quantization (CPU)")
    parser.add_argument(
        "--prune",
        type=fraction_type(one=False),
        metavar="FRACTION",
        help="remove this fraction of every convolution's channels (e.g. 0.5), then fine-tune",
    )
    parser.add_argument(
        "--finetune", type=positive_int, default=3, metavar="EPOCHS", help="fine-tuning epochs after pruning (3)"
    )
    parser.add_argument("--compile", action="store_true", help="also measure the network through torch.compile")
    parser.add_argument("--onnx", action="store_true", help="also export each int8 variant to ONNX")
    parser.add_argument(
        "--out", metavar="DIR", help="where the variants go (default: the folder holding RUN, the runs folder)"
    )
    add_data(parser, what="calibrate, fine-tune and evaluate on this data (default: the run's)")
    add_data_root(parser)
    parser.add_argument("--checkpoint", choices=("best", "last"), help="the run's checkpoint (default: best)")
    parser.add_argument(
        "--calibration", type=positive_int, default=256, metavar="N", help="training images to calibrate on (256)"
    )
    parser.add_argument(
        "--repeats", type=positive_int, default=20, metavar="N", help="timed runs per latency figure (20)"
    )
    add_json(parser, "one JSON object per variant on stdout, the original first")
    parser.set_defaults(func=cmd_optimize)
