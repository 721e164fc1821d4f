"""Training in a separate process, followed through its messages: what the GUI runs.

A separate process keeps the window responsive (no shared GIL), isolates crashes, and initializes
CUDA only where it is used. The worker loads the data itself (no copy of a large dataset through a
pipe), runs the request (see runs.run_request) and sends every event as a dict. It stops itself,
writing `last`, when its parent process disappears, so closing or killing the app never leaves a
training behind.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import pickle
import queue
import sys
import time
import traceback
from typing import Any

from cnnstudio.engine.control import TrainControl
from cnnstudio.engine.events import Error, Event, Finished, event_from_dict, to_dict
from cnnstudio.engine.launch import TrainRequest, run_request

KILLED = -9  # the exit code multiprocessing reports for a process ended by SIGKILL


class WorkerStartError(RuntimeError):
    """The training process could not be started; `message` says why, `hint` what to do about that cause."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def start_failure(error: BaseException) -> WorkerStartError:
    """What went wrong when starting the worker, with advice that fits the cause: memory, a missing
    module, a design or data that cannot be sent to the process, or the system refusing a new process."""
    if isinstance(error, MemoryError) or (isinstance(error, OSError) and error.errno == errno.ENOMEM):
        return WorkerStartError(
            "there is not enough memory to start the training process",
            "close other programs to free memory, or train on less data or smaller images, then try again",
        )
    if isinstance(error, ImportError):
        return _missing_module(error)
    if isinstance(error, pickle.PicklingError | TypeError | AttributeError | ValueError):
        return WorkerStartError(
            f"the design or data could not be handed to the training process ({type(error).__name__}: {error})",
            "a layer parameter or the data holds something that is not plain data: check the design "
            "(`cnnstudio analyze FILE`), save and reopen it, and try again",
        )
    if isinstance(error, OSError) and error.errno in (errno.EAGAIN, errno.EMFILE, errno.ENFILE):
        return WorkerStartError(
            f"the system refused to start another process: {error.strerror or error}",
            "too many processes or open files: close other programs (or raise the limit, `ulimit -u` / "
            "`ulimit -n`), then try again",
        )
    return WorkerStartError(
        f"the training process could not be started: {type(error).__name__}: {error}",
        f"check that Python ({sys.executable}) can still run and the disk is not full, then restart CNN Studio",
    )


def _missing_module(error: ImportError) -> WorkerStartError:
    name = (error.name or "").split(".")[0]
    return WorkerStartError(
        f"a module the training needs is missing: {name or error}",
        f"install it (pip install {name}) and try again" if name else "reinstall CNN Studio and try again",
    )


class TrainingProcess:
    """A training run in a child process. Poll `events()` (e.g. from a Qt timer); call `close()` when done.

    Raises WorkerStartError when the process cannot be started.
    """

    def __init__(self, request: TrainRequest, context: Any = None) -> None:
        context = context or multiprocessing.get_context("spawn")
        self.control = TrainControl.for_processes(context)
        self._queue = context.Queue()
        self._process = context.Process(
            target=_worker_main, args=(request, self.control, self._queue), name="cnnstudio-training", daemon=True
        )
        try:
            self._process.start()
        except (
            OSError,
            MemoryError,
            ImportError,
            pickle.PicklingError,
            TypeError,
            AttributeError,
            ValueError,
        ) as error:
            self._queue.close()
            raise start_failure(error) from error
        self._ended = False

    def events(self, timeout: float = 0.0) -> list[Event]:
        """Events that arrived since the last call (waits up to `timeout` for the first one).

        If the process died without a final event (killed, crashed in native code), an Error event
        says so, once.
        """
        received: list[Event] = []
        while True:
            try:
                item = self._queue.get(timeout=timeout) if timeout and not received else self._queue.get_nowait()
            except queue.Empty:
                break
            received.append(event_from_dict(item))
        if any(isinstance(event, Finished | Error) for event in received):
            self._ended = True
        elif not self._ended and not self._process.is_alive() and self._queue.empty():
            self._ended = True
            received.append(_died(self._process.exitcode))
        return received

    @property
    def running(self) -> bool:
        return self._process.is_alive()

    @property
    def pid(self) -> int | None:
        """The child process's id (None before it started)."""
        return self._process.pid

    def stop(self) -> None:
        """Ask the run to stop after its current batch (it writes `last`, then ends with Finished)."""
        self.control.stop()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the run and make sure the process is gone (terminated, then killed, if it hangs).

        Events still in flight are discarded: a child cannot exit while its queue is full.
        """
        self.control.stop()
        deadline = time.monotonic() + timeout
        while self._process.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                while True:
                    self._queue.get_nowait()
            self._process.join(0.05)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(2.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._queue.cancel_join_thread()
        self._queue.close()


def _died(exitcode: int | None) -> Error:
    """The Error for a worker that ended without a last event; a kill signal usually means the system ran
    out of memory (Linux's OOM killer sends SIGKILL)."""
    if exitcode == KILLED:
        return Error(
            "out_of_memory",
            "the training process ended unexpectedly: it was killed (SIGKILL), most likely because the computer "
            "ran out of memory",
            "lower the batch size, use smaller images or a smaller network, or close other programs",
        )
    return Error(
        "internal",
        f"the training process ended unexpectedly (exit code {exitcode})",
        "if this repeats, try a smaller batch size or the CPU",
    )


def _worker_main(request: TrainRequest, control: TrainControl, events: Any) -> None:
    """The child process: train and forward each event; stop (writing `last`) when orphaned."""
    parent = multiprocessing.parent_process()
    try:
        for event in run_request(request, control):
            events.put(to_dict(event))
            if parent is not None and not parent.is_alive():
                control.stop()
    except ImportError as error:  # a lazily imported dependency of a dataset or layer
        failure = _missing_module(error)
        events.put(to_dict(Error("dependency", failure.message, failure.hint)))
    except Exception as error:  # noqa: BLE001 - run_request reports expected problems as events; this is a bug
        events.put(
            to_dict(
                Error("internal", f"training failed: {type(error).__name__}: {error}", details=traceback.format_exc())
            )
        )
