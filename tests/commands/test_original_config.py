"""train --config on YAML: this library's settings, and the original ST-GCN's config files
(written here by hand from their format) mapped key by key, or refused by name."""
import re
import tomllib

import pytest

from stgcn_pyg.cli import main
from stgcn_pyg.train import TrainConfig
from stgcn_pyg.train.config_file import field_names, read_config
from stgcn_pyg.train.original_config import KEYS


def _ntu_xsub_yaml(data, work_dir, **changes):
    """The shape of the authors' config/st_gcn/ntu-xsub/train.yaml, pointing at ``data``."""
    text = f"""\
work_dir: {work_dir}

# feeder
feeder: feeder.feeder.Feeder
train_feeder_args:
  data_path: {data}/train_data.npy
  label_path: {data}/train_label.npy
test_feeder_args:
  data_path: {data}/test_data.npy
  label_path: {data}/test_label.npy

# model
model: net.st_gcn.Model
model_args:
  in_channels: 3
  num_class: 12
  dropout: 0.5
  edge_importance_weighting: True
  graph_args:
    layout: 'ntu-rgb+d'
    strategy: 'spatial'

#optim
weight_decay: 0.0001
base_lr: 0.1
step: [10, 50]

# training
device: [0,1,2,3]
batch_size: 8
test_batch_size: 64
num_epoch: 1
"""
    return _changed(text, changes)


def _changed(text, changes, first_only=False):
    """``text`` with the value of each ``changes`` key ("a.b": the line of ``b``) replaced: the
    one line holding it, or with ``first_only`` the first of several (train before test)."""
    for key, value in changes.items():
        name = key.split(".")[-1]
        text, count = re.subn(rf"(?m)^(\s*){re.escape(name)}:.*$", rf"\g<1>{name}: {value}", text,
                              count=1 if first_only else 0)
        assert count == 1, key
    return text


def _write(tmp_path, text, name="train.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_authors_ntu_config_trains_with_their_recipe(tiny_data, tmp_path):
    config = _write(tmp_path, _ntu_xsub_yaml(tiny_data, tmp_path / "work_dir"))
    assert main(["train", "--config", str(config), "--device", "cpu", "--no-progress"]) == 0
    stored = tomllib.loads((tmp_path / "work_dir" / "config.toml").read_text())
    assert stored["preset"] == "stgcn" and stored["layout"] == "ntu-rgb+d"
    assert stored["strategy"] == "spatial" and stored["epochs"] == 1
    assert stored["normalize_view"] is False and stored["device"] == "cpu"
    recipe = stored["overrides"]
    assert recipe["lr"] == 0.1 and recipe["milestones"] == [10, 50]
    assert recipe["schedule"] == "step" and recipe["gamma"] == 0.1
    assert recipe["weight_decay"] == 1e-4 and recipe["batch_size"] == 8
    assert recipe["momentum"] == 0.9 and recipe["nesterov"] is True
    assert recipe["warmup_epochs"] == 0 and recipe["label_smoothing"] == 0
    assert recipe["augment"] is False


def test_unset_keys_take_the_processor_defaults_and_the_feeder_decides_augmentation(tmp_path):
    path = _write(tmp_path, """\
feeder: feeder.feeder.Feeder
train_feeder_args: {random_choose: true, random_move: true, data_path: D/train_data.npy}
model: net.st_gcn.Model
model_args: {in_channels: 3, num_class: 400, graph_args: {layout: openpose, strategy: spatial}}
weight_decay: 1e-4
use_gpu: false
num_worker: 4
eval_interval: 5
""")
    settings, expected = read_config(path, field_names(TrainConfig))
    assert expected == {"in_channels": (3, "model_args.in_channels"),
                        "num_classes": (400, "model_args.num_class")}
    assert settings["layout"] == "openpose" and settings["data"] == "D"
    assert settings["epochs"] == 80 and settings["device"] == "cpu"
    assert settings["workers"] == 4 and settings["eval_every"] == 5
    recipe = settings["overrides"]
    assert recipe["lr"] == 0.01 and recipe["batch_size"] == 256 and recipe["milestones"] == []
    assert recipe["weight_decay"] == 1e-4  # YAML 1.1 reads 1e-4 as a string: taken as a number
    assert recipe["augment"] is True
    TrainConfig(out="R", **settings).resolved_recipe()  # a valid config


def test_the_command_line_overrides_the_authors_file(tiny_data, tmp_path):
    config = _write(tmp_path, _ntu_xsub_yaml(tiny_data, tmp_path / "ignored"))
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "run"), "--lr",
                 "0.05", "--device", "cpu", "--no-progress", "--epochs", "1"]) == 0
    stored = tomllib.loads((tmp_path / "run" / "config.toml").read_text())
    assert stored["overrides"]["lr"] == 0.05 and stored["overrides"]["milestones"] == [10, 50]
    assert not (tmp_path / "ignored").exists()


