"""Teach from the camera: record frames of two classes from a video, train a new head on EfficientNet-
Lite0's frozen features, and classify new frames through the Webcam tab's pipeline."""

import numpy as np
import torch

from cnnstudio.camera import (
    FrameLoop,
    FrameResult,
    LatestFrameGrabber,
    SampleRecorder,
    open_source,
)
from cnnstudio.pretrained import load_classifier, save_classifier, teach_classifier
from tests.camera.helpers import shape_scene, write_video

PER_CLASS = 8


def test_a_classifier_taught_from_recorded_frames_separates_the_two_classes(tmp_path, lite0, photos):
    rng = np.random.default_rng(0)
    kinds = ["circle"] * PER_CLASS + ["square"] * PER_CLASS  # the user shows circles, then squares
    lesson = write_video(tmp_path / "lesson.avi", [shape_scene(kind, rng, photos["rocket"]) for kind in kinds])

    recorder = SampleRecorder(tmp_path / "samples")
    with LatestFrameGrabber(open_source(str(lesson))) as grabber:
        last = -1
        while (frame := grabber.next_frame(after=last, timeout=10)) is not None:
            recorder.record(kinds[frame.index], frame.image)  # the class button held for this frame
            last = frame.index
    assert recorder.counts() == {"circle": PER_CLASS, "square": PER_CLASS}

    result = teach_classifier(recorder.root, lite0, seed=0)
    taught = result.classifier
    assert taught.classes == ["circle", "square"] and result.val_size > 0
    assert result.train_accuracy == 1.0 and result.val_accuracy == 1.0
    assert taught.mean == lite0.mean and taught.preprocessing.crop_fraction == 1.0  # fitted like the training images
    assert lite0.graph.nodes["fc"].params["out_features"] == 1000  # the base network is left as it was

    test_rng = np.random.default_rng(1)
    truth = ["circle", "square"] * 3  # new scenes, never seen in training
    quiz = write_video(tmp_path / "quiz.avi", [shape_scene(kind, test_rng, photos["rocket"]) for kind in truth])
    with LatestFrameGrabber(open_source(str(quiz))) as grabber:
        items = list(FrameLoop(taught, top_k=2).run(grabber))
    results = [item for item in items if isinstance(item, FrameResult)]
    assert [r.top[0].label for r in results] == truth

    path = tmp_path / "taught.cnn.json"
    save_classifier(taught, path)
    reloaded = load_classifier(str(path))
    x = taught.preprocessing.frame_tensor(results[0].frame.image)
    assert reloaded.classes == taught.classes and torch.allclose(reloaded.predict(x), taught.predict(x), atol=1e-6)
