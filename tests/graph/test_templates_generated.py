"""The shipped templates are exactly what scripts/generate_templates.py produces, and the parameter counts
that `cnnstudio templates` lists without torch are the torch analyzer's."""

import importlib.util
from pathlib import Path

import pytest

from cnnstudio.graph.templates import load_template, template_infos, template_learnables, template_names
from cnnstudio.paths import templates
from cnnstudio.pytorch import analyze

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "generate_templates.py"


def test_shipped_templates_are_up_to_date(tmp_path):
    spec = importlib.util.spec_from_file_location("generate_templates", SCRIPT)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.main(tmp_path)
    generated = sorted(path.name for path in tmp_path.iterdir())
    assert generated == sorted(item.name for item in templates().iterdir())
    for name in generated:
        shipped = (templates() / name).read_text(encoding="utf-8")
        assert shipped == (tmp_path / name).read_text(encoding="utf-8"), f"run scripts/generate_templates.py ({name})"


@pytest.mark.parametrize("name", template_names())
def test_stored_learnables_are_the_analyzers(name):
    assert template_learnables()[name] == analyze(load_template(name)).total_params


def test_every_template_has_a_learnables_count():
    assert set(template_learnables()) == set(template_names())
    assert {info.name: info.learnables for info in template_infos()} == template_learnables()
