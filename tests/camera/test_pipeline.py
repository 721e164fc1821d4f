"""The classification pipeline the Webcam tab uses: a real video in, the right names out, frame by frame."""

import threading

import pytest

from cnnstudio.camera import (
    ENDED,
    FAILED,
    ClassificationPipeline,
    FrameResult,
    LatestFrameGrabber,
    SourceStatus,
    open_source,
)
from tests.camera.helpers import FRAMES_PER_PHOTO, write_video
from tests.pretrained.helpers import CAT_CLASSES, CUP_CLASSES


def classify(pipeline, spec, **kwargs):
    with LatestFrameGrabber(open_source(spec)) as grabber:
        items = list(pipeline.run(grabber, **kwargs))
    return [i for i in items if isinstance(i, FrameResult)], [i for i in items if isinstance(i, SourceStatus)]


def test_efficientnet_lite0_names_the_cat_and_the_coffee_frame_by_frame(lite0, photo_video):
    results, statuses = classify(ClassificationPipeline(lite0, top_k=5), str(photo_video))
    assert [r.frame.index for r in results] == list(range(2 * FRAMES_PER_PHOTO))
    for result in results[:FRAMES_PER_PHOTO]:
        labels = [p.label for p in result.top]
        assert labels[0] in CAT_CLASSES and len(CAT_CLASSES & set(labels)) >= 3, labels
    for result in results[FRAMES_PER_PHOTO:]:
        labels = [p.label for p in result.top]
        assert labels[0] == "espresso" and result.top[0].prob > 0.5 and CUP_CLASSES - {"espresso"} & set(labels), labels
    assert all(r.frame_age <= 1 and r.latency_ms > 0 for r in results)  # never more than one frame behind
    assert results[-1].fps > 0 and all(abs(sum(r.probabilities.tolist()) - 1) < 1e-4 for r in results)
    assert statuses[0].state == "running" and statuses[-1].state == ENDED


def test_results_serialize_as_the_command_line_prints_them(lite0, photo_video):
    results, _ = classify(ClassificationPipeline(lite0, top_k=2), str(photo_video), max_frames=2)
    line = results[1].to_json()
    assert set(line) == {"frame", "top", "fps", "latency_ms"} and line["frame"] == 1
    assert [set(entry) for entry in line["top"]] == [{"label", "prob"}] * 2


def test_smoothing_steadies_the_label_over_frames(lite0, photo_video):
    frames = FRAMES_PER_PHOTO + 1  # the cats and the first coffee frame
    plain, _ = classify(ClassificationPipeline(lite0, top_k=1), str(photo_video), max_frames=frames)
    steady, _ = classify(ClassificationPipeline(lite0, top_k=1, smoothing=0.9), str(photo_video), max_frames=frames)
    first_coffee = FRAMES_PER_PHOTO
    assert plain[first_coffee].top[0].label == "espresso"
    assert steady[first_coffee].top[0].label in CAT_CLASSES  # one coffee frame does not outweigh the cats
    assert steady[0].top[0].prob == pytest.approx(plain[0].top[0].prob)  # no history yet: unchanged


def test_a_failing_or_ending_source_is_reported_and_the_pipeline_stays_usable(lite0, photo_video, photos, tmp_path):
    pipeline = ClassificationPipeline(lite0, top_k=1)
    short = write_video(tmp_path / "short.avi", [photos["coffee"]] * 2)
    results, statuses = classify(pipeline, str(short))
    assert len(results) == 2 and statuses[-1].state == ENDED and statuses[-1].message.endswith("ended after 2 frames")
    broken = tmp_path / "broken.avi"
    broken.write_bytes(b"definitely not a video")
    results, statuses = classify(pipeline, str(broken))
    assert results == [] and statuses[-1].state == FAILED and statuses[-1].final
    results, _ = classify(pipeline, str(photo_video), max_frames=3)
    assert [r.frame.index for r in results] == [0, 1, 2] and results[0].top[0].label in CAT_CLASSES


def test_a_stop_request_ends_the_run(lite0, photo_video):
    stop = threading.Event()
    pipeline = ClassificationPipeline(lite0, top_k=1)
    with LatestFrameGrabber(open_source(str(photo_video), loop=True)) as grabber:
        produced = 0
        for item in pipeline.run(grabber, stop=stop):
            if isinstance(item, FrameResult):
                produced += 1
                stop.set()
    assert produced == 1


def test_pipeline_options_are_checked(lite0):
    with pytest.raises(ValueError, match="top_k"):
        ClassificationPipeline(lite0, top_k=0)
    with pytest.raises(ValueError, match="smoothing"):
        ClassificationPipeline(lite0, smoothing=1.0)
