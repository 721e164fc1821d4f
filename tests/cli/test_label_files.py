"""`cnnstudio train --data FOLDER --labels FILE.csv`: the bad rows are listed by line, and the run records the
label file so that `cnnstudio evaluate` loads the same images."""

from __future__ import annotations

from cnnstudio.graph import save_network
from tests.data.test_label_file import BAD_CSV, BAD_LINES, write_images
from tests.engine.conftest import small_net

from .training_main import main


def test_train_and_evaluate_a_folder_with_a_label_file(tmp_path, capsys):
    folder = tmp_path / "images"
    names = [f"cats/{i}.png" for i in range(6)] + [f"dogs/{i}.png" for i in range(6)]
    write_images(folder, names + ["cats/a.png", "cats/b.png", "cats/e.png", "dogs/c.png", "dogs/d.png", "dogs/h.png"])
    (folder / "broken.png").write_text("this is not a picture")
    csv = tmp_path / "labels.csv"
    csv.write_text(BAD_CSV + "".join(f"{name},{name.split('s/')[0]}\n" for name in names))
    design = tmp_path / "net.cnn.json"
    save_network(small_net(size=8, channels=3), design)
    argv = ["train", str(design), "--data", str(folder), "--labels", str(csv), "--epochs", "1", "--out"]
    code = main([*argv, str(tmp_path / "run")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2 classes" in out
    assert f"data: skipped {len(BAD_LINES)} unusable file(s) or row(s):" in err
    for line, text in BAD_LINES.items():
        assert any(row.startswith(f"data:   {csv}:{line}: ") and text in row for row in err.splitlines()), line

    assert main(["evaluate", str(tmp_path / "run")]) == 0
    out, err = capsys.readouterr()
    assert "validation images of" in out and "labels.csv" in out

    assert main(["evaluate", str(tmp_path / "run"), "--labels", str(csv)]) == 2
    assert "give that folder as --data" in capsys.readouterr().err
