import json

import numpy as np
import pytest
import torch

from helpers import check_image
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.viz import class_activation, default_pose, load_sequence, plot_sequence
from stgcn_pyg.graph import resolve_layout


def walking(num_frames=12, layout="kinect-v1", persons=1, padding=0):
    """A synthetic [3, T, V, M] sequence: the default pose drifting and swaying in 3-D."""
    pose = default_pose(layout)
    t = np.arange(num_frames)[:, None]
    frames = np.stack([pose[:, 0] + 0.05 * t, pose[:, 1] + 0.1 * np.sin(t),
                       np.full_like(t * pose[:, 0], 3.0)])  # [3, T, V]
    data = np.stack([frames + 0.8 * m for m in range(persons)], axis=-1)
    return np.concatenate([data, np.zeros((3, padding) + data.shape[2:])], axis=1)


def test_load_sequence_shapes(tmp_path):
    assert load_sequence(np.zeros((3, 5, 20))).shape == (3, 5, 20, 1)
    np.save(tmp_path / "data.npy", np.ones((4, 3, 6, 25, 2), dtype=np.float32))
    assert load_sequence(tmp_path / "data.npy", index=3).shape == (3, 6, 25, 2)
    (tmp_path / "clip.json").write_text(json.dumps({"skeletons": np.ones((7, 20, 3)).tolist()}))
    assert load_sequence(tmp_path / "clip.json").shape == (3, 7, 20, 1)
    with pytest.raises(ValueError, match=r"sequence: expected \[C, T, V\] or \[C, T, V, M\]"):
        load_sequence(tmp_path / "data.npy")
    with pytest.raises(ValueError, match=r"index: expected a sample index in 0..3, got 4"):
        load_sequence(tmp_path / "data.npy", index=4)
    (tmp_path / "model.pt").write_bytes(b"")
    with pytest.raises(ValueError, match="expected a .npy or an NW-UCLA .json file"):
        load_sequence(tmp_path / "model.pt")


def test_gif_skips_padding_and_has_every_frame(tmp_path):
    path = plot_sequence(walking(num_frames=8, persons=2, padding=4), tmp_path / "walk.gif",
                         layout="kinect-v1")
    image = check_image(path, (320, 360), min_frames=8)
    assert image.n_frames == 8


def test_gif_keeps_at_most_max_frames(tmp_path):
    plot_sequence(walking(num_frames=30), tmp_path / "walk.gif", layout="kinect-v1", max_frames=10,
                  elevation=20)
    assert check_image(tmp_path / "walk.gif", (320, 360), min_frames=10).n_frames == 10


def test_layout_is_inferred_or_checked():
    assert resolve_layout(25) == "ntu-rgb+d" and resolve_layout(20, "msr-action3d")
    # Kinect v1 and MSR Action3D both have 20 joints in other orders: never a silent guess
    with pytest.raises(ValueError, match=r"cannot tell the layout of V = 20 joints; pass a "
                                         r"layout \(registered layouts with 20 joints: "
                                         r"\['kinect-v1', 'msr-action3d'\]"):
        plot_sequence(walking(), "unused.gif")
    with pytest.raises(ValueError, match="sequence: cannot tell the layout of V = 7 joints"):
        plot_sequence(np.zeros((3, 4, 7)), "unused.gif")
    with pytest.raises(ValueError, match="sequence: has V=20 joints, layout 'ntu-rgb\\+d' has 25"):
        plot_sequence(walking(), "unused.gif", layout="ntu-rgb+d")


@pytest.fixture
def model():
    torch.manual_seed(0)
    return STGCN(3, 5, "kinect-v1", blocks=[BlockSpec(8, 1, residual=False), BlockSpec(8, 2)]).double()


def test_class_activation_splits_the_class_score_exactly(model):
    data = walking(num_frames=8, persons=2)
    cam, c = class_activation(model, data, class_index=3)
    assert cam.shape == (8, 20, 2) and c == 3
    with torch.no_grad():
        score = model.eval()(torch.as_tensor(data)[None])[0, 3]
    # T=8 with stride 2: every last-block frame is repeated twice, so the means agree.
    assert cam.mean(axis=(0, 1)).mean() + float(model.head.bias[3].detach()) == pytest.approx(float(score))
    predicted = class_activation(model, data)[1]
    assert predicted == int(model(torch.as_tensor(data)[None]).argmax())


def test_gif_coloured_by_class_activation(tmp_path, model):
    data = walking(num_frames=10)
    cam, c = class_activation(model, data)
    plot_sequence(data, tmp_path / "cam.gif", layout="kinect-v1", activation=cam,
                  activation_label=f"CAM class {c}")
    check_image(tmp_path / "cam.gif", (400, 360), min_frames=10)


def test_model_and_sequence_must_agree(model):
    with pytest.raises(ValueError, match=r"sequence: expected \[C=3, T, V=20, M\] to match the model"):
        class_activation(model, walking(layout="ntu-rgb+d"))
    with pytest.raises(ValueError, match=r"class_index: expected 0..4, got 5"):
        class_activation(model, walking(), class_index=5)
    with pytest.raises(ValueError, match=r"activation: expected \[T=12, V=20"):
        plot_sequence(walking(), "unused.gif", layout="kinect-v1", activation=np.zeros((12, 25)))


@pytest.mark.realdata
def test_nw_ucla_sequence_gif(tmp_path, nw_ucla_file):
    num_frames = len(json.loads(nw_ucla_file.read_text())["skeletons"])
    plot_sequence(nw_ucla_file, tmp_path / "ucla.gif", max_frames=12, azimuth=20)
    check_image(tmp_path / "ucla.gif", (320, 360), min_frames=min(12, num_frames) // 2 + 1)
