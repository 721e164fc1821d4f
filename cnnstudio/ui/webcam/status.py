"""What the Webcam tab says about its source: the grabber's status in words, with what to do next."""

from __future__ import annotations

from cnnstudio.camera.frames import (
    ENDED,
    OPENING,
    RUNNING,
    STALLED,
    STOPPED,
    SourceStatus,
)


def describe(status: SourceStatus) -> tuple[str, bool]:
    """(message, is_error) for a source status."""
    if status.state == RUNNING:
        return status.message, False
    if status.state == OPENING:
        return f"{status.message[:1].upper()}{status.message[1:]}…", False
    if status.state == ENDED:
        return f"{_sentence(status.message)} Press Start to play it again, or tick “Loop files”.", False
    if status.state == STOPPED:
        return "Stopped. Press Start to go on.", False
    if status.state == STALLED:
        return (
            f"{_sentence(status.message)} Is the camera covered, or busy in another program? The view goes on "
            "as soon as frames arrive."
        ), True
    if status.retrying:
        return (
            f"{_sentence(status.message)} Plug the camera in, or close the program using it: the view comes "
            "back by itself."
        ), True
    return f"{_sentence(status.message)} Choose another source and press Start.", True


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."
