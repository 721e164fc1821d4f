"""Autosave and crash recovery: nothing a user built is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cnnstudio.ui.autosave import SUFFIX, VERSION_KEY, weights_path
from cnnstudio.ui.prompts import RestoreChoice, SaveChoice

REPO = Path(__file__).resolve().parents[2]


def _recovery_files(state: Path) -> list[Path]:
    return sorted((state / "recovery").glob(f"*{SUFFIX}"))


def test_edits_reach_the_recovery_file_and_saving_clears_it(window, qtbot, user_dirs, prompts, tmp_path):
    state = user_dirs["state"]
    assert _recovery_files(state) == []  # nothing unsaved yet
    window.designer.controller.set_param("conv1", "out_channels", 42)
    qtbot.waitUntil(lambda: bool(_recovery_files(state)), timeout=5000)
    data = json.loads(_recovery_files(state)[0].read_text())
    conv1 = next(node for node in data["network"]["nodes"] if node["id"] == "conv1")
    assert conv1["params"]["out_channels"] == 42
    prompts.script("save_path", str(tmp_path / "saved.cnn.json"))
    window.save()
    assert _recovery_files(state) == []
    window.document.undo_stack.undo()  # unsaved again (back before the save point)
    qtbot.waitUntil(lambda: bool(_recovery_files(state)), timeout=5000)
    assert json.loads(_recovery_files(state)[0].read_text())["original"] == str((tmp_path / "saved.cnn.json").resolve())


def test_clean_exit_leaves_nothing_to_recover(make_window, qtbot, user_dirs, prompts):
    window = make_window()
    window.designer.controller.set_param("conv1", "out_channels", 42)
    window.autosave.write_now()
    assert window.autosave.path.is_file()
    prompts.script("save_changes", SaveChoice.DISCARD)
    assert window.close()
    assert _recovery_files(user_dirs["state"]) == []


_CRASHING_SESSION = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QEventLoop, QTimer
    from cnnstudio.ui.app import create_application
    from cnnstudio.ui.main_window import MainWindow

    app = create_application([])
    window = MainWindow(autosave_delay_ms=50)
    window.show()
    window.start()
    import torch
    from cnnstudio.pytorch import build_module
    from cnnstudio.ui.autosave import weights_path

    torch.manual_seed(3)  # weights that came with the design (as from an import or transfer learning)
    window.document.set_weights(build_module(window.document.graph).state_dict(), {"classes": "digits"})
    controller = window.designer.controller
    controller.set_param("conv2", "out_channels", 42)
    node_id = controller.append_layer("Softmax")
    loop = QEventLoop()
    QTimer.singleShot(500, loop.quit)
    loop.exec()
    assert window.autosave.path.is_file() and weights_path(window.autosave.path).is_file()
    print("READY", node_id, float(window.document.weights["conv1.weight"].sum()), flush=True)
    time.sleep(60)  # killed here, like a crash: no clean-up runs
""")


