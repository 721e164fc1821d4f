"""The Webcam tab: live classification of a camera, video file or image folder, live feature maps and
Grad-CAM, and teaching a new classifier from recorded frames."""
