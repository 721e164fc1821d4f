"""The Deploy tab: pick a trained run, choose int8 quantization, pruning (with fine-tuning) or
torch.compile, and see each variant against the original: size, CPU latency, accuracy, agreement, FLOPs
in a table, and accuracy against latency in a scatter. The job (cnnstudio.optimize.optimize_run) runs on the
tab's TaskRunner with progress and Cancel; its files go to a staging folder under the data folder, from
which "Keep as new run" moves a pruned run into the runs folder (the Training tab lists it, the Designer
opens it) and Export writes any variant as ONNX."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QWidget,
)

from cnnstudio.engine.run_folders import DATE_FORMAT, RunRecord, scan_runs
from cnnstudio.graph.describe import format_bytes, format_count
from cnnstudio.optimize import OptimizeError, OptimizeOptions, OptimizeResult, optimize_run
from cnnstudio.optimize.exporting import INT8_SUFFIX, export_variant_onnx
from cnnstudio.optimize.report import VariantRow
from cnnstudio.ui.deploy.plot import TradeOffPlot
from cnnstudio.ui.settings import data_dir, runs_dir
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.eliding_combo import ElidingComboBox
from cnnstudio.ui.widgets.panes import column, horizontal, side_by_side, vertical
from cnnstudio.ui.widgets.progress import ProgressStrip
from cnnstudio.ui.widgets.tables import ReadOnlyTable

JOB = "optimize"
COLUMNS = ("variant", "learnables", "file", "ms (batch 1)", "ms (batch 32)", "val acc", "agreement", "FLOPs")


def staging_dir() -> Path:
    """Where the tab's jobs write their variants until one is kept (one folder per job)."""
    return data_dir() / "deploy"


