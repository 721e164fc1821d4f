"""The static checks of .ci/checks (ruff, import-linter, mypy, deptry) are part of the suite, so that
`python -m pytest` — the README's test command and CI's — fails on a style, layering, typing or undeclared
dependency violation; and the architecture contracts cannot be weakened unnoticed: every module of the
package sits in a layer, and the Qt, no-torch-in-the-UI, pure-Python and no-cycle rules cover what they must."""

import shutil
import subprocess
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11")

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ("ruff", "lint-imports", "mypy", "deptry")


def test_the_static_checks_pass():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not installed: pip install -e '.[test]'")
    result = subprocess.run(
        [ROOT / ".ci" / "checks"], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f".ci/checks failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"


def top_level_modules() -> set[str]:
    """cnnstudio's subpackages and top-level modules, as import-linter names them."""
    package = ROOT / "cnnstudio"
    names = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    names |= {path.parent.name for path in package.glob("*/__init__.py")}
    return {f"cnnstudio.{name}" for name in names}


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    by_type: dict[str, list[dict]] = {}
    for contract in config["contracts"]:
        by_type.setdefault(contract["type"], []).append(contract)
    return by_type


def test_every_module_of_the_package_sits_in_a_layer():
    (layers,) = contracts()["layers"]
    placed = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    modules = top_level_modules()
    assert placed == modules, f"in no layer: {sorted(modules - placed)}; no such module: {sorted(placed - modules)}"


def test_qt_is_forbidden_everywhere_but_the_ui_and_the_launcher():
    rules = [rule for rule in contracts()["forbidden"] if "PySide6" in rule["forbidden_modules"]]
    assert len(rules) == 1 and {"PySide6", "shiboken6", "pyqtgraph"} <= set(rules[0]["forbidden_modules"])
    assert set(rules[0]["source_modules"]) == top_level_modules() - {"cnnstudio.ui", "cnnstudio.__main__"}


def test_the_network_model_is_pure_python_and_nothing_is_cyclic():
    graph_rules = [rule for rule in contracts()["forbidden"] if rule["source_modules"] == ["cnnstudio.graph"]]
    assert len(graph_rules) == 1 and {"torch", "torchvision"} <= set(graph_rules[0]["forbidden_modules"])
    assert [rule["ancestors"] for rule in contracts()["acyclic_siblings"]] == [["cnnstudio"]]


def test_the_ui_may_not_import_torch_itself():
    rules = [rule for rule in contracts()["forbidden"] if rule["source_modules"] == ["cnnstudio.ui"]]
    assert len(rules) == 1 and {"torch", "torchvision"} <= set(rules[0]["forbidden_modules"])
