"""The train/evaluate commands as a program, for tests that need separate processes (torchrun)."""

import argparse
import sys

from cnnstudio.cli.training import add_commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnstudio")
    add_commands(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
