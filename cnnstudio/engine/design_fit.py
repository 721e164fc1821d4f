"""Does the data fit the design? What loading fits by itself, and what only a change of the design can.

Channels and size are fitted by load_data (convert, scale and crop); the number of classes is not: the
design's classifier must be re-targeted. `fit_classes` does that to the copy of a design that trains (the
`cnnstudio train` command and the Training tab); `fitted_design` returns the change the Data tab offers
(optionally with the Input set to the data's own shape) as a new graph, applied as one undoable step.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnstudio.graph.network import MULTI_LABEL, SINGLE_LABEL, NetworkGraph
from cnnstudio.graph.templates import classifier_node, retarget
from cnnstudio.pytorch import NetworkAnalysis, analyze

Shape3 = tuple[int, int, int]


def design_classes(analysis: NetworkAnalysis | None) -> int | None:
    """The design's number of outputs, None when unknown (errors) or not one score per class."""
    output = analysis.output_shape if analysis is not None else None
    return output[0] if output is not None and len(output) == 1 else None


def design_outputs(graph: NetworkGraph) -> int | None:
    """The number of classes the design's last Linear (or Conv2d) is set to, read from the graph
    itself (no analysis needed), None without one."""
    head = classifier_node(graph)
    if head is None:
        return None
    value = graph.nodes[head].param("out_features" if graph.nodes[head].type == "Linear" else "out_channels")
    return value if isinstance(value, int) else None


@dataclass(frozen=True)
class FitCheck:
    """The data (as its source provides it) against the design.

    automatic: load_data's notes of what it changed to fit the images (shown as is).
    design_classes: the design's outputs, None when unknown.
    """

    data_title: str
    data_shape: Shape3
    data_classes: int
    design_shape: Shape3 | None
    design_classes: int | None
    automatic: tuple[str, ...] = ()

    @property
    def input_differs(self) -> bool:
        return self.design_shape is not None and self.design_shape != self.data_shape

    @property
    def classes_differ(self) -> bool:
        return self.design_classes is not None and self.design_classes != self.data_classes

    @property
    def fits(self) -> bool:
        return not (self.input_differs or self.classes_differ)

    @property
    def match_input_by_default(self) -> bool:
        """Offer the data's shape as the input first unless it is smaller than the design's: a smaller
        input can leave nothing for the design's pooling layers (8×8 digits in LeNet-5)."""
        if self.design_shape is None:
            return False
        return self.data_shape[1] * self.data_shape[2] >= self.design_shape[1] * self.design_shape[2]


def fitted_design(graph: NetworkGraph, check: FitCheck, match_input: bool) -> tuple[NetworkGraph, list[str]]:
    """A copy of `graph` re-targeted to the data's classes (and input, if `match_input`), with notes.

    Raises ValueError (with a message for the user) when the design has no layer to change.
    """
    new = graph.copy()
    classes = check.data_classes if check.classes_differ else None
    shape = check.data_shape if match_input and check.input_differs else None
    if classes is not None and classifier_node(new) is None:
        raise ValueError(
            "The design has no Linear or Conv2d layer that produces the class scores. "
            "Add a Linear layer at the end of the design, then apply again."
        )
    notes = retarget(new, classes=classes, input_shape=shape)
    return new, notes


def fit_classes(
    graph: NetworkGraph, classes: int, analysis: NetworkAnalysis | None = None, *, multilabel: bool = False
) -> list[str]:
    """Point the design's classifier at `classes` classes, in place, when its output size differs, and make
    its task the data's (`multilabel`: one sigmoid per label); returns notes of what changed.

    analysis: the design's current analysis when the caller keeps one (the window does), else it is analyzed
    here. A design with errors, or one without a layer to re-target, is left as it is: the run reports the
    problem with its fix.
    """
    notes = fit_task(graph, multilabel)
    analysis = analyze(graph) if analysis is None else analysis
    if not analysis.valid or analysis.output_shape in (None, (classes,)):
        return notes
    try:
        return notes + retarget(graph, classes=classes)
    except ValueError:
        return notes


def fit_task(graph: NetworkGraph, multilabel: bool) -> list[str]:
    """Make the design multi-label or single-label as the data is, in place; a note when that changed it."""
    task = MULTI_LABEL if multilabel else SINGLE_LABEL
    if graph.task == task:
        return []
    graph.set_task(task)
    if multilabel:
        return ["trains multi-label, as the data is: one sigmoid per label with binary cross-entropy"]
    return ["trains single-label, as the data is: softmax over the classes with cross-entropy"]
