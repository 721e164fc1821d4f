"""Network ▸ Transfer Learning…: replace the classifier of a pretrained design for the user's classes and
freeze the layers before a chosen one, as one undoable step that also swaps the design's weights.

The new design keeps every pretrained weight except the classifier's (freshly initialized for the new
number of classes); the layers the chosen one depends on get `trainable=False`, which the training
engine honours. The Training tab then trains it, starting from `document.weights`. Later, the same
dialog with "Replace the classifier" unticked only moves the frozen boundary (fine-tune more layers),
keeping the classifier and every weight.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.templates import classifier_node
from cnnstudio.pretrained.designs import CLASSES_KEY, MEAN_KEY, imagenet_preprocessing, weights_metadata
from cnnstudio.pretrained.imagenet import IMAGENET_CLASS_COUNT
from cnnstudio.pretrained.transfer import TransferResult, transfer_learning, upstream_of
from cnnstudio.ui.designer.undo_commands import (
    MacroCommand,
    ReplaceGraphCommand,
    SetTrainableCommand,
)
from cnnstudio.ui.document import Document
from cnnstudio.ui.tabs import StudioContext
from cnnstudio.ui.tasks import TaskRunner

NO_WEIGHTS = (
    "This design has no pretrained weights to start from: open a pretrained network first "
    "(Network ▸ Open Pretrained…), or open a design saved with its weights."
)

if TYPE_CHECKING:
    import torch

NO_CLASSIFIER = "This design has no Linear or Conv2d layer that could become the classifier."
MAX_CLASSES = 100_000
_APPLY, _FREEZE = "Replace the Classifier", "Set the Frozen Layers"


class TransferCommand(ReplaceGraphCommand):
    """The adapted design and its weights in one undo step; undo brings back both the old ones."""

    def __init__(self, document: Document, result: TransferResult, metadata: dict[str, str], text: str) -> None:
        super().__init__(document.graph, result.graph, text)
        self.document = document
        self.new_weights, self.new_metadata = dict(result.state_dict), dict(metadata)
        self.old_weights = dict(document.weights) if document.weights else None
        self.old_metadata = dict(document.weights_metadata)

    def redo(self) -> None:
        super().redo()
        self.document.set_weights(self.new_weights, self.new_metadata)

    def undo(self) -> None:
        super().undo()
        self.document.set_weights(self.old_weights, self.old_metadata)


def parse_class_names(text: str) -> list[str]:
    """'cat, dog ,bird' → ['cat', 'dog', 'bird']; ValueError for a name given twice."""
    names = [name.strip() for name in text.replace("\n", ",").split(",") if name.strip()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"each class needs its own name; given twice: {', '.join(repeated)}")
    return names


def transfer_metadata(graph: NetworkGraph, metadata: dict[str, str], names: list[str]) -> dict[str, str]:
    """The weights' metadata for the adapted design: the new class names, the old preprocessing.

    Weights stored without metadata are ImageNet classifiers when the classifier has 1,000 outputs
    (see cnnstudio.pretrained.designs); their ImageNet normalization is written down now, because the
    adapted design no longer has 1,000 outputs to tell.
    """
    adapted = dict(metadata)
    head = classifier_node(graph)
    node = graph.nodes[head] if head else None
    outputs = (
        node.param("out_features" if node is not None and node.type == "Linear" else "out_channels")
        if node is not None
        else None
    )
    input_node = next((n for n in graph.nodes.values() if n.type == "Input"), None)
    if MEAN_KEY not in adapted and outputs == IMAGENET_CLASS_COUNT and input_node is not None:
        shape = (int(input_node.param("channels")), int(input_node.param("height")), int(input_node.param("width")))
        if shape[0] == 3:
            adapted = weights_metadata([], imagenet_preprocessing(shape))
    adapted[CLASSES_KEY] = json.dumps(list(names), ensure_ascii=False)
    return adapted


class TransferDialog(QDialog):
    """Classes (number and names), the layer training starts from, and what that freezes."""

    def __init__(self, context: StudioContext, freeze_before: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.document = context.document
        self.graph = self.document.graph.copy()
        self.weights: dict[str, torch.Tensor] = dict(self.document.weights or {})
        self.head = classifier_node(self.graph)
        self._tasks = TaskRunner("cnnstudio-transfer", self)
        self.setWindowTitle("Transfer Learning")
        self.resize(560, 360)

        intro = QLabel(
            f"Replace the classifier of <b>{self.graph.name}</b> ({self.head}) with a new one for "
            "your classes. The pretrained layers before the chosen layer are frozen; the rest "
            "train in the Training tab."
        )
        intro.setWordWrap(True)
        self.replace_head = QCheckBox(f"Replace the classifier ({self.head}) for new classes")
        self.replace_head.setChecked(True)
        self.replace_head.setToolTip(
            "Untick to keep the classifier and its weights and only change which layers "
            "are frozen (fine-tune more layers after a first training)"
        )
        self.count = QSpinBox()
        self.count.setRange(1, MAX_CLASSES)
        self.names = QLineEdit(placeholderText="optional, comma-separated: cat, dog, bird")
        self.start = QComboBox()
        order = [node_id for node_id in self.graph.topological_order() if self.graph.nodes[node_id].type != "Input"]
        for node_id in order:
            self.start.addItem(f"{node_id}  ({self.graph.nodes[node_id].type})", node_id)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setProperty("role", "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.apply_button = self.buttons.button(QDialogButtonBox.Ok)

        form = QFormLayout()
        form.addRow(self.replace_head)
        form.addRow("Classes:", self.count)
        form.addRow("Names:", self.names)
        form.addRow("Train from:", self.start)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        self.replace_head.toggled.connect(self._update)
        self.names.textChanged.connect(self._update)
        self.count.valueChanged.connect(self._update)
        self.start.currentIndexChanged.connect(self._update)

        data = context.session.data
        classes = data.split.classes if data is not None and data.split is not None else []
        self.count.setValue(max(2, len(classes)))
        self.names.setText(", ".join(classes))
        self.set_freeze_before(freeze_before or self.head)

    # ----- the choices
    def set_freeze_before(self, node_id: str) -> None:
        index = self.start.findData(node_id)
        if index >= 0:
            self.start.setCurrentIndex(index)
        self._update()

    def freeze_before(self) -> str:
        return self.start.currentData()

    def class_names(self) -> list[str]:
        """The names given, or 'class 1' … 'class N' when none are."""
        names = parse_class_names(self.names.text())
        return names or [f"class {index + 1}" for index in range(self.count.value())]

    def _update(self) -> None:
        problem = ""
        replacing = self.replace_head.isChecked()
        try:
            names = parse_class_names(self.names.text())
        except ValueError as error:
            names, problem = [], str(error) if replacing else ""
        self.names.setEnabled(replacing)
        self.count.setEnabled(replacing and not names)
        if names:
            self.count.blockSignals(True)
            self.count.setValue(len(names))
            self.count.blockSignals(False)
        boundary = self.freeze_before()
        frozen = upstream_of(self.graph, boundary) if boundary else set()
        if self.head in frozen:
            problem = problem or (
                f"Training from {boundary} would freeze the classifier {self.head}; choose "
                f"{self.head} or a layer before it."
            )
        with_weights = {key.split(".", 1)[0] for key in self.weights}
        order = [node_id for node_id in self.graph.topological_order() if node_id in with_weights]
        frozen_layers = [node_id for node_id in order if node_id in frozen]
        training = [node_id for node_id in order if node_id not in frozen and node_id != self.head]
        outputs = len(names) or self.count.value()
        span = f" ({frozen_layers[0]} … {frozen_layers[-1]})" if frozen_layers else ""
        classifier = (
            f"the new classifier {self.head} with {outputs} outputs"
            if replacing
            else f"the classifier {self.head} as it is"
        )
        self.summary.setText(
            f"Frozen: {len(frozen_layers)} pretrained layers with weights{span}.<br>"
            f"Trained: {classifier}"
            + (f", and {len(training)} pretrained layers after {boundary}" if training else "")
            + "."
        )
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.apply_button.setEnabled(not problem and not self._tasks.is_busy())
        self.apply_button.setText(_APPLY if replacing else _FREEZE)

    # ----- applying
    def apply(self) -> None:
        if self._tasks.is_busy() or not self.apply_button.isEnabled():
            return
        if not self.replace_head.isChecked():
            self._set_frozen()
            return
        names = self.class_names()
        graph, weights, boundary = self.graph, self.weights, self.freeze_before()
        self._tasks.submit(
            lambda task: transfer_learning(graph, weights, len(names), freeze_before=boundary),
            on_done=lambda result: self._applied(result, names),
            on_error=self._failed,
        )
        self.apply_button.setEnabled(False)
        self.apply_button.setText("Replacing…")

    def _set_frozen(self) -> None:
        """Freeze exactly the layers before the chosen one, keeping the classifier and the weights."""
        graph, boundary = self.document.graph, self.freeze_before()
        frozen = upstream_of(graph, boundary)
        changes = [
            SetTrainableCommand(graph, node_id, node_id not in frozen)
            for node_id in graph.topological_order()
            if graph.nodes[node_id].trainable == (node_id in frozen)
        ]
        if changes:
            self.document.push(MacroCommand(graph, f"Train from {boundary}", changes))
        self.context.show_message(f"{graph.name}: {len(frozen)} layers before {boundary} frozen, the rest train.")
        self.accept()

    def _applied(self, result: TransferResult, names: list[str]) -> None:
        self.apply_button.setText(_APPLY)
        metadata = transfer_metadata(self.graph, self.document.weights_metadata, names)
        self.document.push(TransferCommand(self.document, result, metadata, f"Transfer learning: {len(names)} classes"))
        self.context.show_message(
            f"{self.graph.name}: classifier {result.head} now has {len(names)} outputs; "
            f"{len(result.frozen)} layers frozen. Train it in the Training tab."
        )
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.apply_button.setText(_APPLY)
        self.problem.setText(str(error) or type(error).__name__)
        self.problem.show()
        self.apply_button.setEnabled(True)

    def shutdown(self) -> None:
        self._tasks.shutdown()

    def done(self, result: int) -> None:
        self.shutdown()
        super().done(result)


def open_transfer_dialog(
    context: StudioContext, parent: QWidget, freeze_before: str | None = None
) -> TransferDialog | None:
    """Show the dialog (window-modal, returns at once), or say why transfer learning cannot start."""
    document = context.document
    if not document.weights:
        context.prompts.error("Transfer learning needs pretrained weights", NO_WEIGHTS)
        return None
    if classifier_node(document.graph) is None:
        context.prompts.error("Transfer learning needs a classifier layer", NO_CLASSIFIER)
        return None
    dialog = TransferDialog(context, freeze_before, parent)
    dialog.open()
    return dialog
