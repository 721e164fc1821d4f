import json

import pytest

from cnnstudio.engine.events import (
    BatchMetrics,
    CheckpointWritten,
    EpochSummary,
    Error,
    Finished,
    Paused,
    Started,
    event_from_dict,
    to_dict,
    to_json,
)

EXAMPLES = [
    Started("run", "cpu", "fp32", 3, 0, 10, 32, 320, 80, ["a", "b"], 100, 90, 1, ["note"]),
    BatchMetrics(1, 5, 10, 5, 0.5, 0.75, 1e-3, 1000.0, 1.5, 4.0),
    EpochSummary(1, 3, 0.5, 0.8, 0.4, 0.85, 1e-3, 900.0, 2.0, 2.0, 4.0, True),
    EpochSummary(1, 3, 0.5, 0.8, None, None, 1e-3, 900.0, 2.0, 2.0, 4.0, False),
    CheckpointWritten("best", "run/best", 1, 10),
    Paused(True, 2, 13),
    Finished("completed", 3, 30, 2, 0.3, 0.9, 6.0, "run"),
    Error("non_finite", "diverged", "lower the learning rate"),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda event: event.kind)
def test_every_event_survives_a_json_line(event):
    line = to_json(event)
    assert "\n" not in line
    assert event_from_dict(json.loads(line)) == event
    assert to_dict(event)["event"] == event.kind


def test_non_finite_numbers_become_null_so_lines_stay_standard_json():
    line = to_json(BatchMetrics(1, 1, 1, 1, float("nan"), 0.0, 0.1, float("inf"), 0.0, 0.0))
    parsed = json.loads(line, parse_constant=lambda name: pytest.fail(f"non-standard {name}"))
    assert parsed["loss"] is None and parsed["images_per_s"] is None


def test_unknown_messages_are_refused():
    with pytest.raises(ValueError, match="not a training event"):
        event_from_dict({"event": "teleport"})
