"""`cnnstudio teach` and `cnnstudio compare-pretrained`: the Webcam tab's Teach panel and the Compare
Pretrained Networks dialog from the command line.

    cnnstudio teach FOLDER -o taught.cnn.json [--base efficientnet_lite0] [--epochs 100] [--json]
    cnnstudio compare-pretrained [SPEC …] [--device cpu] [--repeats 10] [--json]

teach trains a new classifier on a pretrained network's frozen features for the classes of a folder with
one sub-folder of images per class (what the Teach panel records), with cnnstudio.pretrained.teach_classifier,
and saves it as a design with its weights beside it (cnnstudio.pretrained.designs.save_classifier).
compare-pretrained prints cnnstudio.pretrained.compare_pretrained's table: published accuracy and size, and
the latency measured here. Errors print one line on stderr and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.options import add_device, add_json, add_seed, fraction_type, positive_int
from cnnstudio.cli.prediction import run_guarded, stderr_progress

if TYPE_CHECKING:
    from cnnstudio.pretrained.compare import ComparisonRow


def _teach(args: argparse.Namespace) -> int:
    from cnnstudio.pretrained.designs import save_classifier
    from cnnstudio.pretrained.teach import teach_classifier

    result = teach_classifier(
        args.folder,
        args.base,
        epochs=args.epochs,
        lr=args.lr,
        val_fraction=args.val_fraction,
        seed=args.seed,
        progress=None if args.json else stderr_progress,
    )
    weights = save_classifier(result.classifier, args.output)
    if args.json:
        document = {
            "design": args.output,
            "weights": str(weights),
            "classes": result.classifier.classes,
            "train_images": result.train_size,
            "val_images": result.val_size,
            "train_accuracy": round(result.train_accuracy, 6),
            "val_accuracy": None if result.val_accuracy is None else round(result.val_accuracy, 6),
            "final_loss": round(result.losses[-1], 6) if result.losses else None,
            "notes": result.notes,
        }
        print(json.dumps(document, indent=2))
        return ExitCode.OK
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    held_out = (
        f", {result.val_accuracy:.1%} on {result.val_size} held-out images"
        if result.val_accuracy is not None
        else " (too few images to hold any out)"
    )
    print(
        f"taught {', '.join(result.classifier.classes)} on {args.base}'s features: "
        f"{result.train_accuracy:.1%} on {result.train_size} training images{held_out}"
    )
    print(f"wrote {args.output} and {weights}; classify with: cnnstudio predict IMAGE --model {args.output}")
    return ExitCode.OK


def comparison_table(rows: list[ComparisonRow]) -> str:
    """The comparison as aligned text columns, one network a line."""

    def number(value: float | None, digits: int) -> str:
        return "–" if value is None else f"{value:.{digits}f}"

    table = [("Network", "Top-1 %", "Top-5 %", "Params", "GFLOPs", "File MB", "Latency ms", "Offline")]
    for row in rows:
        info = row.info
        table.append(
            (
                info.title,
                number(info.top1, 1),
                number(info.top5, 1),
                f"{info.params / 1e6:.1f} M",
                number(info.gflops, 2),
                number(info.file_mb, 1),
                number(row.latency_ms, 1),
                "yes" if info.available else "no",
            )
        )
    widths = [max(len(line[column]) for line in table) for column in range(len(table[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(line, widths, strict=True))
        )
        for line in table
    )


def _compare(args: argparse.Namespace) -> int:
    from cnnstudio.pretrained.compare import compare_pretrained

    rows = compare_pretrained(
        args.networks or None,
        device=args.device,
        repeats=args.repeats,
        progress=None if args.json else stderr_progress,
    )
    if args.json:
        documents = [
            {
                "spec": row.info.spec,
                "title": row.info.title,
                "top1": row.info.top1,
                "top5": row.info.top5,
                "params": row.info.params,
                "gflops": row.info.gflops,
                "input_size": row.info.input_size,
                "file_mb": row.info.file_mb,
                "available_offline": row.info.available,
                "accuracy_source": row.info.accuracy_source,
                "latency_ms": round(row.latency_ms, 3),
                "latency_iqr_ms": round(row.latency.spread_ms, 3),
                "batch": row.latency.batch,
                "device": row.device,
            }
            for row in rows
        ]
        print(json.dumps(documents, indent=2))
        return ExitCode.OK
    print(comparison_table(rows))
    spread = max(row.latency.spread_ms for row in rows)
    print(
        f"latency: median of {args.repeats} single-image forward passes on {rows[0].device} after warm-up, "
        f"measured here (interquartile spread at most {spread:.1f} ms)"
    )
    return ExitCode.OK


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register `teach` and `compare-pretrained` on the `cnnstudio` command's subparsers."""
    parser = subparsers.add_parser(
        "teach",
        help="train new classes from folders of images on a pretrained network's features (the Teach panel)",
        description="Train a classifier for the classes of FOLDER (one sub-folder of images per class, as the "
        "Webcam tab's Teach panel records them) on the frozen features of a pretrained network, and save it "
        "as a design with its weights beside it.",
    )
    parser.add_argument("folder", help="a folder with one sub-folder of images per class")
    parser.add_argument("-o", "--output", required=True, help="the .cnn.json design to write (weights go beside it)")
    parser.add_argument("--base", default="efficientnet_lite0", help="the pretrained network (default: %(default)s)")
    parser.add_argument("--epochs", type=positive_int, default=100, help="passes over the features (default: 100)")
    parser.add_argument("--lr", type=float, default=1e-3, help="learning rate of the new head (default: 0.001)")
    parser.add_argument(
        "--val-fraction", type=fraction_type(one=False), default=0.2, help="share held out to measure accuracy"
    )
    add_seed(parser, default=0, what="seed of the split and of the head's training")
    add_json(parser, "the result as JSON")
    parser.set_defaults(func=lambda args: run_guarded("teach", lambda: _teach(args)))

    parser = subparsers.add_parser(
        "compare-pretrained",
        help="accuracy, size and latency measured here of pretrained networks",
        description="The table of the Compare Pretrained Networks dialog: published ImageNet accuracy, "
        "parameters, GFLOPs and file size, and the latency of one image measured on this machine (no "
        "download: torchvision's architectures are timed with random weights).",
    )
    parser.add_argument(
        "networks", nargs="*", metavar="SPEC", help="efficientnet_lite0 or torchvision:NAME (default: the catalog)"
    )
    add_device(parser, default="cpu")
    parser.add_argument("--repeats", type=positive_int, default=10, help="timed passes per network (default: 10)")
    add_json(parser, "the rows as JSON")
    parser.set_defaults(func=lambda args: run_guarded("compare-pretrained", lambda: _compare(args)))
