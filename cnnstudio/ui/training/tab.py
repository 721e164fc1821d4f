"""The Training tab (being built: see its issue)."""

from __future__ import annotations

from cnnstudio.ui.tabs import StudioTab


class TrainingTab(StudioTab):
    title = "Training"
