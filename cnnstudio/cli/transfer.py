"""`cnnstudio transfer`: the Designer's Transfer Learning dialog and the training that follows it, from the
command line.

    cnnstudio transfer --model efficientnet_lite0 --data FOLDER --out runs/mine [--freeze-before LAYER]
    cnnstudio transfer --model runs/xo --data shapes --out runs/shapes --epochs 3

The classifier of a pretrained network (or of a trained run, a design with weights) is replaced by a fresh
one for the data set's classes, the layers before --freeze-before (default: the new classifier) are frozen,
and the training engine trains the rest (cnnstudio.pretrained.fine_tune, which calls transfer_learning as the
dialog does). The run folder holds checkpoints and metrics.json as after `cnnstudio train`; its progress is
printed the same way and it resumes with `cnnstudio train --resume RUN`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.options import add_data, add_device, add_json, add_lengths, add_seed
from cnnstudio.cli.training import follow_run, stop_on_interrupt, unusable_errors


def cmd_transfer(args: argparse.Namespace) -> int:
    from cnnstudio.pretrained import fine_tune, load_classifier
    from cnnstudio.pretrained.errors import ModelLoadError

    try:
        from cnnstudio.engine.config import TrainConfig
        from cnnstudio.engine.control import TrainControl

        base = load_classifier(args.model)
        options = {
            name: getattr(args, name)
            for name in ("epochs", "batch_size", "lr", "device", "seed")
            if getattr(args, name) is not None
        }
        config = TrainConfig(**options)
        control = TrainControl()
        events = fine_tune(args.data, base, args.out, freeze_before=args.freeze_before, config=config, control=control)
        with stop_on_interrupt(control, quiet=args.json):
            return follow_run(events, args.json, f"{base.name} (transfer)", args.data, Path(args.out), True)
    except (ModelLoadError, *unusable_errors()) as error:
        print(f"cnnstudio transfer: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `transfer` on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "transfer",
        help="replace the classifier of a pretrained network or run, freeze, and train on a data set",
        description="Transfer learning as the Designer's dialog and the Training tab do it: a fresh classifier "
        "for the data's classes, the layers before --freeze-before frozen, the rest trained into --out.",
    )
    parser.add_argument(
        "--model", required=True, help="efficientnet_lite0, torchvision:NAME, a run folder or a design with weights"
    )
    add_data(parser, required=True)
    parser.add_argument("--out", required=True, help="the run folder to write (checkpoints, metrics.json)")
    parser.add_argument(
        "--freeze-before",
        metavar="LAYER",
        help="the first layer that trains (a node id); the layers it depends on stay frozen "
        "(default: only the new classifier trains)",
    )
    add_lengths(parser)
    add_device(parser)
    add_seed(parser)
    add_json(parser)
    parser.set_defaults(func=cmd_transfer)
