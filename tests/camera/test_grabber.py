"""LatestFrameGrabber: only the newest frame, every frame of a file, and recovery when a source fails."""

import itertools
import time

import numpy as np

from cnnstudio.camera import (
    ENDED,
    FAILED,
    LOST,
    RUNNING,
    STALLED,
    STOPPED,
    CameraSource,
    LatestFrameGrabber,
    VideoFileSource,
)
from tests.camera.helpers import FRAMES_PER_PHOTO, ScriptedSource


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.01)


def take_all(grabber, timeout=10.0):
    frames, last = [], -1
    while (frame := grabber.next_frame(after=last, timeout=timeout)) is not None:
        frames.append(frame)
        last = frame.index
    return frames


def test_a_video_file_hands_over_every_frame_once_in_order(photo_video):
    reference = VideoFileSource(photo_video)
    reference.open()
    expected = [reference.read() for _ in range(2 * FRAMES_PER_PHOTO)]
    reference.close()
    with LatestFrameGrabber(VideoFileSource(photo_video)) as grabber:
        frames = take_all(grabber)
        status = grabber.status()
    assert [frame.index for frame in frames] == list(range(2 * FRAMES_PER_PHOTO))
    assert all(np.array_equal(frame.image, image) for frame, image in zip(frames, expected, strict=True))
    assert all(a.timestamp <= b.timestamp for a, b in itertools.pairwise(frames))
    assert status.state == ENDED and status.final and status.frames == 2 * FRAMES_PER_PHOTO
    assert status.resolution == (640, 480)


def test_a_slow_consumer_of_a_live_source_always_gets_the_newest_frame():
    with LatestFrameGrabber(ScriptedSource(frame_interval=0.002)) as grabber:
        taken, last = [], -1
        for _ in range(5):
            wait_until(lambda after=last: grabber.newest_index >= after + 3)  # a slow model: frames arrive meanwhile
            newest = grabber.newest_index
            frame = grabber.next_frame(after=last, timeout=5)
            assert frame.index >= newest  # never an older frame than the newest already captured
            taken.append(frame.index)
            last = frame.index
        assert grabber.status().state == RUNNING and grabber.status().fps > 0
    assert all(later > earlier + 1 for earlier, later in itertools.pairwise(taken))  # stale frames were dropped


def test_mirroring_flips_frames_horizontally():
    with LatestFrameGrabber(ScriptedSource(), mirror=True) as grabber:
        frame = grabber.next_frame(timeout=5)
    assert tuple(frame.image[0, -1]) == (1, 2, 3) and tuple(frame.image[0, 0]) != (1, 2, 3)


def test_an_unplugged_camera_is_reported_and_picked_up_again():
    reports = []
    source = ScriptedSource(live=False, fail_after=3)  # hands over every frame: the numbering is visible
    with LatestFrameGrabber(source, retry_interval=0.02, on_status=reports.append) as grabber:
        frames = [grabber.next_frame(after=index - 1, timeout=5) for index in range(6)]
    states = [status.state for status in reports]
    assert states[:3] == [RUNNING, LOST, RUNNING] and states[-1] == STOPPED
    lost = reports[1]
    assert lost.retrying and not lost.final and lost.message == "scripted camera was unplugged"
    assert lost.display.endswith("(trying again)")
    assert [frame.index for frame in frames] == list(range(6)) and source.opens == 2  # numbering continues


def test_a_missing_camera_is_tried_again_until_it_appears():
    source = ScriptedSource(fail_opens=2)
    reports = []
    with LatestFrameGrabber(source, retry_interval=0.02, on_status=reports.append) as grabber:
        assert grabber.next_frame(timeout=5) is not None
    assert reports[0].state == FAILED and reports[0].retrying and reports[0].is_error
    assert reports[1].state == RUNNING and source.opens == 3


def test_a_source_that_cannot_be_reopened_fails_for_good():
    with LatestFrameGrabber(ScriptedSource(reconnects=False, fail_opens=1)) as grabber:
        assert grabber.next_frame(timeout=10) is None  # returns as soon as nothing more can come
        status = grabber.status()
    assert status.state == FAILED and status.final and not status.retrying


def test_a_source_that_stops_delivering_is_reported_as_stalled():
    source = ScriptedSource(frame_interval=0.01)
    with LatestFrameGrabber(source, stall_timeout=0.2) as grabber:
        grabber.next_frame(timeout=5)
        source.frozen.set()
        wait_until(lambda: grabber.status().state == STALLED)
        stalled = grabber.status()
        assert stalled.is_error and "no frame from scripted camera" in stalled.message
        source.frozen.clear()
        source.released.set()
        wait_until(lambda: grabber.status().state == RUNNING)


def test_stopping_ends_the_thread_even_while_it_waits_for_the_next_frame():
    grabber = LatestFrameGrabber(ScriptedSource(frame_interval=30.0)).start()
    assert grabber.next_frame(timeout=5) is not None
    grabber.stop()
    assert not grabber.running and grabber.status().state == STOPPED


def test_a_real_missing_camera_is_reported():
    with LatestFrameGrabber(CameraSource(63), retry_interval=0.05) as grabber:
        wait_until(lambda: grabber.status().state == FAILED)
        status = grabber.status()
    assert status.retrying and "camera 63 cannot be opened" in status.message


def test_a_file_waiting_for_a_slow_consumer_is_not_stalled(photo_video):
    with LatestFrameGrabber(VideoFileSource(photo_video), stall_timeout=0.05) as grabber:
        grabber.next_frame(timeout=5)
        wait_until(lambda: grabber.newest_index == 1)  # the next frame is decoded and waits to be taken
        time.sleep(0.1)  # the consumer is busy longer than the stall timeout
        assert grabber.status().state == RUNNING
