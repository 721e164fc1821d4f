"""The options several commands share, declared once: argument types, the data set, the device, the seed,
the downloaded-data folder, the training lengths and --json.

Registering them imports nothing heavy, so `cnnstudio --help` stays fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

DATA_HELP = (
    "xo, shapes, digits, mnist, fashion-mnist, cifar10, imagenette (options like xo:count=4000), "
    "multishapes (multi-label), a MedMNIST set (medmnist:chestmnist@64) or .npz file, "
    "a folder of Quick Draw .npy files, "
    "or a folder with one sub-folder of images per class (or with --labels FILE.csv)"
)
_DEVICES = "cuda, cuda:N or mps"


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def fraction_type(*, one: bool) -> Callable[[str], float]:
    """An argparse type for a number from 0 to 1, 1 included when `one` (an opacity) or not (a share
    held out, a smoothing factor)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None
        if not (0.0 <= value <= 1.0 if one else 0.0 <= value < 1.0):
            raise argparse.ArgumentTypeError(
                f"must be between 0 and 1, not {value}" if one else f"must be at least 0 and below 1, not {value}"
            )
        return value

    return parse


def add_data(parser: argparse.ArgumentParser, *, required: bool = False, what: str = "dataset") -> None:
    """--data: a data set spec or folder (`what` says which images of it the command uses)."""
    parser.add_argument("--data", required=required, help=f"{what}: {DATA_HELP}")


def add_data_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-root", help="folder of downloaded datasets")


def add_device(parser: argparse.ArgumentParser, *, default: str | None = None) -> None:
    """--device; without a default the run's configuration decides (auto: the best device present)."""
    if default in (None, "auto"):
        parser.add_argument("--device", default=default, help=f"auto (default), cpu, {_DEVICES}")
    else:
        parser.add_argument("--device", default=default, help=f"{default} (default), auto, cpu, {_DEVICES}")


def add_seed(parser: argparse.ArgumentParser, *, default: int | None = None, what: str = "random seed") -> None:
    parser.add_argument("--seed", type=int, default=default, help=what)


def add_lengths(parser: argparse.ArgumentParser, *, epochs: str = "passes over the training data") -> None:
    """--epochs, --batch-size and --lr of a command that trains (unset: the configuration's defaults)."""
    parser.add_argument("--epochs", type=positive_int, help=epochs)
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument("--lr", type=float, help="learning rate")


def add_json(parser: argparse.ArgumentParser, what: str = "one JSON object per event on stdout") -> None:
    """--json: machine-readable output; `what` says what is printed."""
    parser.add_argument("--json", action="store_true", help=f"print {what}")
