"""The Designer tab: palette | canvas over problems/analysis/code | inspector."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu, QSplitter, QTabWidget, QVBoxLayout, QWidget

from cnnstudio.pytorch import NetworkAnalysis
from cnnstudio.ui.designer.analysis_table import AnalysisTable
from cnnstudio.ui.designer.code_view import CodeView
from cnnstudio.ui.designer.edge_item import EdgeItem
from cnnstudio.ui.designer.editing import DesignerController
from cnnstudio.ui.designer.inspector import MIN_WIDTH, Inspector
from cnnstudio.ui.designer.node_item import NodeItem
from cnnstudio.ui.designer.palette import Palette
from cnnstudio.ui.designer.problems import ProblemsList
from cnnstudio.ui.designer.scene import NetworkScene
from cnnstudio.ui.designer.transfer_dialog import open_transfer_dialog
from cnnstudio.ui.designer.view import CanvasView
from cnnstudio.ui.tabs import StudioContext, StudioTab
from cnnstudio.ui.widgets.panes import FollowWidth, side_widths

PANELS = ("Problems", "Analysis", "Code")
DEFAULT_SIZES = {"main": [230, 1000, 380], "center": [680, 240]}
# (share of the width, least, most pixels) of the palette and of the inspector: at 1024 px the canvas keeps 52 %
PALETTE_WIDTH = (0.17, 205, 260)
INSPECTOR_WIDTH = (0.24, MIN_WIDTH, 400)


class DesignerTab(StudioTab):
    title = "Designer"

    def __init__(self, context: StudioContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        document = context.document
        self.graph = document.graph
        self.scene = NetworkScene(self.graph, self)
        self.view = CanvasView(self.scene)
        self.controller = DesignerController(document, self.scene, self)
        self.palette = Palette()
        self.inspector = Inspector(self.graph, self.controller)
        self.problems = ProblemsList()
        self.table = AnalysisTable(self.graph)
        self.code = CodeView(self.graph)

        self.panels = QTabWidget()
        self.panels.setDocumentMode(True)
        for widget, name in zip((self.problems, self.table, self.code), PANELS, strict=True):
            self.panels.addTab(widget, name)
        self.center = QSplitter(Qt.Vertical)
        self.center.addWidget(self.view)
        self.center.addWidget(self.panels)
        self.center.setStretchFactor(0, 1)
        self.splitter = QSplitter(Qt.Horizontal)
        for widget in (self.palette, self.center, self.inspector):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        for splitter in (self.splitter, self.center):
            splitter.setChildrenCollapsible(False)
        self.splitter.setSizes(DEFAULT_SIZES["main"])
        self.center.setSizes(DEFAULT_SIZES["center"])
        self.follow_width = FollowWidth(self.splitter, lambda width: side_widths(width, PALETTE_WIDTH, INSPECTOR_WIDTH))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        document.analysis.analyzed.connect(self._analyzed)
        document.analysis.failed.connect(context.show_message)
        self.controller.message.connect(context.show_message)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.table.node_selected.connect(self.reveal_node)
        self.problems.node_selected.connect(self.reveal_node)
        self.problems.counts_changed.connect(self._problem_counts)
        self.palette.tree.layer_activated.connect(self._append)
        self.palette.tree.drop_refused.connect(context.show_message)
        self.view.layer_dropped.connect(self.controller.add_layer)
        self.view.overlay.buttons["arrange"].clicked.connect(self.controller.arrange)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.code.save_requested.connect(self._save_code)

    # ----- following the document
    def _analyzed(self, analysis: NetworkAnalysis) -> None:
        self.scene.apply_analysis(analysis)
        self.inspector.set_analysis(analysis)
        self.table.set_analysis(analysis)
        self.problems.set_problems(self.context.document.load_problems + analysis.problems)
        self.code.mark_stale()

    def _problem_counts(self, errors: int, warnings: int) -> None:
        parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        self.panels.setTabText(0, f"Problems ({', '.join(parts)})" if parts else "Problems")

    def document_loaded(self) -> None:
        QTimer.singleShot(0, self.view.show_design)

    def _selection_changed(self) -> None:
        selected = self.scene.selected_node_ids()
        self.inspector.show_node(selected[0] if len(selected) == 1 else None, len(selected))
        self.table.select_node(selected[0] if len(selected) == 1 else None)

    def reveal_node(self, node_id: str) -> None:
        """Select a layer and scroll it into view (from the table or the problems list)."""
        self.scene.select_nodes([node_id])
        self.view.center_on_node(node_id)

    def _append(self, layer_type: str) -> None:
        node_id = self.controller.append_layer(layer_type)
        self.view.center_on_node(node_id)

    # ----- actions
    def action_handlers(self) -> dict[str, Callable[[], None]]:
        return {
            "cut": self.controller.cut_selection,
            "copy": self.controller.copy_selection,
            "paste": self.controller.paste,
            "duplicate": self.controller.duplicate_selection,
            "delete": self.controller.delete_selection,
            "select_all": self._select_all,
            "zoom_in": self.view.zoom_in,
            "zoom_out": self.view.zoom_out,
            "fit": self.view.fit_all,
            "arrange": self.controller.arrange,
        }

    def _select_all(self) -> None:
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def _context_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        item = self.view.itemAt(pos)
        if isinstance(item, NodeItem):
            if not item.isSelected():
                self.scene.select_nodes([item.node_id])
            menu.addAction("Duplicate", self.controller.duplicate_selection)
            menu.addAction("Copy", self.controller.copy_selection)
            menu.addAction("Cut", self.controller.cut_selection)
            menu.addSeparator()
            menu.addAction("Delete", self.controller.delete_selection)
            menu.addSeparator()
            node_id = item.node_id
            menu.addAction(
                "Transfer Learning from Here…",  # new classifier; the layers before this one frozen
                lambda: open_transfer_dialog(self.context, self, node_id),
            )
        elif isinstance(item, EdgeItem):
            menu.addAction(
                f"Disconnect {item.src} → {item.dst}", lambda: self.controller.disconnect(item.src, item.dst)
            )
        else:
            menu.addAction("Paste", self.controller.paste)
            menu.addAction("Auto-arrange", self.controller.arrange)
            menu.addAction("Fit to view", self.view.fit_all)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _save_code(self) -> None:
        suggested = f"{self.graph.name or 'network'}.py".replace(" ", "_")
        path = self.context.prompts.save_path("Save PyTorch code", suggested, "Python files (*.py)")
        if path:
            try:
                self.code.save_to(path)
            except OSError as error:
                self.context.prompts.error("Could not save the code", f"{path}: {error.strerror or error}")
                return
            self.context.show_message(f"Saved {path}")

    # ----- persistence
    def splitters(self) -> dict[str, QSplitter]:
        return {"main": self.splitter, "center": self.center}

    def page_stacks(self) -> dict[str, QTabWidget]:
        return {"panel": self.panels}

    def shutdown(self) -> None:
        self.code.shutdown()