class DeployTab(StudioTab):
    title = "Deploy"

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.tasks = TaskRunner("cnnstudio-deploy", parent=self)
        self.tasks.busy_changed.connect(self._update_buttons)
        self.result: OptimizeResult | None = None
        self.repeats = 20  # timed runs per latency figure
        self.records: list[RunRecord] = []
        self.runs = ElidingComboBox(36)
        self.runs.setToolTip("The trained run to make smaller and faster (the Training tab's runs)")
        refresh = QPushButton("Refresh")
        refresh.setToolTip("Read the runs folder again")
        refresh.clicked.connect(self.refresh_runs)
        self.quantize = QCheckBox("Quantize to int8")
        self.quantize.setChecked(True)
        self.quantize.setToolTip("Post-training static int8 quantization, calibrated on the run's training images")
        self.prune = QCheckBox("Prune conv channels")
        self.prune.setToolTip("Remove the least important channels of every convolution, then fine-tune")
        self.fraction = QDoubleSpinBox(minimum=0.05, maximum=0.95, singleStep=0.05, value=0.5, decimals=2)
        self.fraction.setToolTip("The fraction of each convolution's channels to remove")
        self.finetune = QSpinBox(minimum=1, maximum=1000, value=3, suffix=" epochs")
        self.finetune.setToolTip("Fine-tuning epochs of the pruned network")
        self.compile = QCheckBox("torch.compile")
        self.compile.setToolTip("Also time the network through torch.compile (slow to compile)")
        self.start_button = QPushButton("Optimize")
        self.start_button.setToolTip("Make the chosen variants and measure them against the original")
        self.start_button.clicked.connect(self.start)
        self.strip = ProgressStrip()
        self.strip.cancel_requested.connect(lambda: self.tasks.cancel(JOB))
        self.table = ReadOnlyTable(COLUMNS)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.keep_button = QPushButton("Keep as new run")
        self.keep_button.setToolTip("Move the selected pruned run into the runs folder (Training tab, Designer)")
        self.keep_button.clicked.connect(self.keep_selected)
        self.export_button = QPushButton("Export ONNX…")
        self.export_button.setToolTip("Write the selected variant as an ONNX model")
        self.export_button.clicked.connect(self.export_selected)
        self.summary = QLabel("Pick a trained run and what to try, then Optimize.")
        self.summary.setWordWrap(True)
        self.plot = TradeOffPlot()
        options = horizontal(
            [self.quantize, self.prune, self.fraction, self.finetune, self.compile, (QWidget(), 1), self.start_button]
        )
        left = column(
            [
                horizontal([QLabel("Run:"), (self.runs, 1), refresh]),
                options,
                self.strip,
                self.summary,
                (self.table, 1),
                horizontal([(QWidget(), 1), self.keep_button, self.export_button]),
            ],
            margins=(8, 8, 8, 8),
            spacing=6,
        )
        holder = QWidget()
        self.splitter: QSplitter = side_by_side(holder, [left, self.plot], [700, 420], stretch=0)
        vertical(self, [holder], margins=(0, 0, 0, 0))
        self.refresh_runs()

    def splitters(self) -> dict[str, QSplitter]:
        return {"deploy.splitter": self.splitter}

    def refresh_runs(self) -> None:
        """List the trained runs of the runs folder, newest first, keeping the chosen one."""
        chosen = self.selected_run()
        self.records = [record for record in scan_runs(runs_dir()) if record.has_checkpoint]
        self.runs.clear()
        for record in self.records:
            self.runs.addItem(f"{record.name} — {record.design} on {record.data}", str(record.path))
        if chosen is not None:
            self.runs.setCurrentIndex(max(0, self.runs.findData(str(chosen))))
        self._update_buttons()

    def selected_run(self) -> Path | None:
        data = self.runs.currentData()
        return Path(data) if data else None

    def options(self) -> OptimizeOptions:
        """The chosen variants, written to a fresh staging folder."""
        out = staging_dir() / datetime.now().strftime(DATE_FORMAT)
        return OptimizeOptions(
            quantize=self.quantize.isChecked(),
            prune=self.fraction.value() if self.prune.isChecked() else None,
            finetune=self.finetune.value(),
            compile=self.compile.isChecked(),
            out=out,
            repeats=self.repeats,
        )

    def start(self) -> None:
        run = self.selected_run()
        if run is None or self.tasks.is_busy(JOB):
            return
        options = self.options()
        self.strip.start(f"Optimizing {run.name}…")
        self.tasks.submit(
            lambda task: optimize_run(run, options, progress=task.report, cancel=task.cancel),
            key=JOB,
            on_done=self.show_result,
            on_error=self._failed,
            on_progress=self.strip.progress,
            on_cancelled=lambda: self.strip.finish("Cancelled; nothing was kept."),
        )
        self._update_buttons()

    def show_result(self, result: OptimizeResult) -> None:
        """Fill the table and the scatter with the job's rows."""
        self.result = result
        rows = result.rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            self.table.set_row(index, _cells(row), tooltips=[row.note or row.path] * len(COLUMNS), data=row.path)
        self.plot.show_rows(rows)
        base = rows[0]
        best = min(rows, key=lambda row: row.latency_ms_b32)
        self.summary.setText(
            f"Fastest at batch 32: {best.name}, {base.latency_ms_b32 / best.latency_ms_b32:.2f}× the original, "
            f"{100 * (best.val_acc - base.val_acc):+.1f} points of accuracy. Latency: CPU, warm, median of "
            "repeated runs, the variants timed in turns."
        )
        self.strip.finish("Done. " + " ".join(result.notes))
        self._update_buttons()

    def selected_row(self) -> VariantRow | None:
        rows = self.table.selectionModel().selectedRows()
        if self.result is None or not rows:
            return None
        return self.result.rows[rows[0].row()]

    def keep_selected(self) -> None:
        """Move the selected pruned run from the staging folder into the runs folder."""
        row = self.selected_row()
        if row is None or not _is_staged_run(row):
            return
        target = runs_dir() / Path(row.path).name
        try:
            shutil.move(row.path, target)
        except OSError as error:
            self.context.prompts.error("Cannot keep the run", f"{target}: {error.strerror or error}")
            return
        row.path = str(target)
        self.context.show_message(f"Kept {row.name} as the run {target.name}: the Training tab lists it")
        self.refresh_runs()

    def export_selected(self) -> None:
        """Write the selected variant as ONNX, in the background."""
        row = self.selected_row()
        if row is None:
            return
        suggested = Path(row.path).name.removesuffix(INT8_SUFFIX) + (".int8" if _is_int8(row) else "") + ".onnx"
        path = self.context.prompts.save_path("Export ONNX", str(Path.home() / suggested), "ONNX models (*.onnx)")
        if not path:
            return
        self.tasks.submit(
            lambda task: export_variant_onnx(row.path, path),
            key="export",
            on_done=lambda written: self.context.show_message(f"Wrote {written}"),
            on_error=lambda error: self.context.prompts.error("Cannot export", str(error)),
        )

    def _failed(self, error: Exception) -> None:
        text = str(error) if isinstance(error, OptimizeError) else f"{type(error).__name__}: {error}"
        self.strip.finish(text, error=True)

    def _update_buttons(self) -> None:
        busy = self.tasks.is_busy(JOB)
        self.start_button.setEnabled(not busy and self.selected_run() is not None)
        row = self.selected_row()
        self.keep_button.setEnabled(not busy and row is not None and _is_staged_run(row))
        self.export_button.setEnabled(not busy and row is not None and row.name != "compiled")

    def is_idle(self) -> bool:
        return not self.tasks.is_busy()

    def shutdown(self) -> None:
        self.tasks.shutdown()


def _cells(row: VariantRow) -> list[str]:
    return [
        row.name,
        f"{row.params:,}",
        format_bytes(row.size_bytes),
        f"{row.latency_ms:.3f}",
        f"{row.latency_ms_b32:.2f}",
        f"{100 * row.val_acc:.2f} %",
        f"{100 * row.agreement:.1f} %",
        format_count(row.flops) if row.flops is not None else "–",
    ]


def _is_int8(row: VariantRow) -> bool:
    return row.path.endswith(INT8_SUFFIX)


def _is_staged_run(row: VariantRow) -> bool:
    """A pruned run still in the staging folder (the original and int8 files are no run to keep)."""
    path = Path(row.path)
    return not _is_int8(row) and path.is_dir() and staging_dir() in path.parents
