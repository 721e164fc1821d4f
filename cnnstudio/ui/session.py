"""What the tabs share beyond the design: the chosen data and the trained model.

The Data tab sets the data, the Training tab publishes the model it trained (and each checkpoint it
writes), the Inspect and Webcam tabs follow both. Tabs talk through this object, never to each other,
so each tab can be built and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from cnnstudio.data import DataSplit
from cnnstudio.pretrained.classifier import Classifier


@dataclass(frozen=True)
class DataChoice:
    """The data the user chose.

    spec: what `cnnstudio.data.load_data` (and the training worker) loads, e.g. "digits", "xo:count=2000",
        "mnist", or an image folder's path.
    split: the data loaded and fitted to the design's input when it was chosen (None while it loads or
        if loading failed); the Inspect tab browses its validation set.
    title: how the tabs name it ("Digits (8×8)", "my_photos").
    """

    spec: str
    split: DataSplit | None
    title: str


@dataclass(frozen=True)
class ModelChoice:
    """A classifier that the Inspect and Webcam tabs should show.

    run_dir: the training run it came from (None for a pretrained or untrained model).
    title: how the tabs name it ("LeNet-5 · run 2026-11-23 12-00 · best").
    """

    classifier: Classifier
    title: str
    run_dir: Path | None = None


class StudioSession(QObject):
    """Shared, observable state of the tabs (lives on the GUI thread)."""

    data_changed = Signal()
    # A tab needs the data loaded now (session.data.split is None): the Data tab loads it.
    data_requested = Signal()
    augment_changed = Signal()
    model_changed = Signal()
    # A run being trained wrote a checkpoint: (run_dir, epoch); views of the training model refresh.
    checkpoint_written = Signal(str, int)
    # An image (H×W×3 uint8 RGB numpy array) to look at in the Inspect tab, e.g. a webcam snapshot.
    inspect_image = Signal(object)
    # Ask the window to show the tab with this title ("Inspect", "Webcam", …).
    show_tab = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data: DataChoice | None = None
        self.model: ModelChoice | None = None
        # Training augmentation in `cnnstudio.data.augment.parse_augment`'s text form ("" = none); the
        # Data tab previews it, the Training tab trains with it, either can edit it.
        self.augment = ""

    def set_data(self, choice: DataChoice | None) -> None:
        self.data = choice
        self.data_changed.emit()

    def set_augment(self, text: str) -> None:
        if text != self.augment:
            self.augment = text
            self.augment_changed.emit()

    def set_model(self, choice: ModelChoice | None) -> None:
        self.model = choice
        self.model_changed.emit()

    def send_image_to_inspect(self, image: np.ndarray) -> None:
        """Show `image` (H×W×3 uint8 RGB) in the Inspect tab and switch to it."""
        self.show_tab.emit("Inspect")  # first: the window builds the tab if it was never shown
        self.inspect_image.emit(image)
