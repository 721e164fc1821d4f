"""`cnnstudio label-issues RUN`: the suspects as a table or JSON; unusable input is exit code 2."""

from __future__ import annotations

import json

import pytest

from cnnstudio.cli.main import main
from cnnstudio.graph import save_network
from tests.engine.test_label_issues import mlp

pytest.importorskip("cleanlab", reason="needs cleanlab (pip install 'cnnstudio[labels]')")


def test_label_issues_of_a_run(tmp_path, capsys):
    design = tmp_path / "mlp.cnn.json"
    save_network(mlp(), design)
    run = tmp_path / "run"
    assert main(["train", str(design), "--data", "digits", "--epochs", "2", "--lr", "0.01", "--out", str(run)]) == 0
    capsys.readouterr()
    assert (
        main(["label-issues", str(run), "--folds", "2", "--epochs", "2", "--top", "3", "--data-root", str(tmp_path)])
        == 0
    )
    out = capsys.readouterr().out
    assert "among 1,797 images (2-fold" in out and "rank  image" in out
    assert len([line for line in out.splitlines() if line.strip()[:2] in ("1 ", "2 ", "3 ")]) == 3
    assert f"kept in {tmp_path / 'label-overrides' / 'digits.json'}" in out

    assert main(["label-issues", str(run), "--fast", "--json", "--top", "2", "--data-root", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["method"] == "validation predictions" and len(document["issues"]) <= 2
    assert set(document["issues"][0]) == {
        "index",
        "source",
        "given",
        "suggested",
        "given_label",
        "suggested_label",
        "score",
    }

    assert main(["label-issues", str(run), "--data", "xo"]) == 2
    assert "was trained on classes 0, 1" in capsys.readouterr().err
    assert main(["label-issues", str(run), "--folds", "1"]) == 2
    assert "at least 2 folds" in capsys.readouterr().err
