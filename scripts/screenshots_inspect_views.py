"""Screenshots of the Grad-CAM, synthesis, fooling and embedding views in real states, for the docs.

    python scripts/screenshots_inspect_views.py [--out docs/screenshots]

or `render(out_dir)` from scripts/render_screenshots.py (needs a QApplication; offscreen is fine).

Each view is shown on its own at the size it gets in the Inspect tab's centre, with real models: the
pretrained EfficientNet-Lite0 on skimage's photograph of a cat, and LeNet-5 trained for a few seconds
on the bundled digits (in a temporary folder) for the embedding.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QPointF
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshot_support import pump, run_main, wait_until

from cnnstudio.ui.inspection.subject import InspectSubject
from cnnstudio.ui.inspection.view_base import InspectView
from cnnstudio.ui.style import apply_theme
from cnnstudio.ui.tasks import TaskRunner

VIEW_SIZE = (920, 780)  # about the Inspect tab's centre in a 1440×900 window
TIMEOUT_S = 300.0


def _subject(classifier, image, dataset=None) -> InspectSubject:
    from cnnstudio.viz.images import predict

    x = classifier.preprocessing.tensor(image)
    target = predict(classifier.module, x, classifier.classes, top=1)[0].index
    return InspectSubject(classifier, classifier.name, image, x, target, dataset)


def _grab(view: InspectView, path: Path) -> Path:
    pump(150)
    view.grab().save(str(path))
    return path


def render(out_dir: Path) -> list[Path]:
    """Render inspect-view-*.png into out_dir; returns the files written."""
    from skimage import data

    from cnnstudio.pretrained.resolve import load_classifier
    from cnnstudio.ui.inspection.attribution.adversarial_view import AdversarialView
    from cnnstudio.ui.inspection.attribution.attribution_view import AttributionView
    from cnnstudio.ui.inspection.data.embedding_view import EmbeddingView
    from cnnstudio.ui.inspection.synthesis.synthesis_view import SynthesisView

    apply_theme(QApplication.instance())
    out_dir.mkdir(parents=True, exist_ok=True)
    efficientnet = load_classifier("efficientnet_lite0")
    cat = _subject(efficientnet, data.chelsea())
    runner = TaskRunner("cnnstudio-inspect")
    written: list[Path] = []
    views: list[InspectView] = []
    try:

        def show(view_class: type[InspectView], subject: InspectSubject) -> InspectView:
            for earlier in views:  # one window at a time: the mouse goes to the one rendered
                earlier.hide()
            view = view_class(runner)
            views.append(view)
            view.resize(*VIEW_SIZE)
            view.show()
            view.set_subject(subject)
            return view

        attribution = show(AttributionView, cat)
        wait_until(lambda: attribution.result is not None and not runner.is_busy())
        written.append(_grab(attribution, out_dir / "inspect-view-gradcam.png"))

        fooling = show(AdversarialView, cat)
        wait_until(lambda: fooling.example is not None and not runner.is_busy())
        written.append(_grab(fooling, out_dir / "inspect-view-fooling.png"))

        synthesis = show(SynthesisView, cat)
        maximize = synthesis.maximize
        wait_until(lambda: maximize.layers is not None)
        maximize.class_box.set_class(efficientnet.classes.index("tabby"))
        maximize.start()
        wait_until(lambda: not runner.is_busy())
        written.append(_grab(synthesis, out_dir / "inspect-view-maximize.png"))
        synthesis.pages.setCurrentWidget(synthesis.gallery)
        synthesis.gallery.start()
        wait_until(lambda: not runner.is_busy())
        written.append(_grab(synthesis, out_dir / "inspect-view-gallery.png"))
        synthesis.pages.setCurrentWidget(synthesis.dream)
        synthesis.dream.start()
        wait_until(lambda: not runner.is_busy())
        written.append(_grab(synthesis, out_dir / "inspect-view-deepdream.png"))

        embedding = show(EmbeddingView, _trained_digits_subject())
        wait_until(lambda: embedding.embedding is not None and not runner.is_busy())
        embedding.method_box.setCurrentIndex(embedding.method_box.findData("tsne"))
        wait_until(lambda: embedding.embedding.method == "tsne" and not runner.is_busy())
        _point_at(embedding, 40)
        written.append(_grab(embedding, out_dir / "inspect-view-embedding.png"))
    finally:
        for view in views:
            view.shutdown()
            view.close()
        runner.shutdown()
    return written


def _point_at(view, index: int) -> None:
    """Move the mouse over a point of the embedding's scatter, as a user would."""

    def hover() -> bool:  # moved again on every poll: the plot may still be fitting its range to the points
        spot = view.points.points()[index]
        scene = view.plot.plotItem.vb.mapViewToScene(QPointF(spot.pos()))
        QTest.mouseMove(view.plot.viewport(), view.plot.mapFromScene(scene))
        return view.hovered_row is not None

    wait_until(hover, timeout=10.0)


def _trained_digits_subject() -> InspectSubject:
    """LeNet-5 trained briefly on the bundled digits, one of its validation images and the validation set."""
    from cnnstudio.data import load_data
    from cnnstudio.engine import TrainConfig, train
    from cnnstudio.graph.templates import load_template
    from cnnstudio.pretrained.resolve import load_classifier

    split = load_data("digits", input_shape=(1, 28, 28))
    with tempfile.TemporaryDirectory(prefix="cnnstudio-screenshots-") as run_dir:
        for _event in train(load_template("lenet5"), split, TrainConfig(epochs=6), run_dir):
            pass
        classifier = load_classifier(run_dir)
    return _subject(classifier, split.val.images[5, 0].numpy(), split.val)


def main(argv: list[str] | None = None) -> int:
    from cnnstudio.ui.app import create_application

    QApplication.instance() or create_application([])
    return run_main(render, __doc__.splitlines()[0], argv)


if __name__ == "__main__":
    sys.exit(main())
