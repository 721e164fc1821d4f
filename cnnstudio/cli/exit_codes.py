"""The exit codes of every `cnnstudio` command, and the one error a command raises for input it cannot use.

    0    OK           the command did what it was asked
    1    FAILED       it ran, and what it looked at failed: the design has errors (listed per node), or
                      training failed (diverged, out of memory)
    2    UNUSABLE     a file, dataset or option cannot be used (one line on stderr, never a traceback);
                      argparse uses 2 for a malformed command line too
    130  INTERRUPTED  stopped with Ctrl-C (128 + SIGINT, as shells report it); a training run is resumable
    141  BROKEN_PIPE  the reader of the output went away (`cnnstudio analyze d.cnn.json | head`): 128 + SIGPIPE,
                      as a shell reports a program that SIGPIPE stopped; nothing is printed

Scripts test these numbers, so they never change meaning.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    UNUSABLE = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141


class CommandError(Exception):
    """A file, dataset or option that cannot be used: printed as one line, exit code UNUSABLE."""
