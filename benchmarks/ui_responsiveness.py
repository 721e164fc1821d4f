"""Does the window stay responsive while it trains at full speed, and does following the run cost
the training any speed? LeNet-5 on the digits, trained from the real Training tab, against the same
run without a window.

  GUI       the real main window (offscreen), the Training tab shown, Train clicked: the worker
            process trains while the tab polls its events, updates progress and redraws the plots.
            A 10 ms QTimer heartbeat on the GUI thread measures how late the event loop serves it
            (p50, p99, max) from the run's first event to its last.
  headless  the same request in the same worker process class (TrainingProcess), followed by a
            plain loop with no window: the throughput the machine gives the engine alone.

Throughput is the worker's own images per second of each epoch (validation and checkpoints
excluded), median over the epochs after the first, so both sides measure the same thing. Headless
runs come before and after the GUI run (median of them) so a change in machine load during the
benchmark does not decide the ratio. Targets on a 2-core machine: p99 lateness < 50 ms, max <
250 ms, GUI throughput ≥ 0.9 × headless.

    python benchmarks/ui_responsiveness.py [--epochs 120] [--batch-size 64] [--repeats 1] [--threads 1]

On a machine shared with other work, pass --threads 1 (or set OMP_NUM_THREADS=1): PyTorch's CPU
threads spin while waiting for each other, and an oversubscribed machine then measures that.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HEARTBEAT_MS = 10


def training_request(run_dir: Path, epochs: int, batch_size: int):
    from cnnstudio.engine import TrainConfig
    from cnnstudio.engine.launch import TrainRequest
    from cnnstudio.graph.templates import load_template

    config = TrainConfig(epochs=epochs, batch_size=batch_size, data="digits")
    return TrainRequest(str(run_dir), design=load_template("lenet5").to_dict(), data="digits", config=config)


def epoch_rate(rates: list[float]) -> float:
    """Median images/s over the epochs after the first (which warms up allocators and caches)."""
    return statistics.median(rates[1:] if len(rates) > 1 else rates)


def headless(epochs: int, batch_size: int) -> tuple[float, float]:
    """(images/s, seconds of training) of the run in a worker process followed without a window."""
    from cnnstudio.engine.worker import TrainingProcess

    rates, first, last = [], None, None
    with tempfile.TemporaryDirectory() as folder:
        process = TrainingProcess(training_request(Path(folder) / "run", epochs, batch_size))
        try:
            while True:
                events = process.events(timeout=0.1)
                for event in events:
                    first = first or time.perf_counter()
                    if event.kind == "epoch":
                        rates.append(event.images_per_s)
                    if event.kind == "error":
                        raise RuntimeError(event.message)
                if any(event.kind == "finished" for event in events):
                    last = time.perf_counter()
                    break
        finally:
            process.close()
    return epoch_rate(rates), last - first


def in_gui(epochs: int, batch_size: int) -> tuple[float, float, list[float], int]:
    """(images/s, seconds of training, heartbeat lateness in seconds, plotted points) in the real window."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from cnnstudio.ui.app import create_application
    from cnnstudio.ui.main_window import MainWindow
    from cnnstudio.ui.session import DataChoice

    create_application([])
    window = MainWindow()
    window.resize(1440, 900)
    window.show()
    window.start()
    loop = QEventLoop()
    while not window.document.analysis.is_current():
        QTimer.singleShot(20, loop.quit)
        loop.exec()
    window.session.set_data(DataChoice("digits", None, "Digits"))
    window.show_tab("Training")
    tab = window.tab("Training")
    tab.form.epochs.setValue(epochs)
    tab.form.batch_size.setValue(batch_size)

    beats: list[float] = []
    rates: list[float] = []
    span: dict[str, float] = {}

    def follow(events: list) -> None:
        now = time.perf_counter()
        span.setdefault("first", now)
        for event in events:
            if event.kind == "epoch":
                rates.append(event.images_per_s)
            elif event.kind == "error":
                raise RuntimeError(event.message)
            elif event.kind == "finished":
                span["last"] = now

    heartbeat = QTimer(interval=HEARTBEAT_MS, timerType=Qt.PreciseTimer)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))
    tab.runner.events_received.connect(follow)
    tab.runner.state_changed.connect(lambda state: loop.quit() if state == "idle" else None)
    heartbeat.start()
    tab.controls.train_button.click()
    loop.exec()
    heartbeat.stop()
    points = tab.plots.point_count
    window.shutdown()
    window.close()
    during = [beat for beat in beats if span["first"] <= beat <= span["last"]]
    lateness = [max(0.0, later - earlier - HEARTBEAT_MS / 1000) for earlier, later in itertools.pairwise(during)]
    return epoch_rate(rates), span["last"] - span["first"], lateness, points


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=120, help="enough for 20 s or more of training")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=1, help="GUI runs (each between two headless runs)")
    parser.add_argument("--threads", type=int, default=0, help="PyTorch CPU threads of the workers (0: default)")
    args = parser.parse_args()
    if args.threads:
        os.environ["OMP_NUM_THREADS"] = str(args.threads)  # inherited by the worker processes
    with tempfile.TemporaryDirectory() as home:
        for name in ("CONFIG", "STATE", "DATA"):
            os.environ[f"CNNSTUDIO_{name}_DIR"] = str(Path(home) / name.lower())
        baseline, gui, lateness = [], [], []
        rate, seconds = headless(args.epochs, args.batch_size)
        baseline.append(rate)
        print(f"headless: {rate:,.0f} images/s, {seconds:.1f} s of training", flush=True)
        for _ in range(args.repeats):
            rate, seconds, late, points = in_gui(args.epochs, args.batch_size)
            gui.append(rate)
            lateness += late
            print(
                f"GUI: {rate:,.0f} images/s, {seconds:.1f} s of training, {len(late):,} heartbeats, "
                f"{points:,} batch points plotted",
                flush=True,
            )
            rate, seconds = headless(args.epochs, args.batch_size)
            baseline.append(rate)
            print(f"headless: {rate:,.0f} images/s, {seconds:.1f} s of training", flush=True)
    milliseconds = [value * 1000 for value in lateness]
    print(
        f"heartbeat lateness ({HEARTBEAT_MS} ms timer): p50 {percentile(milliseconds, 0.5):.1f} ms, "
        f"p99 {percentile(milliseconds, 0.99):.1f} ms, max {max(milliseconds):.1f} ms "
        "(targets: p99 < 50 ms, max < 250 ms)"
    )
    print(
        f"ui_heartbeat_p99_lateness_ms: {percentile(milliseconds, 0.99):.1f} (baseline: 50.0) "
        f"ratio: {percentile(milliseconds, 0.99) / 50:.2f}"
    )
    gui_rate, base_rate = statistics.median(gui), statistics.median(baseline)
    print(f"ui_training_images_per_s: {gui_rate:.0f} (baseline: {base_rate:.0f}) ratio: {gui_rate / base_rate:.2f}")


if __name__ == "__main__":
    sys.exit(main())
