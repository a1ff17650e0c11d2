"""UTKinect-Action3D: recordings cut by actionLabel.txt, on fixtures written from the format
and on the real files (counts per protocol)."""
import numpy as np
import pytest

from stgcn_pyg.cli import main
from stgcn_pyg.data import prepare_utkinect, read_utkinect, utkinect_split
from stgcn_pyg.data.folder import read_folder_meta
from stgcn_pyg.data.utkinect import read_action_labels, read_utkinect_joints


def _recording(root, name, ids):
    rows = [[frame_id, *np.full(60, frame_id / 100.0)] for frame_id in ids]
    (root / f"joints_{name}.txt").write_text(
        "\n".join("  ".join(f"{v:g}" for v in row) for row in rows) + "\n")


def _folder(tmp_path, labels):
    root = tmp_path / "utk" / "joints"
    root.mkdir(parents=True)
    for subject in (1, 6):
        _recording(root, f"s{subject:02d}_e01", [10, 12, 12, 14, 16, 18, 20])
    (root / "actionLabel.txt").write_text(labels)
    return tmp_path / "utk"


LABELS = ("s01_e01\nwalk: 12 16\ncarry:  NaN NaN\ns06_e01\nwalk: 11 13 \nthrow: 14 20\n"
          "push: 30 40\n")


def test_clips_are_cut_by_frame_ids_and_bad_bounds_skipped(tmp_path):
    clips, skipped = read_utkinect(_folder(tmp_path, LABELS))
    assert [(c.name, c.label, c.subject, len(c.joints)) for c in clips] == [
        ("s01_e01_walk", 0, 1, 3), ("s06_e01_walk", 0, 6, 1), ("s06_e01_throw", 5, 6, 4)]
    # ids 12, 14, 16 (the repeated id 12 once); 11..13 holds only id 12
    assert clips[0].joints[:, 0, 0].tolist() == pytest.approx([0.12, 0.14, 0.16])
    assert skipped == ["s01_e01_carry (bounds NaN)",
                       "s06_e01_push (no frame between ids 30 and 40)"]


def test_prepare_reports_skipped_clips_and_splits_by_protocol(tmp_path):
    lines = []
    raw = _folder(tmp_path, LABELS)
    counts = prepare_utkinect(raw, tmp_path / "xsub", frames=4, log=lines.append)
    assert counts == {"train": 1, "test": 2} and lines[0] == "skipped 2 clips:"
    assert read_folder_meta(tmp_path / "xsub")["layout"] == "kinect-v1"
    counts = prepare_utkinect(raw, tmp_path / "loso", frames=4, protocol="loso", fold=1,
                              log=lambda _: None)
    assert counts == {"train": 2, "test": 1}
    with pytest.raises(ValueError, match="--fold: the loso protocol needs the test subject"):
        prepare_utkinect(raw, tmp_path / "x", protocol="loso")
    assert utkinect_split(5) == "train" and utkinect_split(6) == "test"
    assert utkinect_split(3, "loso", 3) == "test"


@pytest.mark.parametrize("labels, message", [
    ("walk: 1 2\n", r"line 1: expected 'sSS_eEE' or 'action: start end'"),
    ("s01_e01\nfly: 1 2\n", r"line 2: .*got 'fly: 1 2'"),
    ("s01_e01\nwalk: 1 x\n", r"line 2: frame ids must be numbers, got '1 x'"),
])
def test_malformed_label_file_names_file_and_line(tmp_path, labels, message):
    path = tmp_path / "actionLabel.txt"
    path.write_text(labels)
    with pytest.raises(ValueError, match=message) as err:
        read_action_labels(path)
    assert "actionLabel.txt" in str(err.value)


def test_malformed_joint_file_names_file_and_line(tmp_path):
    path = tmp_path / "joints_s01_e01.txt"
    path.write_text("1 " + "0.5 " * 60 + "\n2 " + "0.5 " * 59 + "\n")
    with pytest.raises(ValueError, match=r"joints_s01_e01.txt, line 2: expected a frame id and "
                                         r"60 coordinates, got 60 numbers"):
        read_utkinect_joints(path)


def test_a_listed_recording_without_its_file(tmp_path):
    root = _folder(tmp_path, "s02_e01\nwalk: 1 2\n")
    with pytest.raises(FileNotFoundError, match="lists s02_e01 but joints_s02_e01.txt is missing"):
        read_utkinect(root)


@pytest.mark.realdata
def test_real_protocols(shared_datasets, tmp_path, capsys):
    raw = shared_datasets / "utkinect"
    clips, skipped = read_utkinect(raw)
    assert len(clips) == 199 and skipped == ["s10_e02_carry (bounds NaN)"]
    assert {c.subject for c in clips} == set(range(1, 11))
    assert 5 <= min(len(c.joints) for c in clips) and max(len(c.joints) for c in clips) <= 174
    out = tmp_path / "utk"
    assert main(["prepare", "utkinect", str(raw), "--out", str(out), "--frames", "16"]) == 0
    assert "100 train / 99 test" in capsys.readouterr().out
    train, test = (np.load(out / f"{split}_label.npy") for split in ("train", "test"))
    assert np.bincount(train).tolist() == [10] * 10
    assert np.bincount(test).tolist() == [10, 10, 10, 10, 9, 10, 10, 10, 10, 10]
    assert main(["prepare", "utkinect", str(raw), "--out", str(tmp_path / "f3"), "--frames",
                 "16", "--protocol", "loso", "--fold", "3"]) == 0
    assert "179 train / 20 test" in capsys.readouterr().out
