"""load_classifier: every way of naming a model gives a ready classifier, or one clear error."""

import json

import pytest
import torch
import torchvision

from cnnstudio.engine.checkpoint import DataInfo, Progress, save_checkpoint
from cnnstudio.engine.config import TrainConfig
from cnnstudio.graph import save_network
from cnnstudio.graph.templates import load_template
from cnnstudio.pretrained import ModelLoadError, load_classifier, save_classifier
from cnnstudio.pretrained.imagenet import IMAGENET_MEAN, imagenet_classes
from cnnstudio.pytorch import build_module
from cnnstudio.pytorch.importer import import_torchvision
from cnnstudio.pytorch.weights import save_state_dict, weights_path_for

DIGITS = [str(digit) for digit in range(10)]


def cache_random_weights(name: str, cache_dir) -> torch.nn.Module:
    """Put weights for torchvision's `name` where its real ImageNet weights would be cached."""
    weights = torchvision.models.get_model_weights(name).DEFAULT
    torch.manual_seed(0)
    extra = {"init_weights": False} if name == "googlenet" else {}
    model = torchvision.models.get_model(name, weights=None, **extra)
    cache_dir.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), cache_dir / weights.url.rsplit("/", 1)[1])
    return model.eval()


def lenet_with_softmax():
    graph = load_template("lenet5")
    graph.add_node("Softmax", {}, node_id="probabilities")
    graph.connect("fc3", "probabilities")
    return graph


@pytest.mark.parametrize("spec", ["efficientnet_lite0", "EfficientNet-Lite0", " efficientnet-lite0 "])
def test_efficientnet_lite0_by_name(spec, lite0):
    classifier = load_classifier(spec)
    assert classifier.name == lite0.name and classifier.graph is not None
    assert not classifier.module.training


def test_unknown_models_are_explained():
    with pytest.raises(ModelLoadError, match="run directory.*efficientnet_lite0.*torchvision:NAME"):
        load_classifier("no/such/model")
    with pytest.raises(ModelLoadError, match="torchvision has no classification model 'resnet9000'"):
        load_classifier("torchvision:resnet9000")


def test_missing_torchvision_weights_say_how_to_get_them_without_touching_the_network(torch_cache):
    with pytest.raises(ModelLoadError) as error:
        load_classifier("torchvision:resnet18")
    message = str(error.value)
    assert "not on this computer" in message and "--download" in message
    assert str(torch_cache) in message and "resnet18-f37072fd.pth" in message
    assert not torch_cache.exists()


def test_cached_torchvision_weights_become_a_design_that_computes_like_torchvision(torch_cache):
    reference = cache_random_weights("resnet18", torch_cache)
    classifier = load_classifier("torchvision:resnet18")
    assert classifier.graph is not None and "fc" in classifier.graph.nodes
    assert classifier.classes == imagenet_classes() and classifier.source == "torchvision:resnet18"
    assert (classifier.mean, classifier.resize, classifier.crop) == (IMAGENET_MEAN, 256, (224, 224))
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(classifier.module(x), reference(x), atol=1e-4)


