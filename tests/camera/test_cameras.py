"""Listing cameras: only what opens and delivers a frame, within the time limit."""

import sys
from pathlib import Path

from cnnstudio.camera import CameraInfo, list_cameras
from cnnstudio.camera.cameras import candidate_indices


def test_listing_returns_the_cameras_that_deliver_frames():
    cameras = list_cameras(timeout=2.0)
    assert all(camera.width > 0 and camera.height > 0 for camera in cameras)
    assert [camera.index for camera in cameras] == sorted(camera.index for camera in cameras)
    assert {camera.index for camera in cameras} <= set(candidate_indices())


def test_on_linux_only_video_devices_are_probed():
    if sys.platform.startswith("linux"):
        devices = {int(p.name[5:]) for p in Path("/dev").glob("video*") if p.name[5:].isdigit()}
        assert set(candidate_indices(max_index=64)) == devices
    else:
        assert candidate_indices(max_index=3) == [0, 1, 2]


def test_a_camera_is_labelled_for_a_source_menu():
    assert CameraInfo(1, 1280, 720).label == "Camera 1 (1280×720)"