def test_recover_after_the_app_was_killed(make_window, prompts, user_dirs, qtbot):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    process = subprocess.Popen(
        [sys.executable, "-c", _CRASHING_SESSION],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("READY"), process.stderr.read() if process.poll() is not None else line
        node_id, checksum = line.split()[1], float(line.split()[2])
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert len(_recovery_files(user_dirs["state"])) == 1

    prompts.script("restore", RestoreChoice.RESTORE)
    window = make_window()
    assert prompts.asked[0] == "restore"
    graph = window.document.graph
    assert graph.node("conv2").param("out_channels") == 42
    assert graph.node(node_id).type == "Softmax" and graph.inputs_of(node_id) == ["fc3"]
    assert window.isWindowModified()  # restored, not yet saved
    # the weights that were open come back too
    assert abs(float(window.document.weights["conv1.weight"].sum()) - checksum) < 1e-6
    assert window.document.weights_metadata == {"classes": "digits"}
    # the dead session's files are gone; this session protects the design in its own files
    files = _recovery_files(user_dirs["state"])
    assert files == [window.autosave.path]
    assert sorted(p.name for p in (user_dirs["state"] / "recovery").glob("*.safetensors")) == [
        weights_path(window.autosave.path).name
    ]
    assert window.designer.scene.nodes["conv2"].shape_text.startswith("42×")


def _write_orphan(
    state: Path, name: str = "Lost net", saved_at: float | None = None, weights_version: str | None = None
) -> Path:
    directory = state / "recovery"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"orphan-{name.replace(' ', '_')}{SUFFIX}"
    network = {
        "format": "cnnstudio.network",
        "version": 1,
        "name": name,
        "nodes": [
            {"id": "input", "type": "Input", "params": {"channels": 3, "height": 8, "width": 8}},
            {"id": "flat", "type": "Flatten", "params": {}},
        ],
        "edges": [["input", "flat"]],
    }
    path.write_text(
        json.dumps(
            {
                "format": "cnnstudio.recovery",
                "version": 1,
                "saved_at": saved_at or time.time(),
                "original": None,
                "weights_version": weights_version,
                "network": network,
            }
        )
    )
    return path


def test_discarding_a_recovery_deletes_it(make_window, prompts, user_dirs):
    orphan = _write_orphan(user_dirs["state"])
    prompts.script("restore", RestoreChoice.DISCARD)
    window = make_window()
    assert window.document.graph.name == "LeNet-5"
    assert not orphan.exists()


def test_later_keeps_the_recovery_for_next_time(make_window, prompts, user_dirs):
    orphan = _write_orphan(user_dirs["state"])
    prompts.script("restore", RestoreChoice.LATER)
    window = make_window()
    assert window.document.graph.name == "LeNet-5" and orphan.exists()


def test_newest_recovery_is_offered_first(make_window, prompts, user_dirs):
    _write_orphan(user_dirs["state"], "Older", time.time() - 100)
    _write_orphan(user_dirs["state"], "Newer")
    prompts.script("restore", RestoreChoice.RESTORE)
    window = make_window()
    assert window.document.graph.name == "Newer"


def test_a_running_window_is_not_offered_as_a_crash(make_window, prompts, user_dirs, qtbot):
    first = make_window()
    first.designer.controller.set_param("conv1", "out_channels", 42)
    first.autosave.write_now()
    assert first.autosave.path.is_file()
    make_window()
    assert "restore" not in prompts.asked


def test_damaged_recovery_file_is_dropped_silently(make_window, prompts, user_dirs):
    directory = user_dirs["state"] / "recovery"
    directory.mkdir(parents=True)
    broken = directory / f"broken{SUFFIX}"
    broken.write_text("{ half a file")
    window = make_window()
    assert "restore" not in prompts.asked and not broken.exists()
    assert window.document.graph.name == "LeNet-5"


def test_weights_of_another_state_are_not_restored(make_window, prompts, user_dirs):
    """A session killed between writing the design and its new weights: the design comes back without the
    stale weights, and the message says so."""
    import torch

    from cnnstudio.pytorch.weights import save_state_dict

    orphan = _write_orphan(user_dirs["state"], weights_version="new")
    save_state_dict({"flat.weight": torch.ones(2)}, weights_path(orphan), {VERSION_KEY: "old"})
    prompts.script("restore", RestoreChoice.RESTORE)
    messages = []
    window = make_window(start=False)
    window.show_message = messages.append
    window.start()
    assert window.document.graph.name == "Lost net" and window.document.weights is None
    assert "could not be recovered" in messages[-1]
    assert not orphan.exists() and not weights_path(orphan).exists()


def test_closing_with_an_autosave_pending_stops_it_cleanly(make_window, qtbot, user_dirs, prompts, capfd):
    window = make_window()
    window.designer.controller.set_param("conv1", "out_channels", 42)
    assert window.autosave._timer.isActive()  # the edit's autosave is pending
    prompts.script("save_changes", SaveChoice.DISCARD)
    assert window.close()
    qtbot.wait(200)  # longer than the autosave delay
    assert not window.autosave._timer.isActive() and _recovery_files(user_dirs["state"]) == []
    assert "Traceback" not in capfd.readouterr().err


def test_a_window_deleted_with_an_autosave_pending_does_not_call_its_dead_undo_stack(
    qapp, qtbot, user_dirs, prompts, capfd
):
    from cnnstudio.ui.main_window import MainWindow

    window = MainWindow(prompts=prompts, autosave_delay_ms=50)
    window.start()
    window.designer.controller.set_param("conv1", "out_channels", 42)
    assert window.autosave._timer.isActive()
    # QUndoStack's destructor clears the stack, which emitted indexChanged into the autosave while the
    # document was half destroyed: "Internal C++ object (QUndoStack) already deleted" tracebacks.
    with qtbot.waitSignal(window.destroyed):
        window.deleteLater()
    qtbot.wait(100)
    assert "already deleted" not in capfd.readouterr().err
