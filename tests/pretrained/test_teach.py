"""Teaching through the training engine (fine_tune), and teach_classifier's refusals.

The fast feature-based flow, from recorded camera frames to live classification, is tested in
tests/camera/test_teach_from_camera.py.
"""

import cv2
import numpy as np
import pytest
import torch

from cnnstudio.data import DataError
from cnnstudio.engine.config import TrainConfig
from cnnstudio.engine.events import Finished, Started
from cnnstudio.pretrained import Classifier, ModelLoadError, fine_tune, load_classifier, teach_classifier
from tests.camera.helpers import shape_scene


@pytest.fixture
def shapes_folder(tmp_path, photos):
    rng = np.random.default_rng(0)
    for kind in ("circle", "square"):
        (tmp_path / "shapes" / kind).mkdir(parents=True)
        for index in range(6):
            cv2.imwrite(str(tmp_path / "shapes" / kind / f"{index}.jpg"), shape_scene(kind, rng, photos["coffee"]))
    return tmp_path / "shapes"


def test_fine_tuning_with_the_engine_trains_the_chosen_layers_and_keeps_the_rest(shapes_folder, tmp_path, lite0):
    config = TrainConfig(epochs=1, batch_size=8, device="cpu")
    events = list(fine_tune(shapes_folder, lite0, tmp_path / "run", freeze_before="head_conv", config=config))
    started = next(e for e in events if isinstance(e, Started))
    assert isinstance(events[-1], Finished), events[-1]

    taught = load_classifier(str(tmp_path / "run"))
    assert started.classes == taught.classes == ["circle", "square"]
    learning = {"head_conv", "head_bn", "fc"}  # the layers from head_conv on
    assert started.trainable_params == sum(
        p.numel() for name, p in taught.module.named_parameters() if name.split(".")[0] in learning
    )
    assert (taught.mean, taught.std) == (lite0.mean, lite0.std)  # the pretrained normalization, not the folder's
    mine, pretrained = taught.module.state_dict(), lite0.module.state_dict()
    assert torch.equal(mine["blocks_15_project_conv.weight"], pretrained["blocks_15_project_conv.weight"])
    assert not torch.equal(mine["head_conv.weight"], pretrained["head_conv.weight"])
    assert mine["fc.weight"].shape == (2, 1280)


def test_a_base_without_a_design_cannot_be_taught(lite0, tmp_path):
    module_only = Classifier(lite0.module, lite0.classes, lite0.preprocessing, "plain module")
    with pytest.raises(ModelLoadError, match="plain module is not available as a design"):
        teach_classifier(tmp_path, module_only)


def test_a_folder_with_a_single_class_is_refused(lite0, tmp_path):
    (tmp_path / "only").mkdir()
    cv2.imwrite(str(tmp_path / "only" / "a.jpg"), np.zeros((32, 32, 3), np.uint8))
    with pytest.raises(DataError, match="only one class"):
        teach_classifier(tmp_path, lite0)
