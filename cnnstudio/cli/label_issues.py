"""`cnnstudio label-issues RUN`: the images of a data set whose labels look wrong, most suspect first.

Registering the command imports no torch; the engine is imported when it runs.
"""

from __future__ import annotations

import argparse
import json
import sys

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.options import add_data, add_data_root, add_json
from cnnstudio.cli.training import LABELS_HELP, data_spec, unusable_errors


def add_commands(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `label-issues`; it sets func(args) -> exit code."""
    parser = subparsers.add_parser(
        "label-issues",
        help="list the images whose labels look wrong (cleanlab)",
        description=(
            "Find suspected label errors with confident learning (cleanlab): the run's design is trained on K "
            "folds with the run's settings and predicts each image it did not train on (or, with --fast, the "
            "run's network predicts its validation images); the images whose labels those predictions contradict "
            "are listed, the most likely wrong first. Decisions (relabel, exclude, keep) go into the data set's "
            "overrides file, which loading applies; the images themselves are never changed. "
            "Needs: pip install 'cnnstudio[labels]'."
        ),
    )
    parser.add_argument("run", metavar="RUN", help="the --out folder of a training run")
    add_data(parser, what="dataset (default: the one it was trained on)")
    parser.add_argument("--labels", metavar="FILE.csv", help=LABELS_HELP)
    parser.add_argument("--folds", type=int, default=3, metavar="K", help="folds of the k-fold training (default 3)")
    parser.add_argument("--epochs", type=int, help="epochs per fold (default: the run's)")
    parser.add_argument("--fast", action="store_true", help="use the run's predictions of its validation images")
    parser.add_argument("--top", type=int, default=20, metavar="N", help="how many suspects to list (default 20)")
    add_data_root(parser)
    add_json(parser, "the result as JSON")
    parser.set_defaults(func=cmd_label_issues)


def cmd_label_issues(args: argparse.Namespace) -> int:
    from cnnstudio.engine.label_issues import TrainingFailed, find_run_label_issues

    try:
        result = find_run_label_issues(
            args.run,
            data_spec(args) or None,
            folds=args.folds,
            fast=args.fast,
            epochs=args.epochs,
            root=args.data_root,
        )
    except unusable_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE
    except TrainingFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return ExitCode.FAILED
    shown = result.issues[: max(0, args.top)]
    if args.json:
        document = result.to_dict()
        print(json.dumps({"run": str(args.run), **document, "issues": document["issues"][: len(shown)]}))
        return ExitCode.OK
    print(
        f"{len(result.issues)} suspected label error(s) among {len(result.dataset):,} images "
        f"({result.method}, {result.seconds:.1f} s); the {len(shown)} most likely wrong:"
    )
    if shown:
        width = max(len(issue.source) for issue in shown)
        print(f"{'rank':>4}  {'image':<{width}}  {'given':<12}  {'suggested':<12}  score")
        for rank, issue in enumerate(shown, start=1):
            print(
                f"{rank:>4}  {issue.source:<{width}}  {issue.given_label:<12}  "
                f"{issue.suggested_label:<12}  {issue.score:.3f}"
            )
    print(f"decisions (relabel, exclude, keep) are kept in {result.overrides}")
    return ExitCode.OK
