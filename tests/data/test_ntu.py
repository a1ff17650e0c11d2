import numpy as np
import pytest

from stgcn_pyg.data import ntu_split, parse_ntu_name, read_ntu_skeleton

JOINT = " ".join(["0.1"] * 12)


def _write(path, frames):
    """frames: list of lists of body ids."""
    lines = [str(len(frames))]
    for bodies in frames:
        lines.append(str(len(bodies)))
        for body in bodies:
            lines += [f"{body} 0 1 1 1 1 0 0.0 0.0 2", "25"] + [JOINT] * 25
    path.write_text("\n".join(lines) + "\n")
    return path


def test_name_fields():
    assert parse_ntu_name("S017C003P020R002A060.skeleton") == dict(
        setup=17, camera=3, performer=20, replication=2, action=60)
    with pytest.raises(ValueError, match="does not match SsssCcccPpppRrrrAaaa"):
        parse_ntu_name("clip01.skeleton")


def test_splits():
    assert ntu_split(parse_ntu_name("S001C001P001R001A001")) == "train"
    assert ntu_split(parse_ntu_name("S001C001P003R001A001")) == "test"
    assert ntu_split(parse_ntu_name("S001C001P001R001A001"), "xview") == "test"
    assert ntu_split(parse_ntu_name("S001C002P003R001A001"), "xview") == "train"


def test_frames_without_body_and_body_tracking(tmp_path):
    path = _write(tmp_path / "S001C001P001R001A005.skeleton", [["7"], [], ["7", "9"], ["9"]])
    seq = read_ntu_skeleton(path)
    assert seq.body_ids == ("7", "9") and seq.label == 4
    assert seq.joints.shape == (2, 4, 25, 3)
    present = np.abs(seq.joints).sum(axis=(2, 3)) > 0
    assert present.tolist() == [[True, False, True, False], [False, False, True, True]]


def test_empty_and_truncated(tmp_path):
    empty = tmp_path / "S001C001P001R001A001.skeleton"
    empty.write_text("\n")
    with pytest.raises(ValueError, match="S001C001P001R001A001.skeleton: empty file"):
        read_ntu_skeleton(empty)
    path = _write(tmp_path / "S001C001P001R001A002.skeleton", [["1"], ["1"]])
    path.write_text("\n".join(path.read_text().splitlines()[:40]))
    with pytest.raises(ValueError, match=r"A002.skeleton: truncated: .*joint 9 of frame 2"):
        read_ntu_skeleton(path)


def test_bad_joint_line(tmp_path):
    path = _write(tmp_path / "S001C001P001R001A003.skeleton", [["1"]])
    lines = path.read_text().splitlines()
    lines[6] = "0.1 0.2 x"
    path.write_text("\n".join(lines))
    with pytest.raises(ValueError, match=r"A003.skeleton: line 7: joint 3 of frame 1: expected 12 fields"):
        read_ntu_skeleton(path)


@pytest.mark.realdata
def test_real_files(shared_datasets):
    folder = shared_datasets / "ntu-samples"
    two = read_ntu_skeleton(folder / "S001C003P008R002A058.skeleton")
    assert two.joints.shape[0] == 2 and two.label == 57 and two.joints.shape[2:] == (25, 3)
    assert (np.abs(two.joints).sum(axis=(2, 3)) > 0).all(axis=0).mean() > 0.5
    for path in sorted(folder.glob("*.skeleton")):
        seq = read_ntu_skeleton(path)
        assert seq.fields == parse_ntu_name(path.name)
        z = seq.joints[0, :, :, 2]
        assert 1.0 < np.median(z[z != 0]) < 6.0  # metres from the camera
