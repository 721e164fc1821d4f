"""Frame sources: video files, folders of images, cameras, and what each says when it cannot deliver."""

import cv2
import numpy as np
import pytest

from cnnstudio.camera import (
    CameraSource,
    ImageFolderSource,
    SourceEnded,
    SourceError,
    VideoFileSource,
    open_source,
)
from tests.camera.helpers import FRAMES_PER_PHOTO


def read_all(source):
    frames = []
    source.open()
    try:
        while True:
            frames.append(source.read())
    except SourceEnded as end:
        return frames, str(end)
    finally:
        source.close()


def test_a_video_delivers_every_frame_then_ends(photo_video, photos):
    frames, message = read_all(VideoFileSource(photo_video))
    assert len(frames) == 2 * FRAMES_PER_PHOTO and frames[0].shape == (480, 640, 3)
    assert np.abs(frames[0].astype(int) - photos["cat"]).mean() < 4  # MJPG is lossy, but it is the cat
    assert message == f"the video {photo_video.name} ended after {2 * FRAMES_PER_PHOTO} frames"


def test_a_looping_video_starts_again(photo_video):
    source = VideoFileSource(photo_video, loop=True)
    source.open()
    frames = [source.read() for _ in range(3 * FRAMES_PER_PHOTO)]
    source.close()
    assert np.array_equal(frames[0], frames[2 * FRAMES_PER_PHOTO])


def test_a_realtime_video_is_paced_at_its_frame_rate(photo_video):
    source = VideoFileSource(photo_video, realtime=True)
    source.open()
    assert source.live and source.frame_interval == pytest.approx(1 / 30)
    source.close()
    assert not VideoFileSource(photo_video).live


def test_videos_that_cannot_be_read_are_explained(tmp_path):
    with pytest.raises(SourceError, match="no such video file"):
        VideoFileSource(tmp_path / "missing.avi").open()
    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(b"RIFF this is not a video at all" * 10)
    with pytest.raises(SourceError, match="cannot be read as a video|no frame OpenCV can decode"):
        read_all(VideoFileSource(garbage))


def test_a_folder_shows_its_images_in_name_order_and_skips_what_it_cannot_read(tmp_path):
    for index, name in enumerate(["b.png", "a.jpg", "sub/c.png"]):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        cv2.imwrite(str(tmp_path / name), np.full((8, 8, 3), 50 * (index + 1), np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"nope")
    (tmp_path / ".hidden.png").write_bytes(b"ignored")
    (tmp_path / "notes.txt").write_text("ignored")
    source = ImageFolderSource(tmp_path)
    frames, message = read_all(source)
    assert [int(frame[0, 0, 0]) for frame in frames] == [100, 50, 150]  # a.jpg, b.png, sub/c.png
    assert len(source.skipped) == 1 and "broken.jpg" in source.skipped[0]
    assert message == f"all 3 images of {tmp_path.name} were shown"


def test_folders_without_usable_images_are_explained(tmp_path):
    with pytest.raises(SourceError, match="holds no images"):
        ImageFolderSource(tmp_path).open()
    (tmp_path / "broken.png").write_bytes(b"nope")
    with pytest.raises(SourceError, match="none of the 1 images"):
        read_all(ImageFolderSource(tmp_path))


def test_a_missing_camera_is_explained():
    source = CameraSource(63)
    with pytest.raises(SourceError, match="camera 63 cannot be opened: it is not connected, or another program"):
        source.open()
    source.close()


def test_open_source_picks_the_kind_of_source(tmp_path, photo_video):
    cv2.imwrite(str(tmp_path / "one.png"), np.zeros((8, 8, 3), np.uint8))
    assert isinstance(open_source(0), CameraSource) and open_source(" 2 ").index == 2
    assert open_source("1", resolution=(1280, 720)).resolution == (1280, 720)
    assert isinstance(open_source(str(photo_video)), VideoFileSource)
    assert isinstance(open_source(str(tmp_path)), ImageFolderSource)
    single = open_source(str(tmp_path / "one.png"))
    assert isinstance(single, ImageFolderSource) and len(read_all(single)[0]) == 1
    assert open_source(str(photo_video), realtime=True).live
    with pytest.raises(SourceError, match="not a camera number, a video file or a folder"):
        open_source(str(tmp_path / "nothing-here"))
