"""The `cnnstudio` program (also `python -m cnnstudio …`, `python main.py` and what `torchrun -m cnnstudio
train …` runs): with no arguments, or only a design file, it opens the app; otherwise it runs a command of
the command line. The one module that knows both, so that cnnstudio.ui and cnnstudio.cli stay independent.
"""

from __future__ import annotations

import sys


def opens_app(argv: list[str]) -> bool:
    return not argv or (len(argv) == 1 and argv[0].endswith(".json"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if opens_app(argv):
        from cnnstudio.ui.app import main as app_main

        return app_main(argv)
    from cnnstudio.cli.main import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
