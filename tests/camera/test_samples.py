"""Recording frames into an image-folder dataset: one folder per class, atomic writes, counts, deletion."""

import numpy as np
import pytest

from cnnstudio.camera import SampleError, SampleRecorder
from cnnstudio.data import load_data


def frame(value: int) -> np.ndarray:
    image = np.zeros((48, 64, 3), np.uint8)
    image[:, :, 2] = value
    return image


def test_recorded_frames_form_a_dataset_the_data_layer_reads(tmp_path):
    recorder = SampleRecorder(tmp_path / "samples")
    for _ in range(3):
        recorder.record("red", frame(250))
        recorder.record("dark", frame(10))
    assert recorder.counts() == {"dark": 3, "red": 3} and recorder.classes() == ["dark", "red"]
    assert [p.name for p in recorder.samples("red")] == ["0000.jpg", "0001.jpg", "0002.jpg"]
    assert not [p for p in (tmp_path / "samples").rglob(".*")]  # no temporary files left behind
    split = load_data(str(tmp_path / "samples"), input_shape=(3, 16, 16), val_fraction=0.0)
    assert split.classes == ["dark", "red"] and len(split.train) == 6
    red = split.train.images[split.train.labels == 1]
    assert red[:, 0].float().mean() > 240  # channel 0 is red: BGR frames were stored as real colours


def test_deleting_a_sample_and_numbering_after_it(tmp_path):
    recorder = SampleRecorder(tmp_path)
    first, second = recorder.record("a", frame(1)), recorder.record("a", frame(2))
    recorder.delete(first)
    assert recorder.samples("a") == [second] and recorder.counts() == {"a": 1}
    assert recorder.record("a", frame(3)).name == "0002.jpg"  # never reuses a number still in use
    with pytest.raises(SampleError, match="is not a sample"):
        recorder.delete(tmp_path / "elsewhere.jpg")


def test_existing_samples_are_kept_and_empty_classes_count_zero(tmp_path):
    SampleRecorder(tmp_path).record("cat", frame(5))
    recorder = SampleRecorder(tmp_path)
    recorder.add_class(" dog ")
    assert recorder.counts() == {"cat": 1, "dog": 0} and recorder.samples("fish") == []


@pytest.mark.parametrize("name", ["", "  ", ".hidden", "..", "a/b", "a\\b", "what?", "tab\there"])
def test_class_names_that_cannot_be_folders_are_refused(tmp_path, name):
    with pytest.raises(SampleError, match="cannot name a class"):
        SampleRecorder(tmp_path).record(name, frame(0))
