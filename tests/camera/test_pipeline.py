"""The one frame loop (`cnnstudio classify` and the Webcam tab): a real video in, the right names out, frame by
frame; models swapped between frames, no model, extras beside the classes, problems reported."""

import threading

import numpy as np
import pytest
import torch

from cnnstudio.camera import (
    ENDED,
    FAILED,
    FrameExtras,
    FrameLoop,
    FrameProblem,
    FrameResult,
    LatestFrameGrabber,
    SourceStatus,
    open_source,
)
from cnnstudio.data.pipeline import Preprocessing
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained import Classifier, classifier_from_design
from tests.camera.helpers import FRAMES_PER_PHOTO, ScriptedSource, write_video
from tests.pretrained.helpers import CAT_CLASSES, CUP_CLASSES


def classify(pipeline, spec, **kwargs):
    with LatestFrameGrabber(open_source(spec)) as grabber:
        items = list(pipeline.run(grabber, **kwargs))
    return [i for i in items if isinstance(i, FrameResult)], [i for i in items if isinstance(i, SourceStatus)]


def test_efficientnet_lite0_names_the_cat_and_the_coffee_frame_by_frame(lite0, photo_video):
    results, statuses = classify(FrameLoop(lite0, top_k=5), str(photo_video))
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
    results, _ = classify(FrameLoop(lite0, top_k=2), str(photo_video), max_frames=2)
    line = results[1].to_json()
    assert set(line) == {"frame", "top", "fps", "latency_ms"} and line["frame"] == 1
    assert [set(entry) for entry in line["top"]] == [{"label", "prob"}] * 2


def test_smoothing_steadies_the_label_over_frames(lite0, photo_video):
    frames = FRAMES_PER_PHOTO + 1  # the cats and the first coffee frame
    plain, _ = classify(FrameLoop(lite0, top_k=1), str(photo_video), max_frames=frames)
    steady, _ = classify(FrameLoop(lite0, top_k=1, smoothing=0.9), str(photo_video), max_frames=frames)
    first_coffee = FRAMES_PER_PHOTO
    assert plain[first_coffee].top[0].label == "espresso"
    assert steady[first_coffee].top[0].label in CAT_CLASSES  # one coffee frame does not outweigh the cats
    assert steady[0].top[0].prob == pytest.approx(plain[0].top[0].prob)  # no history yet: unchanged


def test_a_failing_or_ending_source_is_reported_and_the_pipeline_stays_usable(lite0, photo_video, photos, tmp_path):
    pipeline = FrameLoop(lite0, top_k=1)
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
    pipeline = FrameLoop(lite0, top_k=1)
    with LatestFrameGrabber(open_source(str(photo_video), loop=True)) as grabber:
        produced = 0
        for item in pipeline.run(grabber, stop=stop):
            if isinstance(item, FrameResult):
                produced += 1
                stop.set()
    assert produced == 1


def test_loop_options_are_checked(lite0):
    with pytest.raises(ValueError, match="top_k"):
        FrameLoop(lite0, top_k=0)
    with pytest.raises(ValueError, match="smoothing"):
        FrameLoop(lite0, smoothing=1.0)


def lenet(classes):
    return classifier_from_design(load_template("lenet5"), classes=classes)


def frames_of(source, loop, **kwargs):
    """Run `loop` over `source` with a grabber; the events."""
    with LatestFrameGrabber(source) as grabber:
        return list(loop.run(grabber, **kwargs))


def test_the_model_can_be_swapped_between_frames_and_its_state_starts_afresh():
    digits, letters = lenet([str(d) for d in range(10)]), lenet(list("abcdefghij"))
    loop = FrameLoop(digits, top_k=3, smoothing=0.5)
    seen = []
    with LatestFrameGrabber(ScriptedSource(live=False, limit=6)) as grabber:
        for event in loop.run(grabber):
            if isinstance(event, FrameResult):
                seen.append(event)
                if len(seen) == 3:
                    loop.set_model(letters)  # takes effect from the next frame on
    assert [r.frame.index for r in seen] == list(range(6))
    assert [r.model for r in seen] == [digits] * 3 + [letters] * 3
    assert seen[0].top[0].label.isdigit() and seen[3].top[0].label.isalpha()
    assert loop.is_current(letters) and not loop.is_current(digits)
    assert seen[3].fps == 0.0 and seen[4].fps > 0  # the rate (and the smoothing) start again with the model
    assert all(isinstance(r.probabilities, np.ndarray) and r.probabilities.shape == (10,) for r in seen)


def test_without_a_model_the_loop_takes_every_frame_and_classifies_none():
    source = ScriptedSource(live=False, limit=5)
    events = frames_of(source, FrameLoop())
    assert source.delivered == 5 and all(isinstance(event, SourceStatus) for event in events)
    assert events[-1].state == ENDED


def test_extras_run_beside_the_classification_at_their_own_rate():
    calls = []

    def extras(model, image, target):
        calls.append((image.shape, target))
        return f"extras for class {target}"

    model = lenet([str(d) for d in range(10)])
    loop = FrameLoop(model, extras_interval=0.0)
    loop.set_model(model, extras)
    events = frames_of(ScriptedSource(live=False, limit=3), loop)
    results = [e for e in events if isinstance(e, FrameResult)]
    extra = [e for e in events if isinstance(e, FrameExtras)]
    assert [e.frame_index for e in extra] == [0, 1, 2] and all(e.model is model for e in extra)
    assert [e.value for e in extra] == [f"extras for class {r.top[0].index}" for r in results]
    assert calls[0] == ((4, 6, 3), results[0].top[0].index)

    loop.extras_interval = 60.0  # slower than the frames: only the first one gets extras
    assert len([e for e in frames_of(ScriptedSource(live=False, limit=3), loop) if isinstance(e, FrameExtras)]) == 1
    loop.set_extras(None)
    assert not [e for e in frames_of(ScriptedSource(live=False, limit=3), loop) if isinstance(e, FrameExtras)]


class Broken(torch.nn.Module):
    def forward(self, x):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")


def test_a_model_that_cannot_classify_or_whose_extras_fail_is_reported_and_the_loop_goes_on():
    broken = Classifier(Broken(), ["a", "b"], Preprocessing((3, 8, 8), (0.0,), (1.0,)), "broken net")
    events = frames_of(ScriptedSource(live=False, limit=2), FrameLoop(broken))
    problems = [e for e in events if isinstance(e, FrameProblem)]
    assert [p.frame_index for p in problems] == [0, 1]
    assert [e.state for e in events if isinstance(e, SourceStatus)][-1] == ENDED
    assert problems[0].message == "broken net cannot classify these frames: mat1 and mat2 shapes cannot be multiplied"

    def failing(model, image, target):
        raise ValueError("no such layer")

    model = lenet([str(d) for d in range(10)])
    loop = FrameLoop(model, extras=failing, extras_interval=0.0)
    events = frames_of(ScriptedSource(live=False, limit=2), loop)
    assert [e.message for e in events if isinstance(e, FrameProblem)] == [f"{model.name}: no such layer"] * 2
    assert len([e for e in events if isinstance(e, FrameResult)]) == 2
