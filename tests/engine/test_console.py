import io

from cnnstudio.engine.console import ProgressBar, duration, epoch_text
from cnnstudio.engine.events import BatchMetrics, EpochSummary


def test_durations_read_like_a_clock():
    assert duration(42) == "0:42" and duration(3725) == "1:02:05" and duration(-3) == "0:00"


def test_the_progress_bar_redraws_one_line_and_clears_it():
    stream = io.StringIO()
    bar = ProgressBar(stream)
    bar.update(BatchMetrics(2, 30, 60, 90, 0.25, 0.9, 1e-3, 12345.0, 10.0, 75.0), epochs=5)
    line = stream.getvalue()
    assert line.startswith("\repoch 2/5 [") and "30/60" in line and "12,345 img/s" in line and "ETA 1:15" in line
    assert "\n" not in line
    bar.clear()
    assert stream.getvalue().endswith("\r") and not bar.shown


def test_epoch_lines_show_validation_only_when_there_is_some():
    with_val = EpochSummary(3, 10, 0.5, 0.8, 0.4, 0.85, 1e-3, 900.0, 2.0, 6.0, 14.0, True)
    without = EpochSummary(3, 10, 0.5, 0.8, None, None, 1e-3, 900.0, 2.0, 6.0, 14.0, False)
    assert "val loss 0.4000 acc 85.00%" in epoch_text(with_val) and epoch_text(with_val).endswith("*best")
    assert "val" not in epoch_text(without)
