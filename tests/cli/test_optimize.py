"""`cnnstudio optimize`: one JSON object per variant (the original first), a readable table, clear errors."""

from __future__ import annotations

import json

import pytest

from cnnstudio.cli.exit_codes import ExitCode
from cnnstudio.cli.main import main
from tests.optimize.conftest import train_lenet

FIELDS = {"name", "params", "size_bytes", "latency_ms", "latency_ms_b32", "val_acc", "agreement", "flops"}


@pytest.fixture(scope="module")
def lenet_run(tmp_path_factory):
    return train_lenet(tmp_path_factory.mktemp("runs") / "lenet", epochs=2)


def test_json_prints_one_row_per_variant_original_first(lenet_run, tmp_path, capsys):
    argv = ["optimize", str(lenet_run), "--quantize", "int8", "--prune", "0.5", "--finetune", "1"]
    code = main([*argv, "--out", str(tmp_path), "--repeats", "2", "--calibration", "64", "--json"])
    captured = capsys.readouterr()
    assert code == ExitCode.OK, captured.err
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert [row["name"] for row in rows] == ["original", "int8", "pruned 50%", "pruned 50% + int8"]
    assert all(set(row) >= FIELDS for row in rows)
    assert rows[0]["agreement"] == 1.0 and rows[1]["size_bytes"] < rows[0]["size_bytes"]
    assert rows[2]["params"] < rows[0]["params"]
    assert (tmp_path / "lenet.int8.pt").is_file()


def test_plain_output_is_a_table_and_the_files_written(lenet_run, tmp_path, capsys):
    code = main(["optimize", str(lenet_run), "--quantize", "int8", "--out", str(tmp_path), "--repeats", "2"])
    out = capsys.readouterr().out
    assert code == ExitCode.OK
    header, rule, original, int8 = out.splitlines()[:4]
    assert header.split()[:3] == ["variant", "params", "size"]
    assert original.startswith("original") and int8.startswith("int8")
    assert f"wrote {tmp_path / 'lenet.int8.pt'}" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--quantize", "int8"], "no such run folder"),
        ([], "nothing to do"),
    ],
)
def test_unusable_input_exits_2_with_one_line(tmp_path, capsys, argv, message):
    code = main(["optimize", str(tmp_path / "missing"), *argv])
    err = capsys.readouterr().err
    assert code == ExitCode.UNUSABLE
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_pruning_fraction_of_zero_is_refused(lenet_run, capsys):
    assert main(["optimize", str(lenet_run), "--prune", "0"]) == ExitCode.UNUSABLE
    assert "between 0 and 1" in capsys.readouterr().err
