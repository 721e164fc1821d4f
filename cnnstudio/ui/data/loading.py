"""One load of the Data tab as a plain function (run in a background thread): the split fitted to the
design's input, and the shape the images have before fitting, which the fit notice compares with
the design's input."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnstudio.data import DataSplit, load_data
from cnnstudio.data.decode import ImageHeader, map_files, read_header
from cnnstudio.data.folder import scan_folder
from cnnstudio.progress import Progress
from cnnstudio.ui.data.sources import SIZE_OPTION, Source

SEED = 0


@dataclass(frozen=True)
class LoadRequest:
    """What to load. input_shape: the design's input (C, H, W), None to keep the data's own size."""

    source: Source
    values: dict[str, int | float]
    input_shape: tuple[int, int, int] | None
    val_fraction: float
    root: Path

    @property
    def spec(self) -> str:
        return self.source.spec(self.values)


@dataclass(frozen=True)
class LoadResult:
    """A finished load. native_shape: (C, H, W) of the images as the source provides them (for a
    folder of mixed sizes, or a generated set drawn at the network's size, H×W is the input's)."""

    request: LoadRequest
    split: DataSplit
    native_shape: tuple[int, int, int]


def run_load(request: LoadRequest, progress: Progress) -> LoadResult:
    """Load and fit the data (raises DataError with a message for the user)."""
    split = load_data(
        request.spec,
        request.input_shape,
        val_fraction=request.val_fraction,
        seed=SEED,
        root=request.root,
        progress=progress,
    )
    return LoadResult(request, split, native_shape(request, split, progress))


def native_shape(request: LoadRequest, split: DataSplit, progress: Progress) -> tuple[int, int, int]:
    """The images' own (C, H, W): from the catalog, the generator's size option, or a folder's headers."""
    fitted = split.image_shape
    info = request.source.info
    if info is None:
        return _folder_shape(Path(request.spec), fitted, progress)
    if any(option.name == SIZE_OPTION for option in info.options):
        size = request.values.get(SIZE_OPTION)  # without one, the images are drawn at the fitted size
        height, width = (int(size), int(size)) if size else fitted[1:]
        return info.native_shape[0], height, width
    return info.native_shape


def _folder_shape(folder: Path, fitted: tuple[int, int, int], progress: Progress) -> tuple[int, int, int]:
    """Grayscale only if every image is; the common size if all share one, else the fitted size."""
    _, class_files, _ = scan_folder(folder)
    paths = [path for files in class_files for path in files]
    headers = [
        header
        for header in map_files(lambda _, path: read_header(path), paths, progress, "Reading image sizes")
        if isinstance(header, ImageHeader)
    ]
    if not headers:
        return fitted
    channels = 1 if all(header.grayscale for header in headers) else 3
    sizes = {(header.height, header.width) for header in headers}
    height, width = sizes.pop() if len(sizes) == 1 else fitted[1:]
    return channels, height, width
