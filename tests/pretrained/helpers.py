"""Real photographs as webcam frames, and the ImageNet classes that name them."""

import cv2
import numpy as np

CAT_CLASSES = {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat", "lynx"}
CUP_CLASSES = {"espresso", "cup", "coffee mug"}


def photo_frame(rgb: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A photo as a webcam would deliver it: BGR, width×height, filled (scaled to cover, centre-cropped)."""
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    height, width = bgr.shape[:2]
    scale = max(size[0] / width, size[1] / height)
    bgr = cv2.resize(bgr, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    top, left = (bgr.shape[0] - size[1]) // 2, (bgr.shape[1] - size[0]) // 2
    return np.ascontiguousarray(bgr[top : top + size[1], left : left + size[0]])
