import json

import numpy as np
import pytest

from stgcn_pyg.data import read_ucla_json, ucla_files, ucla_split


def _record(tmp_path, **changes):
    record = {"file_name": "a08_s02_e01_v03", "skeletons": np.ones((5, 20, 3)).tolist(),
              "label": 7, **changes}
    record = {k: v for k, v in record.items() if v is not None}
    path = tmp_path / "a08_s02_e01_v03.json"
    path.write_text(json.dumps(record))
    return path


def test_reads_label_zero_based_and_view(tmp_path):
    seq = read_ucla_json(_record(tmp_path))
    assert (seq.label, seq.view, seq.joints.shape) == (6, 3, (5, 20, 3))
    assert ucla_split(seq.view) == "test" and ucla_split(1) == ucla_split(2) == "train"


@pytest.mark.parametrize("changes, message", [
    (dict(label=None), r"missing keys \['label'\]"),
    (dict(label=11), r"label: expected an int in 1..10, got 11"),
    (dict(skeletons=[[[1, 2, 3]] * 19]), r"skeletons: expected shape \[T >= 1, 20, 3\], got \[1, 19, 3\]"),
    (dict(file_name="clip"), r"file_name 'clip' does not match"),
])
def test_bad_records(tmp_path, changes, message):
    with pytest.raises(ValueError, match=message):
        read_ucla_json(_record(tmp_path, **changes))


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        ucla_files(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no .json files"):
        ucla_files(tmp_path)


@pytest.mark.realdata
def test_real_cross_view_split(shared_datasets):
    files = ucla_files(shared_datasets / "nw-ucla")
    assert len(files) == 1484
    splits = {"train": 0, "test": 0}
    labels = set()
    for path in files[::7]:
        seq = read_ucla_json(path)
        assert seq.name == path.stem and seq.joints.shape[1:] == (20, 3)
        splits[ucla_split(seq.view)] += 1
        labels.add(seq.label)
    assert labels == set(range(10))
    assert splits["train"] > splits["test"] > 0
    assert read_ucla_json(files[0].parent / "a12_s01_e00_v01.json").label == 9
