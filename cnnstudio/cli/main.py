"""The headless commands of `cnnstudio` (cnnstudio.__main__ opens the app instead when given no command),
which call the same functions as the GUI.

Exit codes: cnnstudio.cli.exit_codes (0 success; 1 the design has errors, listed per node; 2 a file or argument
cannot be used; 130 Ctrl-C; 141 the output pipe closed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from cnnstudio.cli.classify import add_commands as add_classify_commands
from cnnstudio.cli.exit_codes import CommandError, ExitCode
from cnnstudio.cli.inspection import add_commands as add_inspect_commands
from cnnstudio.cli.label_issues import add_commands as add_label_issue_commands
from cnnstudio.cli.optimize import add_commands as add_optimize_commands
from cnnstudio.cli.prediction import add_commands as add_predict_commands
from cnnstudio.cli.pretrained import add_commands as add_pretrained_commands
from cnnstudio.cli.sweep import add_commands as add_sweep_commands
from cnnstudio.cli.training import add_commands as add_training_commands
from cnnstudio.cli.transfer import add_commands as add_transfer_commands
from cnnstudio.engine.exporting import EXPORT_FORMATS
from cnnstudio.graph import LoadResult, NetworkFileError, Problem, load_network, save_network
from cnnstudio.graph.describe import format_count, format_shape
from cnnstudio.graph.templates import load_template, retarget, template_infos


def _parse_input_shape(text: str) -> tuple[int, int, int]:
    try:
        values = tuple(int(part) for part in text.replace("x", ",").replace("×", ",").split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or min(values) < 1:
        raise argparse.ArgumentTypeError(f"--input must be CHANNELS,HEIGHT,WIDTH such as 3,224,224, not {text!r}")
    return values


def _load(path: str) -> LoadResult:
    try:
        return load_network(path)
    except NetworkFileError as error:
        raise CommandError(str(error)) from None


def cmd_templates(args: argparse.Namespace) -> int:
    rows = [(info.name, format_count(info.learnables), info.title, info.description) for info in template_infos()]
    width = max(len(row[0]) for row in rows)
    for name, params, title, description in rows:
        print(f"{name:<{width}}  {params:>8}  {title}: {description}")
    return ExitCode.OK


def cmd_new(args: argparse.Namespace) -> int:
    try:
        graph = load_template(args.template)
    except KeyError as error:
        raise CommandError(error.args[0]) from None
    try:
        notes = retarget(graph, args.classes, args.input)
    except ValueError as error:
        raise CommandError(str(error)) from None
    from cnnstudio.graph import arrange

    arrange(graph)
    save_network(graph, args.output)
    print(f"wrote {args.output} ({graph.name}{'; ' + '; '.join(notes) if notes else ''})")
    return ExitCode.OK


def cmd_import(args: argparse.Namespace) -> int:
    from cnnstudio.pretrained.torchvision_zoo import import_with_metadata
    from cnnstudio.pytorch.importer import ModelImportError
    from cnnstudio.pytorch.weights import save_state_dict, weights_path_for

    if args.model.lower().endswith(".onnx"):
        return _import_onnx_file(Path(args.model), args.output)
    source, _, name = args.model.partition(":")
    if source != "torchvision" or not name:
        raise CommandError(
            f"import expects torchvision:NAME (e.g. torchvision:resnet18) or a .onnx file, not {args.model!r}"
        )
    if args.output is None:
        raise CommandError(f"import {args.model} needs -o OUT.cnn.json, the design file to write")
    try:
        result, metadata = import_with_metadata(name, pretrained=args.pretrained)
    except ModelImportError as error:
        raise CommandError(str(error)) from None
    except OSError as error:  # a download that could not reach the internet
        raise CommandError(
            f"could not download the pretrained weights of {name} ({error}); "
            "use --pretrained none, or place the file in the torch cache"
        ) from None
    save_network(result.graph, args.output)
    print(f"wrote {args.output} ({len(result.graph.nodes)} layers)")
    if result.state_dict is not None:
        weights = weights_path_for(args.output)
        save_state_dict(result.state_dict, weights, metadata)
        print(f"wrote {weights}")
    for note in result.notes:
        print(f"note: {note}")
    return ExitCode.OK


def _import_onnx_file(path: Path, output: Path | None) -> int:
    """`cnnstudio import model.onnx`: the design and, beside it, its weights keyed by node id."""
    from cnnstudio.pytorch.importer import ModelImportError
    from cnnstudio.pytorch.onnx_import import import_onnx
    from cnnstudio.pytorch.weights import save_state_dict, weights_path_for

    try:
        result = import_onnx(path)
    except ModelImportError as error:
        raise CommandError(str(error)) from None
    output = output or path.with_name(path.name.removesuffix(".onnx") + ".cnn.json")
    save_network(result.graph, output)
    weights = weights_path_for(output)
    save_state_dict(result.state_dict or {}, weights, {})
    print(f"wrote {output} ({len(result.graph.nodes)} layers)")
    print(f"wrote {weights}")
    return ExitCode.OK


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        print(f"{problem.severity}: {problem.node or 'network'}: {problem.message}", file=sys.stderr)


def cmd_analyze(args: argparse.Namespace) -> int:
    from cnnstudio.pytorch import analyze

    loaded = _load(args.file)
    analysis = analyze(loaded.graph)
    problems = loaded.problems + analysis.problems
    invalid = any(problem.severity == "error" for problem in problems)
    if args.json:
        document = analysis.to_json()
        document["errors"] = [{"node": p.node, "message": p.message} for p in problems if p.severity == "error"]
        print(json.dumps(document, indent=2))
        return ExitCode.FAILED if invalid else ExitCode.OK
    rows = [("Layer", "Type", "Output", "Learnables", "FLOPs")]
    for node in analysis.in_order():
        rows.append(
            (
                node.node_id,
                node.layer_type,
                format_shape(node.output_shape),
                f"{node.params:,}",
                format_count(node.flops),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    line = "  ".join("─" * w for w in widths)
    print(f"{loaded.graph.name}")
    for index, row in enumerate(rows):
        print(
            "  ".join(
                cell.ljust(w) if i < 3 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print(line)
    print(line)
    print(
        f"Total learnables: {analysis.total_params:,} ({analysis.trainable_params:,} trainable)   "
        f"FLOPs: {format_count(analysis.total_flops)}   MACs: {format_count(analysis.total_macs)}"
    )
    print(
        f"Memory per image: activations {analysis.activation_bytes / 2**20:.2f} MiB, "
        f"weights {analysis.param_bytes / 2**20:.2f} MiB (float32)"
    )
    if problems:
        _print_problems(problems)
    return ExitCode.FAILED if invalid else ExitCode.OK


def cmd_code(args: argparse.Namespace) -> int:
    from cnnstudio.pytorch import BuildError, module_source

    loaded = _load(args.file)
    try:
        source = module_source(loaded.graph)
    except BuildError as error:
        _print_problems(loaded.problems + error.problems)
        return ExitCode.FAILED
    if args.output:
        from cnnstudio.fileio import atomic_write_text

        atomic_write_text(args.output, source)
        print(f"wrote {args.output}")
    else:
        print(source, end="")
    return ExitCode.OK


def cmd_export(args: argparse.Namespace) -> int:
    from cnnstudio.engine.exporting import export_run
    from cnnstudio.pytorch.export import ExportError

    try:
        written = export_run(
            args.run, args.format, args.output, args.checkpoint, note=lambda text: print(f"note: {text}")
        )
    except ExportError as error:
        raise CommandError(str(error)) from None
    for path in written:
        print(f"wrote {path}")
    return ExitCode.OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnnstudio",
        description="CNN Studio: design, train and look inside convolutional neural networks. "
        "Run without arguments (or with a .cnn.json file) to open the app.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("templates", help="list the network templates")
    p.set_defaults(func=cmd_templates)

    p = commands.add_parser("new", help="create a design from a template")
    p.add_argument("template", help="template name (see `cnnstudio templates`)")
    p.add_argument("-o", "--output", required=True, help="the .cnn.json file to write")
    p.add_argument("--classes", type=int, help="number of classes of the last layer")
    p.add_argument("--input", type=_parse_input_shape, help="input CHANNELS,HEIGHT,WIDTH, e.g. 3,32,32")
    p.set_defaults(func=cmd_new)

    p = commands.add_parser("import", help="import a torchvision classification model or an ONNX file as a design")
    p.add_argument("model", help="torchvision:NAME (e.g. torchvision:resnet18) or a model.onnx file")
    p.add_argument(
        "-o", "--output", type=Path, help="the .cnn.json file to write, weights beside it (default: beside the .onnx)"
    )
    p.add_argument(
        "--pretrained",
        choices=("cached", "download", "none"),
        default="cached",
        help="ImageNet weights: use them if in the torch cache (default), download them, or none",
    )
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("analyze", help="per-layer shapes, learnables and FLOPs (exit 1 if invalid)")
    p.add_argument("file", help="a .cnn.json design")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_analyze)

    p = commands.add_parser("code", help="print the design as standalone PyTorch source")
    p.add_argument("file", help="a .cnn.json design")
    p.add_argument("-o", "--output", help="write to this .py file instead of printing")
    p.set_defaults(func=cmd_code)

    p = commands.add_parser("export", help="export a trained run: ONNX, torch.export, Python source, training script")
    p.add_argument("run", help="a run folder written by `cnnstudio train` (or one of its checkpoint folders)")
    p.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="onnx; pt2 (torch.export); py (module source + weights); script (standalone training script)",
    )
    p.add_argument("-o", "--output", required=True, help="the file to write")
    p.add_argument("--checkpoint", choices=("best", "last"), default="best")
    p.set_defaults(func=cmd_export)

    add_training_commands(commands)
    add_inspect_commands(commands)
    add_predict_commands(commands)
    add_classify_commands(commands)
    add_sweep_commands(commands)
    add_pretrained_commands(commands)
    add_transfer_commands(commands)
    add_optimize_commands(commands)
    add_label_issue_commands(commands)
    return parser


def _discard_output() -> None:
    """After the reader of stdout went away (`cnnstudio analyze d.cnn.json | head`), send what is still
    buffered to the null device, so that the interpreter's final flush does not fail again with a traceback
    (the recipe of Python's signal documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return ExitCode.UNUSABLE
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, where it can be handled
        return code
    except BrokenPipeError:
        _discard_output()
        return ExitCode.BROKEN_PIPE
    except CommandError as error:
        print(f"cnnstudio {args.command}: {error}", file=sys.stderr)
        return ExitCode.UNUSABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
