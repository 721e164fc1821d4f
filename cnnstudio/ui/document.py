"""The open design: its NetworkGraph, undo stack, file path, weights and live analysis, shared by all tabs.

The graph object stays the same for the life of the window (opening a file replaces its content),
so every view subscribes to it once.

Weights belong to a design when it was imported with pretrained weights, transfer-learned, or opened
with a weights file beside it (`net.cnn.json` + `net.safetensors`, keyed by node id, with class names
and preprocessing in the safetensors metadata). They are kept as given while the user edits; whoever
builds the design loads the tensors that still fit (`cnnstudio.pretrained.designs.classifier_from_design`).
Saving writes them beside the design again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from cnnstudio.graph.io import load_network, save_network
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import Problem
from cnnstudio.pytorch.weights import (
    WeightsFileError,
    load_state_dict_file,
    read_metadata,
    save_state_dict,
    weights_path_for,
)
from cnnstudio.ui.design_analysis import DesignAnalysis

if TYPE_CHECKING:
    import torch

SUFFIX = ".cnn.json"


class Document(QObject):
    """The design being edited. `path_changed` fires when it is opened, saved under a new name or reset."""

    path_changed = Signal()
    weights_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = NetworkGraph()
        self.undo_stack = QUndoStack(self)
        self.analysis = DesignAnalysis(self.graph, self)
        self.path: Path | None = None
        self.load_problems: list[Problem] = []
        self.weights: dict[str, torch.Tensor] | None = None
        self.weights_metadata: dict[str, str] = {}
        # Why the weights file beside an opened design could not be used ("" when it could, or there is none).
        self.weights_problem = ""

    # ----- state
    def display_name(self) -> str:
        return self.path.name if self.path else f"Untitled ({self.graph.name})"

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def push(self, command: QUndoCommand) -> None:
        """Apply an edit (its redo runs now) and make it undoable."""
        self.undo_stack.push(command)

    def set_weights(self, weights: dict[str, torch.Tensor] | None, metadata: dict[str, str] | None = None) -> None:
        """Attach weights (keyed like the built module's state_dict) and their metadata to the design."""
        self.weights = dict(weights) if weights else None
        self.weights_metadata = dict(metadata or {}) if weights else {}
        self.weights_changed.emit()

    # ----- whole-document changes (not undoable: they start a new editing session)
    def replace(
        self,
        graph: NetworkGraph,
        path: Path | None = None,
        *,
        modified: bool = False,
        problems: list[Problem] | None = None,
        weights: dict[str, torch.Tensor] | None = None,
        weights_metadata: dict[str, str] | None = None,
    ) -> None:
        """Show `graph` (with its weights, if any) as a fresh document; `modified` marks it unsaved."""
        self.set_weights(weights, weights_metadata)
        self.weights_problem = ""
        self.graph.replace_with(graph)
        self.undo_stack.clear()
        if modified:
            self.undo_stack.resetClean()
        self.load_problems = list(problems or [])
        self.path = path
        self.path_changed.emit()

    def open(self, path: str | Path) -> None:
        """Load a network file and the weights beside it; raises NetworkFileError (and changes nothing)
        if the design cannot be read. Unreadable weights leave the design open without them
        (`weights_problem` says why)."""
        path = Path(path)
        result = load_network(path)
        weights, metadata, problem = None, {}, ""
        beside = weights_path_for(path)
        if beside.is_file():
            try:
                weights, metadata = load_state_dict_file(beside), read_metadata(beside)
            except WeightsFileError as error:
                problem = str(error)
        self.replace(result.graph, path.resolve(), problems=result.problems, weights=weights, weights_metadata=metadata)
        self.weights_problem = problem

    def save(self, path: str | Path | None = None) -> Path:
        """Write the design (atomically) to `path`, or to its current file, with its weights beside it."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("the design has no file yet; choose one with Save As")
        save_network(self.graph, target)
        if self.weights:
            save_state_dict(self.weights, weights_path_for(target), self.weights_metadata)
        self.undo_stack.setClean()
        if target.resolve() != self.path:
            self.path = target.resolve()
            self.path_changed.emit()
        return target

    def close(self) -> None:
        """Stop background work (the window is closing)."""
        self.analysis.close()
