"""int8 quantization of a trained LeNet-5: accuracy kept, a smaller file read back without code, ONNX."""

from __future__ import annotations

import pytest
import torch

from cnnstudio.data import load_data
from cnnstudio.engine.evaluate import load_trained
from cnnstudio.optimize import (
    OptimizeError,
    OptimizeOptions,
    export_variant_onnx,
    load_quantized,
    optimize_run,
    quantize_int8,
)
from cnnstudio.optimize.job import calibration_batches

QUICK = {"repeats": 2, "warmup": 1}


@pytest.fixture(scope="module")
def int8_result(lenet_run, tmp_path_factory):
    return optimize_run(
        lenet_run, OptimizeOptions(quantize=True, onnx=True, out=tmp_path_factory.mktemp("out"), **QUICK)
    )


def test_int8_keeps_validation_accuracy_within_one_point(int8_result):
    original, int8 = int8_result.rows
    assert (original.name, int8.name) == ("original", "int8")
    assert original.val_acc > 0.85  # the network did learn
    assert int8.val_acc >= original.val_acc - 0.01
    assert int8.agreement >= 0.97
    assert int8.params == original.params


def test_int8_file_is_a_third_of_the_float_weights(int8_result):
    original, int8 = int8_result.rows
    assert int8.size_bytes < 0.4 * original.size_bytes
    assert all(row.latency_ms > 0 and row.latency_ms_b32 > 0 for row in int8_result.rows)


def test_the_saved_int8_model_is_the_quantized_network(int8_result, lenet_run):
    """Read back without running code, the file holds exactly the network the job quantized and measured."""
    module, checkpoint = load_trained(lenet_run)
    split = load_data("digits", (1, 28, 28), val_fraction=checkpoint.config.val_fraction, seed=checkpoint.config.seed)
    batches = calibration_batches(split, checkpoint.data.mean, checkpoint.data.std, 256, checkpoint.config.seed)
    again = quantize_int8(module, batches)
    saved = load_quantized(int8_result.rows[1].path)
    assert saved.data["classes"] == checkpoint.data.classes
    assert saved.design == checkpoint.design
    images = torch.randn(16, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    assert torch.equal(saved.module(images), again(images))


def test_the_int8_onnx_runs_in_onnxruntime_with_the_same_classes(int8_result):
    ort = pytest.importorskip("onnxruntime")
    onnx_path = next(path for path in int8_result.files if path.suffix == ".onnx")
    session = ort.InferenceSession(str(onnx_path))
    quantized = load_quantized(int8_result.rows[1].path).module
    images = torch.randn(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    (scores,) = session.run(None, {"input": images.numpy()})
    agree = (torch.from_numpy(scores).argmax(1) == quantized(images).argmax(1)).float().mean()
    assert agree >= 0.875


def test_a_file_that_is_not_an_int8_model_is_refused(tmp_path):
    bogus = tmp_path / "model.int8.pt"
    torch.save({"format": "something else"}, bogus)
    with pytest.raises(OptimizeError, match="not a CNN Studio int8 model"):
        load_quantized(bogus)
    (tmp_path / "text.pt").write_text("hello")
    with pytest.raises(OptimizeError, match="not a readable int8 model"):
        load_quantized(tmp_path / "text.pt")


def test_quantizing_needs_calibration_images(lenet_run):
    module, _ = load_trained(lenet_run)
    with pytest.raises(OptimizeError, match="calibration"):
        quantize_int8(module, [])


def test_any_variant_exports_to_onnx(int8_result, lenet_run, tmp_path):
    pytest.importorskip("onnxscript")
    for source, name in ((int8_result.rows[1].path, "int8.onnx"), (str(lenet_run), "fp32.onnx")):
        written = export_variant_onnx(source, tmp_path / name)
        assert written == tmp_path / name and written.stat().st_size > 1000
