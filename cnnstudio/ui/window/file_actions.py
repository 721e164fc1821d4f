"""File ▸ New, New from Template, Import, Open, Open Recent, Save, Save As and Export, for MainWindow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QProgressDialog

from cnnstudio.fileio import atomic_write_text
from cnnstudio.graph.io import NetworkFileError
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained.torchvision_zoo import import_with_metadata
from cnnstudio.pytorch.importer import ModelImportError, torchvision_model_names
from cnnstudio.ui.designer.analysis_table import analysis_csv
from cnnstudio.ui.designer.code_view import source_or_explanation
from cnnstudio.ui.designer.image_export import render_design
from cnnstudio.ui.designer.undo_commands import ReplaceGraphCommand
from cnnstudio.ui.document import SUFFIX
from cnnstudio.ui.prompts import SaveChoice


def starter_graph() -> NetworkGraph:
    """File ▸ New: an Input layer to build on."""
    graph = NetworkGraph("Untitled")
    graph.add_node("Input", {"channels": 3, "height": 32, "width": 32}, node_id="input")
    return graph


class FileActionsMixin(QMainWindow):
    """The File menu's actions of MainWindow (which provides document, prompts, settings and tasks)."""

    # ----- file actions
    def maybe_save(self) -> bool:
        """Ask to save unsaved changes; False if the user cancels (the caller then stops)."""
        if not self.document.is_modified():
            return True
        choice = self.prompts.save_changes(self.document.display_name())
        if choice == SaveChoice.SAVE:
            return self.save()
        return choice == SaveChoice.DISCARD

    def new_design(self) -> None:
        if self.maybe_save():
            self.load_graph(starter_graph(), None)

    def new_from_template(self) -> None:
        if not self.maybe_save():
            return
        name = self.prompts.choose_template()
        if not name:
            return
        try:
            graph = load_template(name)
        except (KeyError, NetworkFileError) as error:
            self.prompts.error("Cannot load the template", str(error))
            return
        self._load_undoable(graph, f"Load template {graph.name}")

    def _load_undoable(
        self,
        graph: NetworkGraph,
        text: str,
        weights: dict | None = None,
        weights_metadata: dict[str, str] | None = None,
    ) -> None:
        """A new untitled document whose content arrives as an undoable step (template, import)."""
        self.document.replace(NetworkGraph(graph.name), None, weights=weights, weights_metadata=weights_metadata)
        self.document.push(ReplaceGraphCommand(self.document.graph, graph, text))
        for tab in self.tab_widgets:
            tab.document_loaded()

    def import_model(self) -> None:
        if not self.maybe_save():
            return
        name = self.prompts.choose_torchvision_model(torchvision_model_names())
        if not name:
            return
        progress = QProgressDialog(f"Importing {name} from torchvision…", "Cancel", 0, 0, self)
        progress.setWindowModality(Qt.WindowModal)
        progress.setMinimumDuration(300)

        def done(result: object) -> None:
            cancelled = progress.wasCanceled()
            progress.reset()
            if not cancelled and not self._closed:
                imported, metadata = result
                self._load_undoable(imported.graph, f"Import {name}", imported.state_dict, metadata)
                weights = (
                    "with its ImageNet weights"
                    if imported.state_dict
                    else "with random weights (the pretrained weights are not downloaded; see Webcam ▸ models)"
                )
                self.show_message(f"Imported {name}: {len(imported.graph.nodes)} layers, {weights}")

        def failed(error: Exception) -> None:
            progress.reset()
            if not self._closed:
                message = str(error) if isinstance(error, ModelImportError) else f"{type(error).__name__}: {error}"
                self.prompts.error(f"Cannot import {name}", message)

        self.tasks.submit(lambda task: import_with_metadata(name), key="import", on_done=done, on_error=failed)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path = self.prompts.open_path("Open network", self._last_directory())
        if path:
            self.open_file(path)

    def open_recent(self, path: str) -> None:
        if not self.maybe_save():
            return
        if not Path(path).is_file():
            self.prompts.error("File not found", f"{path} no longer exists; it is removed from the recent files.")
            self.settings.remove_recent_file(path)
            return
        self.open_file(path)

    def open_file(self, path: str | Path) -> bool:
        """Open a network file; on failure show why and keep the current design untouched."""
        try:
            self.document.open(path)
        except NetworkFileError as error:
            self.prompts.error("Cannot open the file", str(error))
            return False
        for tab in self.tab_widgets:
            tab.document_loaded()
        self.settings.add_recent_file(path)
        self.settings.set("last_dir", str(Path(path).resolve().parent))
        problems = self.document.load_problems
        note = f" — {len(problems)} problem(s) found while reading, see Problems" if problems else ""
        if self.document.weights:
            note += " — with the trained weights beside it"
        self.show_message(f"Opened {Path(path).name}{note}")
        if self.document.weights_problem:
            self.prompts.error(
                "The weights beside the design were not loaded",
                f"{self.document.weights_problem}\n\nThe design is open with random weights; "
                "saving it will not touch that file unless the design gets new weights.",
            )
        return True

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        name = self.document.path.name if self.document.path else _file_stem(self.document.graph.name) + SUFFIX
        path = self.prompts.save_path("Save network as", str(Path(self._last_directory()) / name))
        if not path:
            return False
        if not path.endswith((".json",)):
            path += SUFFIX
        return self._save_to(Path(path))

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as error:
            self.prompts.error("Cannot save", f"{path}: {error.strerror or error}")
            return False
        self.settings.add_recent_file(path)
        self.settings.set("last_dir", str(path.resolve().parent))
        self.show_message(f"Saved {path}")
        return True

    def _last_directory(self) -> str:
        last = self.settings.get("last_dir")
        return last if isinstance(last, str) and Path(last).is_dir() else str(Path.home())

    # ----- exports
    def _export_path(self, title: str, extension: str, file_filter: str) -> Path | None:
        stem = (
            self.document.path.name[: -len(SUFFIX)]
            if self.document.path and self.document.path.name.endswith(SUFFIX)
            else _file_stem(self.document.graph.name)
        )
        path = self.prompts.save_path(title, str(Path(self._last_directory()) / (stem + extension)), file_filter)
        if not path:
            return None
        return Path(path if path.endswith(extension) else path + extension)

    def export_code(self) -> None:
        analysis = self.document.analysis.analysis
        if analysis is not None and self.document.analysis.is_current() and not analysis.valid:
            self.prompts.error("Cannot export code", "Fix the design's errors first (see Problems).")
            return
        path = self._export_path("Export PyTorch code", ".py", "Python files (*.py)")
        if path is None:
            return
        snapshot = self.document.graph.copy()

        def done(result: tuple[str, bool]) -> None:
            source, valid = result
            if not valid:
                self.prompts.error("Cannot export code", source.replace("#   - ", "• ").replace("# ", ""))
            elif not self._closed:
                self._write(path, lambda: atomic_write_text(path, source))

        self.tasks.submit(
            lambda task: source_or_explanation(snapshot),
            key="export_code",
            on_done=done,
            on_error=lambda error: self.prompts.error("Cannot export code", str(error)),
        )

    def export_image(self) -> None:
        path = self._export_path("Export canvas image", ".png", "PNG images (*.png)")
        if path:

            def write() -> None:
                if not render_design(self.designer.scene).save(str(path)):
                    raise OSError(f"the image could not be written to {path}")

            self._write(path, write)

    def export_csv(self) -> None:
        analysis = self.document.analysis.analysis
        if analysis is None:
            self.show_message("The analysis is not ready yet")
            return
        path = self._export_path("Export analysis table", ".csv", "CSV files (*.csv)")
        if path:
            self._write(path, lambda: atomic_write_text(path, analysis_csv(analysis)))

    def _write(self, path: Path, write: Callable[[], None]) -> None:
        try:
            write()
        except OSError as error:
            self.prompts.error("Cannot export", f"{path}: {error.strerror or error}")
            return
        self.show_message(f"Exported {path}")


def _file_stem(name: str) -> str:
    """A file name from a design name: 'LeNet-5' → 'LeNet-5', 'my/net' → 'my_net'."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name.strip()).strip("._")
    return cleaned or "network"
