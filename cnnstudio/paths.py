"""Where CNN Studio finds the data it ships (templates, sample images)."""

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
TEMPLATES_DIR = RESOURCES_DIR / "templates"
