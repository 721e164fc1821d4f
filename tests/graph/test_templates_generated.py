"""The shipped templates are exactly what scripts/generate_templates.py produces."""

import importlib.util
from pathlib import Path

from cnnstudio.paths import TEMPLATES_DIR

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_templates.py"


def test_shipped_templates_are_up_to_date(tmp_path):
    spec = importlib.util.spec_from_file_location("generate_templates", SCRIPT)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.main(tmp_path)
    for generated in tmp_path.glob("*.cnn.json"):
        shipped = TEMPLATES_DIR / generated.name
        assert shipped.read_text() == generated.read_text(), f"run scripts/generate_templates.py ({generated.name})"
