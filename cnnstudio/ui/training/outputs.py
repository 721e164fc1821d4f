"""What a trained run hands on, each a background job on the tab's TaskRunner: its evaluation on the
validation images it held out (the Results view), its network as the session's model (Inspect, Webcam),
and its export.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QTabWidget

from cnnstudio.data import DataError
from cnnstudio.engine.checkpoint import CheckpointError, trained_checkpoint
from cnnstudio.engine.config import ConfigError
from cnnstudio.engine.device import available_device
from cnnstudio.engine.evaluate import RunEvaluation, SplitCache, evaluate_run
from cnnstudio.engine.exporting import export_run
from cnnstudio.pretrained.classifier import Classifier
from cnnstudio.pretrained.errors import ModelLoadError
from cnnstudio.pretrained.from_runs import load_run_classifier
from cnnstudio.pytorch.export import ExportError
from cnnstudio.ui.session import ModelChoice
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.training.banner import MessageBanner
from cnnstudio.ui.training.exporting import ExportFormat
from cnnstudio.ui.training.form import HyperparameterForm
from cnnstudio.ui.training.results import ResultsPanel


class RunOutputs:
    """The Training tab's part that evaluates, publishes and exports runs (a mixin of TrainingTab)."""

    context: StudioContext
    tasks: TaskRunner
    form: HyperparameterForm
    banner: MessageBanner
    results: ResultsPanel
    views: QTabWidget
    _evaluating: Path | None
    _splits: SplitCache

    def show_results(self, run_dir: Path, switch: bool = True) -> None:
        """Evaluate the run on its validation images and show the results."""
        self._evaluating = run_dir
        self.results.show_text(f"Evaluating {run_dir.name} on its validation images…")
        if switch:
            self.views.setCurrentWidget(self.results)
        else:
            self._mark_results_new(True)
        device = self._evaluation_device()

        def done(results: RunEvaluation) -> None:
            if results.run_dir == self._evaluating:
                self.results.show_results(results)

        def failed(error: Exception) -> None:
            if run_dir == self._evaluating:
                known = isinstance(error, CheckpointError | ConfigError | DataError)
                text = str(error) if known else f"{type(error).__name__}: {error}"
                self.results.show_text(f"Cannot evaluate {run_dir.name}: {text}", error=True)

        self.tasks.submit(
            lambda task: evaluate_run(run_dir, device=device, cache=self._splits),
            key="evaluate",
            on_done=done,
            on_error=failed,
        )

    def _evaluation_device(self) -> str:
        return str(available_device(self.form.device.currentData()))

    def _mark_results_new(self, new: bool) -> None:
        index = self.views.indexOf(self.results)
        self.views.setTabText(index, "Results •" if new and self.views.currentIndex() != index else "Results")

    def _view_changed(self, index: int) -> None:
        if index == self.views.indexOf(self.results):
            self._mark_results_new(False)

    def _send_to_inspect(self, run_dir: Path | None, switch: bool = True) -> None:
        """Load the run's trained network and make it the session's model (and show Inspect if `switch`)."""
        if run_dir is None:
            return

        def done(classifier: Classifier) -> None:
            tag = trained_checkpoint(run_dir)
            design = classifier.graph.name if classifier.graph is not None else run_dir.name
            self.context.session.set_model(ModelChoice(classifier, f"{design} · run {run_dir.name} · {tag}", run_dir))
            if switch:
                self.context.session.show_tab.emit("Inspect")
            self.context.show_message(f"The Inspect and Webcam tabs now use the network trained in {run_dir.name}")

        def failed(error: Exception) -> None:
            message = str(error) if isinstance(error, ModelLoadError) else f"{type(error).__name__}: {error}"
            self.banner.show_message(
                "error",
                "Cannot load the trained network",
                message,
                "the run's checkpoint may be damaged; try another run",
            )

        self.tasks.submit(lambda task: load_run_classifier(run_dir), key="load_run", on_done=done, on_error=failed)

    def export(self, export_format: ExportFormat) -> None:
        """Export the target run's trained network, asking where."""
        run_dir = self._target_run()
        if run_dir is None:
            return
        last = self.context.settings.get("last_dir")
        folder = Path(last) if isinstance(last, str) and Path(last).is_dir() else Path.home()
        stem = run_dir.name.split("_", 2)[-1] or "network"
        answer = self.context.prompts.save_path(
            f"Export {export_format.label.rstrip('…')}",
            str(folder / f"{stem}{export_format.extension}"),
            export_format.file_filter,
        )
        if not answer:
            return
        path = Path(answer if answer.endswith(export_format.extension) else answer + export_format.extension)

        def done(written: list[Path]) -> None:
            self.context.show_message(f"Exported {', '.join(str(file) for file in written)}")

        def failed(error: Exception) -> None:
            message = str(error) if isinstance(error, ExportError) else f"{type(error).__name__}: {error}"
            if isinstance(error, OSError):
                message = f"{path}: {error.strerror or error}"
            self.context.prompts.error(f"Cannot export {run_dir.name}", message)

        self.tasks.submit(lambda task: export_run(run_dir, export_format.key, path), on_done=done, on_error=failed)
