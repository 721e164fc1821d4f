"""The Network menu's actions for MainWindow: open and compare pretrained networks, transfer learning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMainWindow

from cnnstudio.ui.designer.transfer_dialog import TransferDialog, open_transfer_dialog

if TYPE_CHECKING:
    from cnnstudio.pretrained.resolve import PretrainedDesign
    from cnnstudio.ui.pretrained.compare import CompareDialog
    from cnnstudio.ui.pretrained.open_dialog import PretrainedDialog


class NetworkActionsMixin(QMainWindow):
    """Opens the dialogs of the Network menu and keeps them until they close (they shut down with the window).

    The pretrained dialogs are imported when first opened (their plots and model tables load then)."""

    # ----- pretrained networks (the dialogs live in cnnstudio.ui.pretrained and ui.designer.transfer_dialog)
    def open_pretrained(self) -> PretrainedDialog | None:
        if not self.maybe_save():
            return None
        from cnnstudio.ui.pretrained.open_dialog import PretrainedDialog

        dialog = PretrainedDialog(self.session, self)
        dialog.design_opened.connect(self.open_pretrained_design)
        self._show_network_dialog(dialog, modal=True)
        return dialog

    def open_pretrained_design(self, design: PretrainedDesign) -> None:
        self._load_undoable(design.graph, f"Open {design.title}", design.state_dict, design.metadata)
        self.show_tab("Designer")
        self.show_message(f"Opened {design.title} with its ImageNet weights ({len(design.graph.nodes)} layers)")

    def compare_pretrained(self) -> CompareDialog:
        from cnnstudio.ui.pretrained.compare import CompareDialog

        dialog = CompareDialog(self)
        self._show_network_dialog(dialog, modal=False)
        return dialog

    def transfer_learning(self) -> TransferDialog | None:
        self.show_tab("Designer")
        dialog = open_transfer_dialog(self.context, self)
        if dialog is not None:
            self._track_dialog(dialog)
        return dialog

    def _track_dialog(self, dialog: QDialog) -> None:
        """Keep `dialog` until it closes, so closing the window can stop its background work."""
        self._network_dialogs.append(dialog)

        def forget(_result: int) -> None:
            if dialog in self._network_dialogs:
                self._network_dialogs.remove(dialog)

        dialog.finished.connect(forget)

    def _show_network_dialog(self, dialog: QDialog, *, modal: bool) -> None:
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        self._track_dialog(dialog)
        if modal:
            dialog.open()
        else:
            dialog.show()
