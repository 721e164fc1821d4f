"""The Webcam tab."""
