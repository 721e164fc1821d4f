"""The property inspector: edit the selected layer, and see what it computes and why.

Editors apply immediately (one undoable command per committed change). Below them: output shape,
learnables, FLOPs, the output-size arithmetic with the layer's own numbers, and for activation
layers a plot of the function.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QFrame, QLabel, QLineEdit, QScrollArea, QVBoxLayout, QWidget

from cnnstudio.graph.catalog import layer_spec
from cnnstudio.graph.describe import format_count, format_shape
from cnnstudio.graph.network import NetworkGraph
from cnnstudio.graph.validate import ERROR
from cnnstudio.pytorch import NetworkAnalysis, NodeAnalysis
from cnnstudio.pytorch.activation_curves import activation_curve
from cnnstudio.ui import style
from cnnstudio.ui.designer.editing import DesignerController
from cnnstudio.ui.designer.param_editors import ParamEditor, editor_for
from cnnstudio.ui.formatting import format_bytes, format_flops

if TYPE_CHECKING:
    from cnnstudio.ui.designer.activation_plot import ActivationPlot


MIN_WIDTH = 290  # the widest editor (padding) under its name, with the margins and a vertical scroll bar


def _label(text: str = "", role: str | None = None, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if role:
        label.setProperty("role", role)
    return label


def layout_equation(line: str) -> str:
    """'height = width: O = ⌊(W − K + 2P) / S⌋ + 1 = ⌊(56 − 3 + 2·1) / 2⌋ + 1 = 28' → one step per line:

    height = width:
      O = ⌊(W − K + 2P) / S⌋ + 1
        = ⌊(56 − 3 + 2·1) / 2⌋ + 1
        = 28
    """
    head, separator, formula = line.partition(": ")
    if not separator:
        head, formula = "", line
    left, *steps = formula.split(" = ")
    lines = [f"{head}:"] if head else []
    indent = "  " if head else ""
    lines.append(f"{indent}{left}" + (f" = {steps[0]}" if steps else ""))
    pad = " " * (len(indent) + len(left))
    lines += [f"{pad} = {step}" for step in steps[1:]]
    return "\n".join(lines)


class Inspector(QScrollArea):
    """Shows and edits one node: `show_node(id)`, or a summary of the network when none is selected."""

    def __init__(self, graph: NetworkGraph, controller: DesignerController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph = graph
        self.controller = controller
        self.node_id: str | None = None
        self.analysis: NetworkAnalysis | None = None
        self.editors: dict[str, ParamEditor] = {}
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setMinimumWidth(MIN_WIDTH)
        self._body = QWidget()
        self._layout = QVBoxLayout(self._body)
        self._layout.setContentsMargins(12, 12, 12, 12)
        self._layout.setSpacing(6)
        self.setWidget(self._body)

        self.title = _label(wrap=False)
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.description = _label(role="muted")
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(
            "The layer's name: a Python identifier, used in the generated code and as the key of its weights"
        )
        self.trainable = QCheckBox("Train this layer's weights")
        self.trainable.setToolTip("Unchecked: the weights stay frozen during training (fine-tuning)")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow inspector puts wide editors under their name
        self.form.setLabelAlignment(Qt.AlignRight)
        self.form.setHorizontalSpacing(10)
        self.problem = _label(role="error")
        self.numbers = QFormLayout()
        self.numbers.setLabelAlignment(Qt.AlignRight)
        self.number_labels: dict[str, QLabel] = {}
        for key in ("Output", "Input", "Learnables", "FLOPs", "Activations"):
            value = _label()
            self.number_labels[key] = value
            self.numbers.addRow(_label(key, "muted", wrap=False), value)
        self.arithmetic_heading = _label("Output size", "heading")
        self.arithmetic = _label()
        self.arithmetic.setFont(style.monospace_font(9))
        self.plot_heading = _label("Function", "heading")
        self._plot: ActivationPlot | None = None  # made when an activation is first shown (pyqtgraph loads then)

        for widget in (self.title, self.description):
            self._layout.addWidget(widget)
        self._layout.addSpacing(4)
        self._layout.addLayout(self.form)
        self._layout.addWidget(self.problem)
        self.numbers_heading = _label("Computes", "heading")
        self._layout.addWidget(self.numbers_heading)
        self._layout.addLayout(self.numbers)
        self._layout.addWidget(self.arithmetic_heading)
        self._layout.addWidget(self.arithmetic)
        self._layout.addWidget(self.plot_heading)
        self._layout.addStretch(1)

        self.name_edit.editingFinished.connect(self._rename)
        self.trainable.toggled.connect(self._trainable_toggled)
        graph.param_changed.connect(self._param_changed)
        graph.trainable_changed.connect(lambda node_id, value: self._refresh_values(node_id))
        graph.node_renamed.connect(self._node_renamed)
        graph.node_removed.connect(self._node_removed)
        graph.reset.connect(lambda: self.show_node(None))
        self.show_node(None)

    # ----- which node
    def show_node(self, node_id: str | None, selected_count: int = 1) -> None:
        """Inspect `node_id`; None shows the network summary (or how many layers are selected)."""
        self.node_id = node_id if node_id in self.graph.nodes else None
        self._clear_form()
        if self.node_id is None:
            self._show_summary(selected_count)
            return
        node = self.graph.node(self.node_id)
        spec = layer_spec(node.type)
        color = style.category_color(spec.category if spec else None).name()
        self.title.setText(f"<span style='color:{color}'>■</span> {escape(node.type)}")
        self.description.setText(spec.description if spec else f"Unknown layer type {node.type!r}")
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("", self.trainable)
        for param in spec.params if spec else ():
            editor = editor_for(param)
            editor.edited.connect(lambda value, name=param.name: self._edited(name, value))
            self.editors[param.name] = editor
            label = QLabel(param.name.replace("_", " "))
            label.setToolTip(param.help)
            self.form.addRow(label, editor)
        self._refresh_values(self.node_id)
        self._show_analysis()

    def _clear_form(self) -> None:
        for editor in self.editors.values():
            editor.deleteLater()
        self.editors.clear()
        while self.form.rowCount():
            row = self.form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None and widget not in (self.name_edit, self.trainable):
                    widget.deleteLater()
                elif widget is not None:
                    widget.hide()

    def _refresh_values(self, node_id: str) -> None:
        if node_id != self.node_id:
            return
        node = self.graph.node(node_id)
        self.name_edit.setText(node.id)
        self.name_edit.show()
        self.trainable.blockSignals(True)
        self.trainable.setChecked(node.trainable)
        self.trainable.blockSignals(False)
        for name, editor in self.editors.items():
            editor.set_value(node.param(name))

    # ----- edits
    def _edited(self, name: str, value: Any) -> None:
        if self.node_id is None:
            return
        problem = self.controller.set_param(self.node_id, name, value)
        if problem:
            self.problem.setText(f"✖ {problem}")
            self.problem.show()
            self.editors[name].set_value(self.graph.node(self.node_id).param(name))

    def _rename(self) -> None:
        if self.node_id is None:
            return
        new_id = self.name_edit.text().strip()
        problem = self.controller.rename(self.node_id, new_id)
        if problem:
            self.problem.setText(f"✖ {problem}")
            self.problem.show()
            self.name_edit.setText(self.node_id)

    def _trainable_toggled(self, checked: bool) -> None:
        if self.node_id is not None:
            self.controller.set_trainable(self.node_id, checked)

    # ----- following the graph
    def _param_changed(self, node_id: str, name: str, value: Any) -> None:
        if node_id == self.node_id and name in self.editors:
            self.editors[name].set_value(value)
            self._show_plot()

    def _node_renamed(self, old_id: str, new_id: str) -> None:
        if old_id == self.node_id:
            self.node_id = new_id
            self.name_edit.setText(new_id)

    def _node_removed(self, node_id: str) -> None:
        if node_id == self.node_id:
            self.show_node(None)

    def set_analysis(self, analysis: NetworkAnalysis) -> None:
        self.analysis = analysis
        if self.node_id is None:
            self._show_summary()
        else:
            self._show_analysis()

    # ----- showing
    def _show_analysis(self) -> None:
        assert self.node_id is not None
        node = self.graph.node(self.node_id)
        result: NodeAnalysis | None = self.analysis.nodes.get(self.node_id) if self.analysis else None
        problems = self.analysis.problems_for(self.node_id) if self.analysis else []
        lines = [("✖ " if p.severity == ERROR else "⚠ ") + p.message for p in problems]
        self.problem.setText("\n".join(lines))
        self.problem.setVisible(bool(lines))
        self.numbers_heading.setText("Computes")
        self.numbers_heading.show()
        self.trainable.setVisible(bool(result and result.params))
        pending = "…" if self.analysis is None else "—"
        values = {
            "Output": format_shape(result.output_shape) if result and result.output_shape else pending,
            "Input": ",  ".join(format_shape(s) for s in result.input_shapes)
            if result and result.input_shapes
            else "—",
            "Learnables": (f"{result.params:,}" + ("  (frozen)" if not node.trainable and result.params else ""))
            if result
            else pending,
            "FLOPs": f"{format_flops(result.flops)}  ({format_count(result.macs)} MACs)" if result else pending,
            "Activations": format_bytes(result.activation_bytes) + " per image"
            if result and result.output_shape
            else pending,
        }
        for key, text in values.items():
            self.number_labels[key].setText(text)
        arithmetic = result.arithmetic if result else []
        self.arithmetic.setText("\n".join(layout_equation(line) for line in arithmetic))
        self.arithmetic_heading.setVisible(bool(arithmetic))
        self.arithmetic.setVisible(bool(arithmetic))
        self._show_plot()

    @property
    def plot(self) -> ActivationPlot:
        """The plot of an activation's function, below its heading."""
        if self._plot is None:
            from cnnstudio.ui.designer.activation_plot import ActivationPlot

            self._plot = ActivationPlot()
            self._plot.hide()
            self._layout.insertWidget(self._layout.indexOf(self.plot_heading) + 1, self._plot)
        return self._plot

    def _show_plot(self) -> None:
        node = self.graph.node(self.node_id) if self.node_id is not None else None
        curve = activation_curve(node) if node is not None else None
        self.plot_heading.setVisible(curve is not None)
        if curve is not None:
            self.plot.show_curve(node.type, *curve)
        if self._plot is not None:
            self._plot.setVisible(curve is not None)

    def _show_summary(self, selected_count: int = 0) -> None:
        self.title.setText(f"{selected_count} layers selected" if selected_count > 1 else escape(self.graph.name))
        self.description.setText(
            "Select one layer to edit it."
            if selected_count > 1
            else (self.graph.description or "Select a layer to see and edit its properties.")
        )
        self.problem.hide()
        self.arithmetic_heading.hide()
        self.arithmetic.hide()
        self.plot_heading.hide()
        if self._plot is not None:
            self._plot.hide()
        analysis = self.analysis
        self.numbers_heading.setText("Computes" if self.node_id else "Network")
        if analysis is None:
            for label in self.number_labels.values():
                label.setText("…")
            return
        self.number_labels["Output"].setText(format_shape(analysis.output_shape) if analysis.output_shape else "—")
        self.number_labels["Input"].setText(format_shape(analysis.input_shape) if analysis.input_shape else "—")
        self.number_labels["Learnables"].setText(f"{analysis.total_params:,}")
        self.number_labels["FLOPs"].setText(
            f"{format_flops(analysis.total_flops)}  ({format_count(analysis.total_macs)} MACs) per image"
        )
        self.number_labels["Activations"].setText(format_bytes(analysis.activation_bytes) + " per image")
