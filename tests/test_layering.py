"""DESIGN.md rule 1: one direction of dependency, enforced on every import statement."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cnnstudio"
QT = ("PySide6", "pyqtgraph", "shiboken6")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(subpackage: str = "") -> list[Path]:
    return sorted((PACKAGE / subpackage).rglob("*.py"))


def test_the_scan_sees_the_package():
    assert len(python_files()) > 10
    assert "torch" in imported_modules(PACKAGE / "pytorch" / "analyze.py")


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_qt_only_under_ui(path):
    if path.is_relative_to(PACKAGE / "ui"):
        return
    offending = {name for name in imported_modules(path) if name.split(".")[0] in QT}
    assert not offending, f"{path} imports {offending}; Qt belongs in cnnstudio/ui"


@pytest.mark.parametrize("path", python_files("graph"), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_graph_is_pure_python(path):
    forbidden = {"torch", "torchvision", *QT, "cnnstudio.pytorch", "cnnstudio.engine", "cnnstudio.ui"}
    offending = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in forbidden or any(name.startswith(f) for f in forbidden)
    }
    assert not offending, f"{path} imports {offending}; cnnstudio/graph must stay free of torch and Qt"


@pytest.mark.parametrize("layer", ["pytorch", "data", "engine", "pretrained", "viz", "camera"])
def test_core_packages_do_not_import_the_ui(layer):
    for path in python_files(layer):
        assert not any(name.startswith("cnnstudio.ui") for name in imported_modules(path)), path
