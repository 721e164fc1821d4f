"""A small plot of an activation layer's function, evaluated by torch with the layer's own parameters."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import torch
from PySide6.QtWidgets import QWidget

from cnnstudio.graph.catalog import ACTIVATION, layer_spec
from cnnstudio.graph.network import Node
from cnnstudio.ui import style

X_RANGE = (-5.0, 5.0)
_ELEMENTWISE_EXCLUDED = {"Softmax"}  # normalizes across a whole axis: no 1-D curve


def activation_curve(node: Node) -> tuple[np.ndarray, np.ndarray] | None:
    """(x, f(x)) for an elementwise activation layer, or None for other layers."""
    spec = layer_spec(node.type)
    if spec is None or spec.category != ACTIVATION or node.type in _ELEMENTWISE_EXCLUDED:
        return None
    kwargs = {name: value for name, value in node.all_params().items() if spec.param(name) is not None}
    kwargs.pop("num_parameters", None)  # one shared slope is enough to draw the curve
    try:
        module = getattr(torch.nn, node.type)(**kwargs)
    except (TypeError, ValueError, RuntimeError):
        return None  # invalid parameters: the inspector shows the problem instead
    x = torch.linspace(*X_RANGE, 201)
    with torch.no_grad():
        y = module(x.unsqueeze(1)).squeeze(1)
    return x.numpy(), y.numpy()


class ActivationPlot(pg.PlotWidget):
    """f(x) on [−5, 5], drawn once and updated with setData."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(150)
        self.setMaximumHeight(190)
        self.setMenuEnabled(False)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.25)
        for axis in ("left", "bottom"):
            self.getAxis(axis).setTextPen(style.MUTED)
            self.getAxis(axis).setPen(style.BORDER)
        self.addItem(pg.InfiniteLine(pos=0, angle=90, pen=pg.mkPen(style.BORDER)))
        self.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen(style.BORDER)))
        self.curve = self.plot([], [], pen=pg.mkPen(style.ACCENT, width=2.2))

    def show_node(self, node: Node) -> bool:
        """Plot the node's function; False (and nothing drawn) if it is not an elementwise activation."""
        curve = activation_curve(node)
        if curve is None:
            self.curve.setData([], [])
            return False
        x, y = curve
        self.curve.setData(x, y)
        low, high = float(y.min()), float(y.max())
        pad = max((high - low) * 0.08, 0.1)
        self.setXRange(*X_RANGE, padding=0)
        self.setYRange(low - pad, high + pad, padding=0)
        self.setTitle(f"<span style='color:{style.MUTED};font-size:9pt'>{node.type}(x)</span>")
        return True
