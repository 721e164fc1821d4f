"""`cnnstudio train --data FOLDER` trains on a folder of Quick Draw bitmaps, capped per class."""

from __future__ import annotations

from cnnstudio.graph import save_network
from tests.data.quickdraw_files import write_quickdraw_folder
from tests.engine.conftest import small_net

from .training_main import main


def test_train_on_a_quick_draw_folder(tmp_path, capsys):
    folder = write_quickdraw_folder(tmp_path / "doodles", per_class=50)
    design = tmp_path / "net.cnn.json"
    save_network(small_net(size=28, classes=2), design)
    argv = ["train", str(design), "--data", f"{folder}?per_class=30", "--epochs", "1", "--out", str(tmp_path / "r")]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "48 training / 12 validation images, 2 classes" in out
    assert "data: read the first 30 drawings of each class (files hold up to 50)" in err
