import numpy as np
import pytest
from helpers import check_image

from stgcn_pyg.viz.confusion import plot_confusion
from stgcn_pyg.viz.curves import compare_curves, plot_curves


@pytest.mark.parametrize("normalize", [True, False])
def test_confusion_png(tmp_path, normalize):
    matrix = [[5, 1, 0], [0, 3, 3], [0, 0, 0]]
    path = plot_confusion(matrix, ["a", "b", "c"], tmp_path / "c.png", normalize=normalize)
    check_image(path)


def test_curves_png(tmp_path):
    history = [{"epoch": e, "lr": 0.1, "train_loss": 2 / e, "train_top1": 0.2 * e,
                "test_loss": 2.2 / e, "test_top1": 0.18 * e} for e in range(1, 5)]
    history[1] = {k: v for k, v in history[1].items() if not k.startswith("test")}
    check_image(plot_curves(history, tmp_path / "curves.png"))
    slower = [{**h, "train_loss": h["train_loss"] * 1.1} for h in history]
    check_image(compare_curves({"mp": history, "dense": slower}, tmp_path / "compared.png"))


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"matrix: expected a square"):
        plot_confusion([[1, 2]], ["a"], tmp_path / "x.png")
    with pytest.raises(ValueError, match="class_names: expected 2 names, got 1"):
        plot_confusion(np.eye(2), ["a"], tmp_path / "x.png")
    with pytest.raises(ValueError, match="history: expected at least one epoch"):
        plot_curves([], tmp_path / "x.png")
    with pytest.raises(ValueError, match="histories: expected at least one run"):
        compare_curves({}, tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"histories\['b'\]: epoch entries miss keys \['train_top1'\]"):
        compare_curves({"a": [{"epoch": 1, "train_loss": 1.0, "train_top1": 0.1}],
                        "b": [{"epoch": 1, "train_loss": 1.0}]}, tmp_path / "x.png")
    assert not list(tmp_path.iterdir())
