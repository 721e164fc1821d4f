"""How fast the Designer follows the design, against the core analysis of the same graph (the floor).

Offscreen GUI, ResNet-50 imported from torchvision:
  load:   the graph goes into the window until every node shows its output shape;
  change: one parameter near the input (conv1's filters) is changed until every node shows its new shape.
Both include the analysis itself (done off the GUI thread), so ratio 1.0 would mean "free" canvas work.
Also reported: ResNet-152 put on the canvas (items built, edges routed, painted), and until shapes show.

Run: python benchmarks/designer_speed.py   (last line: name: value (baseline: value) ratio: X)
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer

from cnnstudio.graph.describe import format_shape
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.pytorch import analyze
from cnnstudio.pytorch.importer import import_torchvision

REPEATS = 3


def wait_until(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    """Run the event loop (which lets the analysis thread work) until `predicate()` holds.

    Checks every 2 ms: often enough to be precise, rarely enough not to steal the analysis
    thread's time (the GIL).
    """
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the designer did not catch up in time")
        loop = QEventLoop()
        QTimer.singleShot(2, loop.quit)
        loop.exec()


def shows_shapes(window, expected: dict[str, str]) -> bool:
    """Every node on the canvas shows the expected output shape."""
    if not window.document.analysis.is_current():
        return False  # cheap early answer while the analysis runs
    nodes = window.designer.scene.nodes
    return len(nodes) == len(expected) and all(nodes[key].shape_text == text for key, text in expected.items())


def expected_shapes(graph: NetworkGraph) -> dict[str, str]:
    analysis = analyze(graph)
    return {node_id: format_shape(result.output_shape) for node_id, result in analysis.nodes.items()}


def floor(graph: NetworkGraph) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        analyze(graph)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def load_time(window, graph: NetworkGraph, expected: dict[str, str]) -> float:
    start = time.perf_counter()
    window.load_graph(graph, None)
    wait_until(lambda: shows_shapes(window, expected))
    return time.perf_counter() - start


def canvas_time(window, graph: NetworkGraph) -> float:
    """Graph → items built, edges routed, the view painted (shapes follow when the analysis lands)."""
    start = time.perf_counter()
    window.load_graph(graph, None)
    window.designer.view.viewport().repaint()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        os.environ["CNNSTUDIO_CONFIG_DIR"] = str(Path(home) / "config")
        os.environ["CNNSTUDIO_STATE_DIR"] = str(Path(home) / "state")
        from cnnstudio.ui.app import create_application
        from cnnstudio.ui.main_window import MainWindow

        create_application([])
        window = MainWindow()
        window.resize(1600, 1000)
        window.show()
        window.start()
        wait_until(window.document.analysis.is_current)

        resnet50 = import_torchvision("resnet50", pretrained="none").graph
        shapes = expected_shapes(resnet50)
        base = floor(resnet50)
        loads = [load_time(window, resnet50, shapes) for _ in range(REPEATS)]

        changed = resnet50.copy()
        changed.set_param("conv1", "out_channels", 32)
        changed_shapes = expected_shapes(changed)
        changes = []
        for _ in range(REPEATS):
            window.load_graph(resnet50, None)
            wait_until(lambda: shows_shapes(window, shapes))
            start = time.perf_counter()
            window.designer.controller.set_param("conv1", "out_channels", 32)
            wait_until(lambda: shows_shapes(window, changed_shapes))
            changes.append(time.perf_counter() - start)

        resnet152 = import_torchvision("resnet152", pretrained="none").graph
        shapes152 = expected_shapes(resnet152)
        canvas152 = statistics.median(canvas_time(window, resnet152) for _ in range(REPEATS))
        wait_until(window.document.analysis.is_current)
        full152 = statistics.median(load_time(window, resnet152, shapes152) for _ in range(REPEATS))
        base152 = floor(resnet152)
        window.shutdown()

    load, change = statistics.median(loads), statistics.median(changes)
    print(
        f"resnet152 ({len(resnet152.nodes)} layers) on the canvas: {canvas152:.3f} s; "
        f"with every shape shown: {full152:.3f} s (analysis alone: {base152:.3f} s)"
    )
    print(f"designer_load_resnet50: {load:.3f} s (baseline: {base:.3f} s) ratio: {load / base:.2f}")
    print(f"designer_param_change_resnet50: {change:.3f} s (baseline: {base:.3f} s) ratio: {change / base:.2f}")


if __name__ == "__main__":
    main()
