import pytest
import torch
import torchvision

from cnnstudio.pytorch import analyze, build_module
from cnnstudio.pytorch.importer import ModelImportError, graph_from_module, import_torchvision, torchvision_model_names
from cnnstudio.pytorch.weights import load_into


@pytest.mark.parametrize(
    "name", ["resnet18", "googlenet", "mobilenet_v3_small", "densenet121", "efficientnet_b0", "squeezenet1_1"]
)
def test_imported_models_compute_what_torchvision_computes(name):
    kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
    reference = torchvision.models.get_model(name, weights=None, **kwargs).eval()
    graph, state = graph_from_module(reference, (3, 64, 64), name)
    analysis = analyze(graph)
    assert analysis.valid, analysis.problems[:3]
    assert analysis.total_params == sum(p.numel() for p in reference.parameters())
    module = build_module(graph).eval()
    load_into(module, state)
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(module(x), reference(x), atol=1e-5)


def test_import_names_nodes_after_modules_and_lays_them_out():
    result = import_torchvision("resnet18", pretrained="none")
    graph = result.graph
    assert {"conv1", "layer1_0_conv1", "layer4_1_bn2", "fc"} <= set(graph.nodes)
    assert result.state_dict is None
    ys = {graph.nodes[n].pos[1] for n in graph.nodes}
    assert len(ys) > 10
    assert graph.nodes["fc"].pos[1] > graph.nodes["conv1"].pos[1]


def test_pretrained_weights_come_from_the_torch_cache_without_download(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    weights = torchvision.models.ResNet18_Weights.DEFAULT
    reference = torchvision.models.resnet18()
    checkpoint = tmp_path / "hub" / "checkpoints"
    checkpoint.mkdir(parents=True)
    torch.save(reference.state_dict(), checkpoint / weights.url.rsplit("/", 1)[1])
    result = import_torchvision("resnet18", pretrained="cached")
    assert result.state_dict is not None
    assert torch.equal(result.state_dict["layer1_0_conv1.weight"], reference.layer1[0].conv1.weight)
    assert any("pretrained" in note for note in result.notes)


def test_no_cached_weights_means_random_weights_not_a_download(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", lambda *a, **k: pytest.fail("downloaded"))
    assert import_torchvision("alexnet", pretrained="cached").state_dict is None


def test_unsupported_models_get_a_clear_message():
    with pytest.raises(ModelImportError, match="shufflenet_v2_x0_5: the operation"):
        import_torchvision("shufflenet_v2_x0_5", pretrained="none")
    with pytest.raises(ModelImportError, match="no classification model 'resnet19'"):
        import_torchvision("resnet19")


def test_model_list_has_the_classics():
    assert {"alexnet", "vgg16", "resnet50", "googlenet", "mobilenet_v3_large"} <= set(torchvision_model_names())


class _RunsCode:
    def __reduce__(self):
        return (exec, ("open('PWNED', 'w').write('ran')",))


def _mismatched(path):
    state = torchvision.models.resnet18().state_dict()
    state["fc.weight"] = torch.zeros(10, 512)
    del state["layer4.1.bn2.bias"]
    torch.save(state, path)


@pytest.mark.parametrize(
    "craft, words",
    [
        (lambda path: torch.save({"conv1.weight": _RunsCode()}, path), "refused: it contains Python code (exec)"),
        (lambda path: torch.save([1, 2, 3], path), "does not contain a state dict of tensors"),
        (lambda path: path.write_bytes(b"PK\x03\x04 not really a zip"), "unreadable as a weights-only PyTorch file"),
        (_mismatched, "missing 1 tensor(s), e.g. layer4.1.bn2.bias; 1 of another shape: fc.weight: file (10, 512)"),
    ],
    ids=["crafted pickle", "pickled list", "damaged", "mismatched state dict"],
)
def test_bad_cached_weights_are_refused_with_the_reason(torch_cache, tmp_path, monkeypatch, capsys, craft, words):
    from cnnstudio.cli.main import main

    monkeypatch.chdir(tmp_path)
    torch_cache.mkdir(parents=True)
    craft(torch_cache / "resnet18-f37072fd.pth")
    with pytest.raises(ModelImportError) as refused:
        import_torchvision("resnet18")
    assert words in str(refused.value) and "--pretrained none" in str(refused.value)
    assert main(["import", "torchvision:resnet18", "-o", str(tmp_path / "r.cnn.json")]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "weights_only` set to `False" not in err
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "r.cnn.json").exists()


def test_cached_weights_of_another_type_are_converted_with_a_note(torch_cache):
    torch_cache.mkdir(parents=True)
    state = torchvision.models.resnet18().state_dict()
    state["fc.bias"] = state["fc.bias"].to(torch.int64)
    torch.save(state, torch_cache / "resnet18-f37072fd.pth")
    notes = import_torchvision("resnet18").notes
    assert (
        "the cached weights resnet18-f37072fd.pth: 1 tensor(s) converted from int64 to float32, e.g. fc.bias" in notes
    )
