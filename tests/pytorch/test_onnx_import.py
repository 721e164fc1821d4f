import warnings

import onnx
import pytest
import torch
from onnx import TensorProto, helper
from torch import nn

from cnnstudio.pytorch import analyze, build_module
from cnnstudio.pytorch.importer import ModelImportError
from cnnstudio.pytorch.onnx_import import import_onnx
from cnnstudio.pytorch.weights import load_into


class _SmallCnn(nn.Module):
    """Conv, BatchNorm, pooling, Hardswish, a squeeze-and-excitation Mul, a residual Add, Linear."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.squeeze = nn.AdaptiveAvgPool2d(1)
        self.excite = nn.Conv2d(8, 8, 1)
        self.fc = nn.Linear(8, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(torch.relu(self.bn(self.conv(x))))
        y = nn.functional.hardswish(self.conv2(x))
        x = x + y * torch.sigmoid(self.excite(self.squeeze(y)))
        return torch.softmax(self.fc(torch.flatten(self.squeeze(x), 1)), dim=1)


def _export(model: nn.Module, path, mode, size=16):
    model.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.randn(1, 3, size, size),), str(path), training=mode, dynamo=False)


def _imported(path):
    result = import_onnx(path)
    analysis = analyze(result.graph)
    assert analysis.valid, analysis.problems[:3]
    module = build_module(result.graph).eval()
    load_into(module, result.state_dict)
    return result, analysis, module


@pytest.fixture
def small_cnn():
    torch.manual_seed(0)
    model = _SmallCnn().eval()
    with torch.no_grad():
        model.bn.weight.uniform_(0.5, 1.5)
        model.bn.running_mean.uniform_(-1, 1)
        model.bn.running_var.uniform_(0.5, 1.5)
    return model


def test_batchnorm_kept_imports_the_source_parameter_count_and_outputs(tmp_path, small_cnn):
    _export(small_cnn, tmp_path / "m.onnx", torch.onnx.TrainingMode.PRESERVE)
    result, analysis, module = _imported(tmp_path / "m.onnx")
    assert analysis.total_params == sum(p.numel() for p in small_cnn.parameters())
    assert {"BatchNorm2d", "Mul", "Hardswish", "Add", "Linear", "Softmax"} <= {
        n.type for n in result.graph.nodes.values()
    }
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(module(x), small_cnn(x), atol=1e-4)


def test_folded_batchnorm_imports_the_folded_graph(tmp_path, small_cnn):
    _export(small_cnn, tmp_path / "m.onnx", torch.onnx.TrainingMode.EVAL)
    result, analysis, module = _imported(tmp_path / "m.onnx")
    assert "BatchNorm2d" not in {n.type for n in result.graph.nodes.values()}
    assert analysis.total_params == sum(p.numel() for p in small_cnn.parameters()) - 16
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        assert torch.allclose(module(x), small_cnn(x), atol=1e-4)


@pytest.mark.parametrize(
    ("name", "layers"),
    [("mobilenet_v3_small", {"features_1_block_0_0", "features_1_block_1_fc1", "classifier_3"}), ("resnet18", {"fc"})],
)
def test_torchvision_models_round_trip_through_onnx(tmp_path, name, layers):
    import torchvision

    model = torchvision.models.get_model(name, weights=None).eval()
    _export(model, tmp_path / "model.onnx", torch.onnx.TrainingMode.PRESERVE, size=64)
    result, analysis, module = _imported(tmp_path / "model.onnx")
    assert layers <= set(result.graph.nodes)
    assert analysis.total_params == sum(p.numel() for p in model.parameters())
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(module(x), model(x), atol=1e-4)


def _save(tmp_path, nodes, initializers=(), name="crafted.onnx"):
    graph = helper.make_graph(
        nodes,
        "crafted",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        initializer=list(initializers),
    )
    path = tmp_path / name
    path.write_bytes(helper.make_model(graph).SerializeToString())
    return path


def test_unknown_operators_are_listed_per_node_and_nothing_is_imported(tmp_path):
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="relu1"),
        helper.make_node("Einsum", ["a"], ["b"], name="mix", equation="ij->ij"),
        helper.make_node("Gelu", ["b"], ["y"], name="act"),
    ]
    with pytest.raises(ModelImportError, match=r"2 node\(s\).*mix \(Einsum\); act \(Gelu\)"):
        import_onnx(_save(tmp_path, nodes))


def test_a_cyclic_graph_is_a_clear_error(tmp_path):
    nodes = [
        helper.make_node("Add", ["x", "b"], ["a"], name="first"),
        helper.make_node("Relu", ["a"], ["b"], name="second"),
        helper.make_node("Relu", ["b"], ["y"], name="out"),
    ]
    with pytest.raises(ModelImportError, match="cycle"):
        import_onnx(_save(tmp_path, nodes))


def test_external_data_is_refused_without_reading_it(tmp_path):
    weight = helper.make_tensor("w", TensorProto.FLOAT, [0], vals=[])
    weight.dims[:] = [8, 3, 3, 3]
    weight.data_location = TensorProto.EXTERNAL
    entry = weight.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    path = _save(tmp_path, [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], [weight])
    with pytest.raises(ModelImportError, match="external file"):
        import_onnx(path)


def test_a_huge_declared_tensor_is_refused_before_allocating(tmp_path):
    weight = helper.make_tensor("w", TensorProto.FLOAT, [2, 2], vals=b"\0" * 16, raw=True)
    weight.dims[:] = [1 << 20, 1 << 20, 3, 3]  # a header that lies: 36 TB declared, 16 bytes present
    path = _save(tmp_path, [helper.make_node("Conv", ["x", "w"], ["y"], name="conv")], [weight])
    with pytest.raises(ModelImportError, match="declares shape"):
        import_onnx(path)


def test_a_file_that_is_not_onnx_is_a_clear_error(tmp_path):
    path = tmp_path / "photo.onnx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n not a model at all")
    with pytest.raises(ModelImportError, match="not an ONNX model file"):
        import_onnx(path)
    assert onnx  # the onnx package is what reads the files


def test_the_import_command_writes_the_design_and_its_weights_beside_it(tmp_path, small_cnn, capsys):
    from cnnstudio.cli.main import main
    from cnnstudio.graph.io import load_network

    _export(small_cnn, tmp_path / "small.onnx", torch.onnx.TrainingMode.PRESERVE)
    assert main(["import", str(tmp_path / "small.onnx")]) == 0
    assert load_network(tmp_path / "small.cnn.json").graph.nodes["input"].params["height"] == 16
    assert "small.cnn" in capsys.readouterr().out
    (tmp_path / "bad.onnx").write_text("not onnx")
    assert main(["import", str(tmp_path / "bad.onnx"), "-o", str(tmp_path / "bad.cnn.json")]) != 0
    assert "not an ONNX model file" in capsys.readouterr().err


def test_node_ids_are_the_source_module_paths(tmp_path, small_cnn):
    _export(small_cnn, tmp_path / "m.onnx", torch.onnx.TrainingMode.PRESERVE)
    assert {"conv", "bn", "conv2", "excite", "fc"} <= set(import_onnx(tmp_path / "m.onnx").graph.nodes)
