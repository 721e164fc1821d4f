"""Where frames come from: the cameras OpenCV finds (looked for off the GUI thread: it can take
seconds), video files and image folders, with resolution, mirror, loop and real-time options."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QToolButton,
    QWidget,
)

from cnnstudio.camera.cameras import CameraInfo, list_cameras
from cnnstudio.camera.sources import FrameSource, SourceError, open_source
from cnnstudio.ui.tasks import TaskRunner
from cnnstudio.ui.widgets.eliding_combo import ElidingComboBox

RESOLUTIONS = (None, (640, 480), (1280, 720), (1920, 1080))
MAX_RECENT_FILES = 8
_KIND, _VALUE = Qt.UserRole, Qt.UserRole + 1
CAMERA, FILE, NOTE = "camera", "file", "note"
# What the list says when it has no camera to offer (short: the panel is narrow), and its tooltip.
NO_CAMERA = ("No camera found", "No camera found: choose a video file or an image folder below")
NOT_LOOKED = ("Cameras not looked for", "Press ⟳ to look for cameras")


class SourcePanel(QGroupBox):
    """The source chooser. `video_requested` / `folder_requested` ask the tab for a path (its dialogs),
    which comes back through `add_file`."""

    video_requested = Signal()
    folder_requested = Signal()
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Source", parent)
        self._tasks = TaskRunner("cnnstudio-find-cameras", self)
        self.cameras: list[CameraInfo] | None = None  # None: not looked for yet
        self.combo = ElidingComboBox(18)
        self.refresh_button = QToolButton()
        self.refresh_button.setText("⟳")
        self.refresh_button.setToolTip("Look for cameras again")
        self.video_button = QPushButton("Video file…")
        self.folder_button = QPushButton("Image folder…")
        self.resolution = QComboBox()
        for size in RESOLUTIONS:
            self.resolution.addItem("camera default" if size is None else f"{size[0]}×{size[1]}", size)
        self.mirror = QCheckBox("Mirror (selfie view)")
        self.loop = QCheckBox("Loop files")
        self.loop.setToolTip("Start a video or folder again when it ends")
        self.realtime = QCheckBox("Play files in real time")
        self.realtime.setChecked(True)
        self.realtime.setToolTip(
            "On: a file plays at its own pace, like a camera, and frames the model is too "
            "slow for are skipped. Off: every frame is classified, one after another."
        )

        chooser = QHBoxLayout()
        chooser.addWidget(self.combo, 1)
        chooser.addWidget(self.refresh_button)
        files = QHBoxLayout()
        files.addWidget(self.video_button)
        files.addWidget(self.folder_button)
        form = QFormLayout(self)
        form.addRow(chooser)
        form.addRow(files)
        form.addRow("Resolution:", self.resolution)
        form.addRow(self.mirror)
        form.addRow(self.loop)
        form.addRow(self.realtime)

        self.refresh_button.clicked.connect(self.find_cameras)
        self.video_button.clicked.connect(self.video_requested)
        self.folder_button.clicked.connect(self.folder_requested)
        self.combo.currentIndexChanged.connect(self._current_changed)
        self._fill([])

    # ----- cameras
    def find_cameras(self) -> None:
        """Look for cameras on a background thread; the list follows when it answers."""
        if self._tasks.is_busy():
            return
        self.refresh_button.setEnabled(False)
        self._fill_note("Looking for cameras…")
        self._tasks.submit(
            lambda task: list_cameras(), on_done=self._cameras_found, on_error=lambda error: self._cameras_found([])
        )

    def _cameras_found(self, cameras: list[CameraInfo]) -> None:
        self.cameras = list(cameras)
        self.refresh_button.setEnabled(True)
        self._fill(self.cameras)

    def _fill_note(self, text: str) -> None:
        self._fill(self.cameras or [], note=text)

    def _fill(self, cameras: list[CameraInfo], note: str | None = None) -> None:
        keep = self.current()
        files = self.files()
        self.combo.blockSignals(True)
        self.combo.clear()
        for camera in cameras:
            self._add_item(camera.label, CAMERA, camera.index)
        if not cameras:
            text, hint = (note, note) if note else NO_CAMERA if self.cameras is not None else NOT_LOOKED
            self._add_item(text, NOTE, hint)
            self._item(self.combo.count() - 1).setEnabled(False)
        for path in files:
            self._add_item(_file_label(path), FILE, path)
        self.combo.blockSignals(False)
        self._select(keep)

    # ----- files
    def add_file(self, path: str) -> None:
        """Add a video file or image folder to the list (most recent first) and choose it."""
        path = str(Path(path))
        files = [path] + [known for known in self.files() if known != path]
        self.set_files(files[:MAX_RECENT_FILES])
        self._select((FILE, path))

    def set_files(self, paths: list[str]) -> None:
        keep = self.current()
        self.combo.blockSignals(True)
        for index in reversed(range(self.combo.count())):
            if self.combo.itemData(index, _KIND) == FILE:
                self.combo.removeItem(index)
        for path in paths[:MAX_RECENT_FILES]:
            self._add_item(_file_label(path), FILE, path)
        self.combo.blockSignals(False)
        self._select(keep)

    def files(self) -> list[str]:
        return [
            self.combo.itemData(i, _VALUE) for i in range(self.combo.count()) if self.combo.itemData(i, _KIND) == FILE
        ]

    # ----- the choice
    def current(self) -> tuple[str, object] | None:
        index = self.combo.currentIndex()
        if index < 0 or self.combo.itemData(index, _KIND) in (None, NOTE):
            return None
        return self.combo.itemData(index, _KIND), self.combo.itemData(index, _VALUE)

    def make_source(self) -> FrameSource:
        """A source for the current choice and options (not opened yet); SourceError if there is none."""
        chosen = self.current()
        if chosen is None:
            raise SourceError("choose a camera, a video file or an image folder first")
        kind, value = chosen
        if kind == CAMERA:
            return open_source(str(value), resolution=self.resolution.currentData())
        path = Path(value)
        if not path.exists():
            raise SourceError(f"{path} no longer exists; choose another video file or folder")
        return open_source(str(path), realtime=self.realtime.isChecked(), loop=self.loop.isChecked())

    def _select(self, chosen: tuple[str, object] | None) -> None:
        for index in range(self.combo.count()):
            if chosen is not None and (self.combo.itemData(index, _KIND), self.combo.itemData(index, _VALUE)) == chosen:
                self.combo.setCurrentIndex(index)
                break
        else:
            # the first usable entry, else the note saying why there is none
            first = next((i for i in range(self.combo.count()) if self._item(i).isEnabled()), 0)
            self.combo.setCurrentIndex(first)
        self._current_changed()

    def _current_changed(self) -> None:
        chosen = self.current()
        camera = chosen is not None and chosen[0] == CAMERA
        self.resolution.setEnabled(camera)
        self.loop.setEnabled(not camera)
        self.realtime.setEnabled(not camera)
        self.changed.emit()

    def _add_item(self, text: str, kind: str, value: object) -> None:
        self.combo.addItem(text)
        index = self.combo.count() - 1
        self.combo.setItemData(index, kind, _KIND)
        self.combo.setItemData(index, value, _VALUE)
        if kind in (FILE, NOTE):
            self.combo.setItemData(index, str(value), Qt.ToolTipRole)

    def _item(self, index: int):
        model = self.combo.model()
        assert isinstance(model, QStandardItemModel)
        return model.item(index)

    def shutdown(self) -> None:
        self._tasks.shutdown()


def _file_label(path: str) -> str:
    target = Path(path)
    return f"{'Folder' if target.is_dir() else 'Video'}: {target.name}"