def test_googlenet_gets_the_input_scaling_it_was_trained_with(torch_cache):
    cache_random_weights("googlenet", torch_cache)
    classifier = load_classifier("torchvision:googlenet")
    # torchvision's GoogLeNet maps ImageNet-normalized input to [-1, 1] inside the model; the design
    # leaves that step out, so its preprocessing normalizes to [-1, 1] directly. Both must agree.
    reference = torchvision.models.googlenet(weights=None, aux_logits=False, transform_input=True, init_weights=False)
    state = torch.load(next(torch_cache.iterdir()), weights_only=True)
    reference.load_state_dict({k: v for k, v in state.items() if not k.startswith("aux")})
    pixels = torch.randint(0, 256, (1, 3, 224, 224), dtype=torch.uint8)
    imagenet_input = (pixels / 255 - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(
        (0.229, 0.224, 0.225)
    ).view(1, 3, 1, 1)
    with torch.no_grad():
        expected = reference.eval()(imagenet_input).softmax(1)
    assert classifier.mean == (0.5, 0.5, 0.5)
    assert torch.allclose(classifier.predict(pixels), expected, atol=1e-4)


def test_networks_a_design_cannot_express_are_offered_as_modules(torch_cache):
    cache_random_weights("shufflenet_v2_x1_0", torch_cache)
    classifier = load_classifier("torchvision:shufflenet_v2_x1_0")
    assert classifier.graph is None
    assert any("not a design" in note for note in classifier.notes)
    assert classifier.predict(torch.zeros(1, 3, 224, 224, dtype=torch.uint8)).shape == (1, 1000)


def test_a_saved_classifier_comes_back_with_its_classes_and_preprocessing(tmp_path, lite0, photos):
    path = tmp_path / "lite.cnn.json"
    weights = save_classifier(lite0, path)
    assert weights == tmp_path / "lite.safetensors"
    again = load_classifier(str(path))
    assert again.classes == lite0.classes and again.preprocessing == lite0.preprocessing
    x = lite0.preprocessing.frame_tensor(photos["cat"])
    assert torch.allclose(again.predict(x), lite0.predict(x), atol=1e-6)


def test_a_design_ending_in_softmax_is_not_softmaxed_twice(tmp_path):
    graph = lenet_with_softmax()
    torch.manual_seed(0)
    module = build_module(graph)  # with its Softmax: outputs probabilities
    path = tmp_path / "lenet.cnn.json"
    save_network(graph, path)
    save_state_dict(module.state_dict(), weights_path_for(path))
    classifier = load_classifier(str(path))
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        assert torch.allclose(classifier.predict(x), module(x), atol=1e-6)
    assert classifier.classes == DIGITS and (classifier.mean, classifier.std) == ((0.0,), (1.0,))


def test_a_design_without_weights_is_untrained_and_says_so(tmp_path):
    path = tmp_path / "lenet.cnn.json"
    save_network(load_template("lenet5"), path)
    classifier = load_classifier(str(path))
    assert any("untrained" in note for note in classifier.notes)


def test_an_imported_imagenet_design_without_metadata_is_read_as_imagenet(tmp_path):
    result = import_torchvision("mobilenet_v3_small", pretrained="none")
    path = tmp_path / "mobilenet.cnn.json"
    save_network(result.graph, path)
    save_state_dict(build_module(result.graph, logits=True).state_dict(), weights_path_for(path))
    classifier = load_classifier(str(path))
    assert classifier.classes == imagenet_classes() and classifier.mean == IMAGENET_MEAN


def test_weights_that_do_not_fit_the_design_are_reported(tmp_path):
    path = tmp_path / "lenet.cnn.json"
    save_network(load_template("lenet5"), path)
    save_state_dict({"conv1.weight": torch.zeros(3)}, weights_path_for(path))
    with pytest.raises(ModelLoadError, match="do not fit"):
        load_classifier(str(path))


def write_run(run_dir, tag: str, module: torch.nn.Module, graph) -> None:
    data = DataInfo(classes=DIGITS, mean=[0.1307], std=[0.3081], input_shape=[1, 28, 28])
    save_checkpoint(
        run_dir,
        tag,
        model=module,
        config=TrainConfig(epochs=1),
        design=graph.to_dict(),
        data=data,
        progress=Progress(epoch=1),
    )


def test_a_run_directory_gives_its_best_checkpoint_with_its_data_description(tmp_path):
    graph = load_template("lenet5")
    torch.manual_seed(1)
    best, last = build_module(graph, logits=True), build_module(graph, logits=True)
    write_run(tmp_path / "run", "last", last, graph)
    write_run(tmp_path / "run", "best", best, graph)
    classifier = load_classifier(str(tmp_path / "run"))
    assert classifier.classes == DIGITS and classifier.input_shape == (1, 28, 28)
    assert (classifier.mean, classifier.std) == ((0.1307,), (0.3081,)) and classifier.resize == 28
    pixels = torch.randint(0, 256, (2, 1, 28, 28), dtype=torch.uint8)
    with torch.no_grad():
        expected = best.eval()((pixels / 255 - 0.1307) / 0.3081).softmax(1)
    assert torch.allclose(classifier.predict(pixels), expected, atol=1e-5)
    direct = load_classifier(str(tmp_path / "run" / "last"))  # a checkpoint folder given directly
    with torch.no_grad():
        expected = last.eval()((pixels / 255 - 0.1307) / 0.3081).softmax(1)
    assert torch.allclose(direct.predict(pixels), expected, atol=1e-5)


def test_a_damaged_run_is_reported(tmp_path):
    graph = load_template("lenet5")
    write_run(tmp_path / "run", "last", build_module(graph, logits=True), graph)
    (tmp_path / "run" / "last" / "state.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ModelLoadError, match="not a CNN Studio checkpoint"):
        load_classifier(str(tmp_path / "run"))
    with pytest.raises(ModelLoadError, match="no 'last' checkpoint"):
        load_classifier(str(tmp_path))


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a CUDA GPU")
def test_an_unavailable_device_is_reported():
    with pytest.raises(ModelLoadError, match="no CUDA GPU"):
        load_classifier("efficientnet_lite0", device="cuda")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_classifier_runs_on_the_gpu(lite0, photos):
    gpu = load_classifier("efficientnet_lite0", device="cuda")
    x = lite0.preprocessing.frame_tensor(photos["coffee"])
    assert gpu.device.type == "cuda"
    assert torch.allclose(gpu.predict(x), lite0.predict(x), atol=1e-3)


def test_a_design_with_errors_is_reported(tmp_path):
    graph = load_template("lenet5")
    graph.set_param("conv1", "kernel_size", 99)  # larger than the 28×28 input
    path = tmp_path / "broken.cnn.json"
    save_network(graph, path)
    with pytest.raises(ModelLoadError, match="the design has errors: .*conv1"):
        load_classifier(str(path))
