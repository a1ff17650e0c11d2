"""MSR Action3D: the reader on fixtures written from the format, the layout's bones against
bone-length constancy in the real recordings, and the cross-subject protocol's counts."""
import numpy as np
import pytest

from stgcn_pyg.cli import main
from stgcn_pyg.data import msr_files, msr_split, prepare_msr, read_msr_skeleton
from stgcn_pyg.data.folder import read_folder_meta
from stgcn_pyg.graph import get_skeleton


def _write(root, name="a03_s02_e01_skeleton3D.txt", frames=3, text=None):
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    if text is None:
        rows = np.concatenate([rng.normal(size=(frames * 20, 3)), np.ones((frames * 20, 1))], 1)
        text = "\n".join(" ".join(f"{v:.6f}" for v in row) for row in rows) + "\n"
    (root / name).write_text(text)
    return root / name


def test_reads_frames_label_and_subject(tmp_path):
    seq = read_msr_skeleton(_write(tmp_path, frames=3))
    assert seq.joints.shape == (3, 20, 3) and seq.joints.dtype == np.float32
    assert (seq.name, seq.label, seq.subject) == ("a03_s02_e01", 2, 2)
    assert msr_split(seq.subject) == "test" and msr_split(9) == "train"


@pytest.mark.parametrize("text, message", [
    ("", r"empty \(no joint rows\)"),
    ("1 2 3 1\n" * 19, r"19 joint rows, not a multiple of 20"),
    ("1 2 3 1\n1 2 x 1\n", r"line 2: expected 4 numbers 'x y z c', got '1 2 x 1'"),
    ("1 2 3\n", r"line 1: expected 4 numbers 'x y z c', got 3"),
    ("1 2 nan 1\n" * 20, "holds NaN or inf"),
])
def test_malformed_files_name_file_and_line(tmp_path, text, message):
    path = _write(tmp_path, text=text)
    with pytest.raises(ValueError, match=message) as err:
        read_msr_skeleton(path)
    assert path.name in str(err.value)


def test_prepare_skips_broken_files_with_a_count_and_their_names(tmp_path):
    raw = tmp_path / "raw"
    for subject in (1, 2):
        _write(raw, f"a01_s{subject:02d}_e01_skeleton3D.txt", frames=4)
    _write(raw, "a02_s01_e01_skeleton3D.txt", text="")
    _write(raw, "a02_s02_e01_skeleton3D.txt", text="1 2 3 1\n" * 7)
    lines = []
    counts = prepare_msr(raw, tmp_path / "out", frames=8, log=lines.append)
    assert counts == {"train": 1, "test": 1}
    assert lines[0] == "skipped 2 files:" and len(lines) == 3
    assert "a02_s01_e01_skeleton3D.txt" in lines[1] and "a02_s02_e01" in lines[2]
    data = np.load(tmp_path / "out" / "train_data.npy")
    assert data.shape == (1, 3, 8, 20)
    assert read_folder_meta(tmp_path / "out")["layout"] == "msr-action3d"


def test_the_listed_sequences_only(tmp_path):
    raw = tmp_path / "raw"
    for subject in (1, 2, 3):
        _write(raw, f"a01_s{subject:02d}_e01_skeleton3D.txt")
    (raw / "files_used_in_cvpr12_paper.txt").write_text("a01_s01_e01\na01_s02_e01")
    assert [p.name[:11] for p in msr_files(raw)] == ["a01_s01_e01", "a01_s02_e01"]
    assert len(msr_files(raw, listed_only=False)) == 3


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        msr_files(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no aAA_sSS_eEE_skeleton3D.txt files"):
        msr_files(tmp_path)


@pytest.mark.realdata
def test_real_cross_subject_protocol(shared_datasets, tmp_path, capsys):
    out = tmp_path / "msr"
    assert main(["prepare", "msr-action3d", str(shared_datasets / "msr-action3d"),
                 "--out", str(out), "--frames", "16"]) == 0
    assert "284 train / 273 test" in capsys.readouterr().out
    train, test = (np.load(out / f"{split}_label.npy") for split in ("train", "test"))
    assert np.bincount(train).tolist() == [15, 14, 15, 13, 15, 15, 14, 15, 15, 15, 15, 15, 12,
                                           14, 9, 15, 15, 15, 15, 13]
    assert np.bincount(test).tolist() == [12, 12, 12, 12, 11, 11, 13, 15, 15, 15, 15, 15, 15,
                                          15, 11, 15, 15, 15, 15, 14]
    assert (out / "classes.txt").read_text().splitlines()[0] == "high arm wave"
    subjects = {int(p.name[5:7]) for p in msr_files(shared_datasets / "msr-action3d")}
    assert subjects == set(range(1, 11))


@pytest.mark.realdata
def test_real_bones_keep_their_length_and_sides_agree(shared_datasets):
    # Every bone of the layout varies little within a sequence, unlike other joint pairs;
    # left and right bones have equal mean lengths.
    skeleton = get_skeleton("msr-action3d")
    bones = [tuple(e) for e in skeleton.edges]
    files = msr_files(shared_datasets / "msr-action3d")[::11]
    variation = {bone: [] for bone in bones}
    others = []
    length = {bone: [] for bone in bones}
    rng = np.random.default_rng(0)
    pairs = [tuple(rng.choice(20, 2, replace=False)) for _ in range(40)]
    pairs = [p for p in pairs if p not in variation and p[::-1] not in variation]
    for path in files:
        joints = read_msr_skeleton(path).joints.astype(np.float64)
        joints = joints[np.abs(joints).sum(axis=(1, 2)) > 0]
        for (a, b) in bones + pairs:
            d = np.linalg.norm(joints[:, a] - joints[:, b], axis=-1)
            (variation[(a, b)] if (a, b) in variation else others).append(d.std() / d.mean())
            if (a, b) in length:
                length[(a, b)].append(d.mean())
    median_bone = {bone: float(np.median(v)) for bone, v in variation.items()}
    assert max(median_bone.values()) < 0.09           # hip-spine and neck-head: 6-8 %
    assert sorted(median_bone.values())[-3] < 0.02    # the other 17 bones: under 2 %
    assert float(np.median(others)) > 2 * sorted(median_bone.values())[-3]  # non-bones vary more
    names = skeleton.joint_names
    index = {name: i for i, name in enumerate(names)}
    for part in [("shoulder", "elbow"), ("elbow", "wrist"), ("wrist", "hand"),
                 ("hip", "knee"), ("knee", "ankle"), ("ankle", "foot")]:
        left = (index[f"left_{part[0]}"], index[f"left_{part[1]}"])
        right = (index[f"right_{part[0]}"], index[f"right_{part[1]}"])
        left_mean = np.mean(length.get(left) or length[left[::-1]])
        right_mean = np.mean(length.get(right) or length[right[::-1]])
        assert abs(left_mean - right_mean) / left_mean < 0.1, part


@pytest.mark.realdata
def test_a_short_training_on_real_msr_beats_chance_by_far(shared_datasets, tmp_path):
    # 20 classes (chance 0.05); 16 frames, 12 epochs of the defaults otherwise: about a minute.
    import json

    data = tmp_path / "msr"
    assert main(["prepare", "msr-action3d", str(shared_datasets / "msr-action3d"), "--out",
                 str(data), "--frames", "16"]) == 0
    assert main(["train", "--data", str(data), "--out", str(tmp_path / "run"), "--epochs",
                 "12", "--eval-every", "12", "--no-progress"]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["layout"] == "msr-action3d" and metrics["normalize_view"] is True
    assert metrics["test_top1"] > 0.3, metrics["test_top1"]