def test_this_librarys_settings_as_yaml_equal_the_toml(tmp_path):
    toml = _write(tmp_path, 'data = "D"\nepochs = 3\n[overrides]\nlr = 0.05\n', "c.toml")
    yaml = _write(tmp_path, "data: D\nepochs: 3\noverrides: {lr: 0.05}\n", "c.yml")
    known = field_names(TrainConfig)
    assert read_config(yaml, known) == read_config(toml, known) == (
        {"data": "D", "epochs": 3, "overrides": {"lr": 0.05}}, {})


@pytest.mark.parametrize("changes,match", [
    ({"model": "net.st_gcn_twostream.Model"}, r"model: expected 'net.st_gcn.Model'"),
    ({"dropout": 0.3}, r"model_args.dropout: expected 0.5"),
    ({"edge_importance_weighting": "False"}, r"model_args.edge_importance_weighting: expected "
                                             r"True"),
    ({"strategy": "'spatial'\n    max_hop: 2"}, r"model_args.graph_args.max_hop: expected 1"),
    ({"num_epoch": "true"}, r"num_epoch: expected an int, got True"),
    ({"base_lr": "fast"}, r"base_lr: expected a float, got 'fast'"),
    ({"step": "[10, x]"}, r"step: expected a list of ints"),
    ({"feeder": "feeder.my_feeder.Feeder"}, r"feeder: expected 'feeder.feeder.Feeder'"),
    ({"num_epoch": "1\noptimizer: Adam"}, r"optimizer: expected 'SGD'"),
    ({"num_epoch": "1\nphase: test"}, r"phase: expected 'train'"),
    ({"num_epoch": "1\nweights: ./models/st_gcn.ntu-xsub.pt"}, r"unknown or unsupported keys "
                                                                r"\['weights'\]"),
    ({"num_epoch": "1\ndevice: cuda"}, r"device: expected GPU ids"),
    ({"graph_args": "\n    layout: 'ntu-rgb+d'\n    colour: red"},
     r"unknown or unsupported keys \['model_args.graph_args.colour'\]"),
    ({"num_class": 60}, r"model_args.num_class: the file says 60, the data in .* has 12"),
    ({"in_channels": 2}, r"model_args.in_channels: the file says 2, the data in .* has 3"),
])
def test_a_key_this_library_cannot_honour_is_refused_by_name(tiny_data, tmp_path, capsys,
                                                             changes, match):
    config = _write(tmp_path, _ntu_xsub_yaml(tiny_data, tmp_path / "work_dir", **changes))
    assert main(["train", "--config", str(config), "--device", "cpu", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"--config {config}" in err and re.search(match, err), err
    assert not (tmp_path / "work_dir").exists()


@pytest.mark.parametrize("split,key,value,match", [
    ("test", "data_path", "val_data.npy", r"test_feeder_args.data_path: expected a folder's "
                                          r"test_data.npy"),
    ("train", "label_path", "train_label.pkl", r"train_feeder_args.label_path: expected "
                                               r".*train_label.npy"),
    ("train", "window_size", "150", r"train_feeder_args.window_size: expected -1"),
])
def test_feeder_paths_must_name_the_folder_format(tiny_data, tmp_path, capsys, split, key,
                                                  value, match):
    text = _ntu_xsub_yaml(tiny_data, tmp_path / "work_dir")
    if key == "window_size":
        text = text.replace("test_feeder_args:", f"  window_size: {value}\ntest_feeder_args:")
    else:
        text = re.sub(rf"(?m)^(  {key}: ).*{split}_\w+\.npy$",
                      rf"\g<1>{tiny_data}/{value}", text)
    config = _write(tmp_path, text)
    assert main(["train", "--config", str(config), "--device", "cpu", "--no-progress"]) == 2
    assert re.search(match, capsys.readouterr().err)


@pytest.mark.parametrize("content,match", [
    ("model_args: [", r"not valid YAML"),
    ("- a\n- b\n", r"expected a mapping of settings, got list"),
    ("speed: 3\n", r"unknown settings \['speed'\]"),
    ("model_args: 3\n", r"model_args: expected a mapping, got 3"),
])
def test_bad_yaml_files(tmp_path, capsys, content, match):
    config = _write(tmp_path, content)
    assert main(["train", "--config", str(config), "--out", str(tmp_path / "run")]) == 2
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "run").exists()


def test_without_out_or_work_dir_the_run_folder_is_asked_for(tiny_data, tmp_path, capsys):
    assert main(["train", "--data", str(tiny_data)]) == 2
    assert "--out: required" in capsys.readouterr().err


def test_every_key_of_the_table_is_documented():
    from pathlib import Path

    docs = (Path(__file__).parents[2] / "docs" / "training.md").read_text()
    assert all(f"`{key}`" in docs for key in KEYS)


def _ctrgcn_ntu_yaml(data, work_dir, **changes):
    """The shape of CTR-GCN's config/nturgbd-cross-subject/default.yaml, on ``data``."""
    text = f"""\
work_dir: {work_dir}
model_saved_name: ./work_dir/ntu60/csub/runs

# feeder
feeder: feeders.feeder_ntu.Feeder
train_feeder_args:
  data_path: {data}/train_data.npy
  split: train
  debug: False
  random_choose: False
  random_shift: False
  random_move: False
  window_size: 8
  normalization: False
  random_rot: True
  p_interval: [0.5, 1]
  vel: False
  bone: False

test_feeder_args:
  data_path: {data}/test_data.npy
  split: test
  window_size: 8
  p_interval: [0.95]
  vel: False
  bone: False
  debug: False

# model
model: model.ctrgcn.Model
model_args:
  num_class: 12
  num_point: 25
  num_person: 1
  graph: graph.ntu_rgb_d.Graph
  graph_args:
    labeling_mode: 'spatial'

#optim
weight_decay: 0.0004
base_lr: 0.1
lr_decay_rate: 0.1
step: [35, 55]
warm_up_epoch: 5

# training
device: [0]
batch_size: 8
test_batch_size: 64
num_epoch: 1
nesterov: True
"""
    return _changed(text, changes, first_only=True)


def test_a_ctrgcn_ntu_config_trains_the_ctrgcn_preset_with_its_recipe(tiny_data, tmp_path):
    config = _write(tmp_path, _ctrgcn_ntu_yaml(tiny_data, tmp_path / "work_dir"))
    settings, expected = read_config(config, field_names(TrainConfig))
    assert settings["preset"] == "ctrgcn" and settings["layout"] == "ntu-rgb+d"
    assert settings["overrides"]["warmup_epochs"] == 5 and settings["overrides"]["gamma"] == 0.1
    assert settings["overrides"]["augment"] is True  # random_rot
    assert expected["frames"] == (8, "train_feeder_args.window_size")
    assert expected["num_nodes"] == (25, "model_args.num_point")
    assert main(["train", "--config", str(config), "--device", "cpu", "--no-progress",
                 "--warmup", "0"]) == 0
    stored = tomllib.loads((tmp_path / "work_dir" / "config.toml").read_text())
    assert stored["preset"] == "ctrgcn" and stored["overrides"]["milestones"] == [35, 55]
    assert stored["overrides"]["weight_decay"] == 4e-4 and stored["overrides"]["nesterov"]


def test_a_ctrgcn_ucla_config_repeats_the_epochs_and_names_the_stream(tmp_path):
    path = _write(tmp_path, """\
work_dir: ./work_dir/ucla/ctrgcn_bone
feeder: feeders.feeder_ucla.Feeder
train_feeder_args: {data_path: bone, label_path: train, debug: false, random_choose: true,
                    random_shift: false, random_move: false, window_size: 52,
                    normalization: false, repeat: 5}
test_feeder_args: {data_path: bone, label_path: val}
model: model.ctrgcn.Model
model_args: {num_class: 10, num_point: 20, num_person: 1, graph: graph.ucla.Graph,
             graph_args: {labeling_mode: spatial}}
weight_decay: 0.0001
base_lr: 0.1
lr_decay_rate: 0.1
step: [50]
warm_up_epoch: 5
device: [0]
batch_size: 16
test_batch_size: 64
num_epoch: 65
nesterov: true
""")
    settings, expected = read_config(path, field_names(TrainConfig))
    assert settings["layout"] == "kinect-v1" and settings["stream"] == "bone"
    assert settings["epochs"] == 325 and settings["overrides"]["milestones"] == [250]
    recipe = settings["overrides"]
    assert recipe["warmup_epochs"] == 25 and recipe["batch_size"] == 16
    assert "data" not in settings  # the UCLA feeder names no folder: --data gives it
    assert expected["frames"] == (52, "train_feeder_args.window_size")
    assert expected["num_nodes"] == (20, "model_args.num_point")


@pytest.mark.parametrize("changes,match", [
    ({"model": "model.msg3d.Model"}, r"model: expected 'model.ctrgcn.Model'"),
    ({"graph": "graph.kinetics.Graph"}, r"model_args.graph: expected one of"),
    ({"labeling_mode": "'uniform'"}, r"model_args.graph_args.labeling_mode: expected 'spatial'"),
    ({"normalization": "True"}, r"train_feeder_args.normalization: expected False"),
    ({"num_epoch": "1\nweights: ctrgcn.pt"}, r"unknown or unsupported keys \['weights'\]"),
    ({"num_point": 20}, r"model_args.num_point: the file says 20, the data in .* has 25"),
    ({"window_size": 64}, r"train_feeder_args.window_size: the file says 64, the data in .* "
                          r"has 8"),
    ({"feeder": "feeders.feeder_kinetics.Feeder", "model": "model.ctrgcn.Model"},
     r"feeder: expected one of"),
])
def test_a_ctrgcn_key_this_library_cannot_honour_is_refused_by_name(tiny_data, tmp_path, capsys,
                                                                    changes, match):
    config = _write(tmp_path, _ctrgcn_ntu_yaml(tiny_data, tmp_path / "work_dir", **changes))
    assert main(["train", "--config", str(config), "--device", "cpu", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert f"--config {config}" in err and re.search(match, err), err
    assert not (tmp_path / "work_dir").exists()


def test_a_ctrgcn_npz_data_path_is_refused_with_the_conversion(tmp_path, capsys):
    config = _write(tmp_path, _ctrgcn_ntu_yaml(tmp_path, tmp_path / "w").replace(
        f"{tmp_path}/train_data.npy", "data/ntu/NTU60_CS.npz"))
    assert main(["train", "--config", str(config)]) == 2
    assert "prepare ctrgcn-npz" in capsys.readouterr().err


def test_every_ctrgcn_key_of_the_table_is_documented():
    from pathlib import Path

    from stgcn_pyg.train.ctrgcn_config import KEYS as CTRGCN_KEYS

    docs = (Path(__file__).parents[2] / "docs" / "training.md").read_text()
    assert all(f"`{key}`" in docs for key in CTRGCN_KEYS)
