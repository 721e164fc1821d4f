"""Processes that write one kind of file over and over until they are killed (tests/reliability/test_kill_safety).

    python kill_target.py design|autosave|checkpoint FOLDER

The program imports what the writer needs once, prints READY, then forks a writer for every "go" line on
stdin and prints its pid; "reap PID" waits for a killed writer and prints "reaped". Forking after the
imports makes each of the test's hundred kills cost milliseconds instead of a fresh interpreter with torch.
Writer n prints the number of each completed write (flushed at once) to FOLDER/writes-n.txt, so the test
knows the newest version that must survive a SIGKILL at any moment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

Writer = Callable[[Callable[[int], None]], None]


def design_writer(folder: Path) -> Writer:
    from cnnstudio.graph.io import save_network
    from cnnstudio.graph.templates import load_template

    def write(report: Callable[[int], None]) -> None:
        graph = load_template("lenet5")
        for count in range(1, 10**9):
            graph.set_param("fc3", "out_features", count)
            save_network(graph, folder / "net.cnn.json")
            report(count)

    return write


def autosave_writer(folder: Path) -> Writer:
    from PySide6.QtCore import QCoreApplication

    from cnnstudio.graph.templates import load_template
    from cnnstudio.ui.autosave import Autosave
    from cnnstudio.ui.document import Document

    def write(report: Callable[[int], None]) -> None:
        app = QCoreApplication([])  # noqa: F841 - Qt objects need an application
        document = Document()
        document.replace(load_template("lenet5"), modified=True)
        autosave = Autosave(document, folder / "recovery", delay_ms=10**7)
        for count in range(1, 10**9):
            document.graph.set_param("fc3", "out_features", count)
            autosave.write_now()
            report(count)

    return write


def checkpoint_writer(folder: Path) -> Writer:
    import torch

    from cnnstudio.engine.checkpoint import DataInfo, Progress, save_checkpoint
    from cnnstudio.engine.config import TrainConfig
    from cnnstudio.graph.templates import load_template
    from cnnstudio.pytorch import build_module

    torch.set_num_threads(1)
    graph = load_template("lenet5")
    model = build_module(graph)
    data = DataInfo(classes=[str(d) for d in range(10)], mean=[0.5], std=[0.25], input_shape=[1, 28, 28])

    def write(report: Callable[[int], None]) -> None:
        optimizer = torch.optim.Adam(model.parameters())
        for count in range(1, 10**9):
            save_checkpoint(
                folder / "run",
                "last",
                model=model,
                config=TrainConfig(),
                design=graph.to_dict(),
                data=data,
                progress=Progress(epoch=count, step=count),
                optimizer=optimizer,
            )
            report(count)

    return write


WRITERS = {"design": design_writer, "autosave": autosave_writer, "checkpoint": checkpoint_writer}


def serve(kind: str, folder: Path, commands: TextIO) -> None:
    write = WRITERS[kind](folder)
    print("READY", flush=True)
    writers = 0
    for line in commands:
        command = line.split()
        if command == ["go"]:
            pid = os.fork()
            if pid == 0:
                _run_writer(write, folder / f"writes-{writers}.txt")
            writers += 1
            print(pid, flush=True)
        elif command[:1] == ["reap"]:
            os.waitpid(int(command[1]), 0)
            print("reaped", flush=True)


def _run_writer(write: Writer, log_path: Path) -> None:
    with open(log_path, "w", buffering=1) as log:

        def report(count: int) -> None:
            log.write(f"{count}\n")
            log.flush()

        try:
            write(report)
        finally:
            os._exit(1)  # a writer never returns into the server's loop


if __name__ == "__main__":
    serve(sys.argv[1], Path(sys.argv[2]), sys.stdin)
