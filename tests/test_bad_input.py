"""Bad input, one case per row: a one-line error that names the argument or file, what was
expected and what came; exit code 2 for the command line; nothing half-written.

docs/reliability.md lists the same table with the outcomes.
"""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from stgcn_pyg.cli import main
from stgcn_pyg.data import write_synthetic

GOOD = "good"  # the valid folder every case starts from (copied, then broken)


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad-input")
    write_synthetic(root / GOOD, train=16, test=8, frames=8, seed=0)
    (root / "layouts").mkdir()
    return root


def _folder(tmp, good, change=None):
    """A copy of the good folder with ``change(folder)`` applied."""
    folder = tmp / "data"
    shutil.copytree(good / GOOD, folder)
    if change:
        change(folder)
    return folder


def _npy(name, value):
    return lambda folder: np.save(folder / name, value)


def _data(transform):
    def change(folder):
        data = np.load(folder / "train_data.npy")
        np.save(folder / "train_data.npy", transform(data))
    return change


def _labels(transform):
    def change(folder):
        labels = np.load(folder / "train_label.npy")
        np.save(folder / "train_label.npy", transform(labels))
    return change


def _write(name, content):
    def change(folder):
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    return change


def _truncate(name, keep=0.5):
    def change(folder):
        raw = (folder / name).read_bytes()
        (folder / name).write_bytes(raw[: int(len(raw) * keep)])
    return change


def _nan(data):
    data = data.copy()
    data[3, 0, 2, 1] = np.nan
    return data


def _inf(data):
    data = data.copy()
    data[0, 1, 0, 0] = np.inf
    return data


def _layout_file(tmp, spec):
    path = tmp / "layout.json"
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return path


LINE = {"num_nodes": 25, "edges": [[i, i + 1] for i in range(24)], "center": 0}

# (id, data change, extra train arguments or a function of tmp giving them, expected message)
TRAIN_CASES = [
    ("data-missing", "missing", [], r"--data .*nope: no such directory"),
    ("data-empty-folder", "empty", [], r"missing train_data.npy"),
    ("data-rank-3", _npy("train_data.npy", np.zeros((4, 3, 8), np.float32)), [],
     r"train_data.npy: expected data \[N, C, T, V\] or \[N, C, T, V, M\]"),
    ("data-int-dtype", _data(lambda d: d.astype(np.int32)), [],
     r"train_data.npy: expected float data, got dtype int32"),
    ("data-V-7", _data(lambda d: d[:, :, :, :7]), [],
     r"train_data.npy: cannot tell the layout of V = 7 joints; pass a layout \(registered layouts with 7 joints: none\)"),
    ("data-C-2", _data(lambda d: d[:, :2]), [],
     r"train_data.npy: C = 2 channels \(dim 1\), expected 3"),
    ("data-0-frames", _data(lambda d: d[:, :, :0]), [],  # found by tests/test_properties.py
     r"train_data.npy: expected at least one channel, frame, joint and person per sample"),
    ("data-nan", _data(_nan), [], r"train_data.npy: sample 3 holds NaN or inf values"),
    ("data-inf", _data(_inf), [], r"train_data.npy: sample 0 holds NaN or inf values"),
    ("data-0-byte", _write("train_data.npy", b""), [], r"train_data.npy: not a readable .npy"),
    ("data-truncated", _truncate("train_data.npy"), [], r"train_data.npy: not a readable .npy"),
    ("labels-0-byte", _write("train_label.npy", b""), [], r"train_label.npy: not a readable .npy"),
    ("labels-negative", _labels(lambda l: np.where(np.arange(len(l)) == 2, -1, l)), [],
     r"train_label.npy: labels must lie in 0..11, found \[-1\]"),
    ("labels-out-of-range", _labels(lambda l: np.where(np.arange(len(l)) == 2, 99, l)), [],
     r"train_label.npy: labels must lie in 0..11, found \[99\]"),
    ("labels-float", _labels(lambda l: l.astype(np.float32) + 0.5), [],
     r"train_label.npy: expected 1-D integer labels"),
    ("labels-2d", _labels(lambda l: l[:, None]), [], r"train_label.npy: expected 1-D integer labels"),
    ("labels-count", _labels(lambda l: l[:-3]), [],
     r"train_label.npy: 13 labels but train_data.npy holds 16 samples"),
    ("epochs-0", None, ["--epochs", "0"], r"epochs: expected a positive int, got 0"),
    ("epochs-negative", None, ["--epochs", "-2"], r"epochs: expected a positive int, got -2"),
    ("batch-size-0", None, ["--batch-size", "0"], r"batch_size: expected a positive int or None, got 0"),
    ("momentum-1", None, ["--momentum", "1.0"], r"momentum: expected a number in \[0, 1\), got 1.0"),
    ("grad-clip-0", None, ["--grad-clip", "0"],
     r"grad_clip: expected a positive finite number or None, got 0.0"),
    ("batch-size-negative", None, ["--batch-size", "-8"],
     r"batch_size: expected a positive int or None, got -8"),
    ("lr-0", None, ["--lr", "0"], r"lr: expected a positive finite number, got 0.0"),
    ("lr-negative", None, ["--lr", "-0.1"], r"lr: expected a positive finite number, got -0.1"),
    ("lr-nan", None, ["--lr", "nan"], r"lr: expected a positive finite number, got nan"),
    ("weight-decay-negative", None, ["--weight-decay", "-1"],
     r"weight_decay: expected a finite number >= 0, got -1.0"),
    ("warmup-negative", None, ["--warmup", "-1"],
     r"warmup_epochs: expected a finite number >= 0, got -1.0"),
    ("label-smoothing-1", None, ["--label-smoothing", "1.5"],
     r"label_smoothing: expected a number in \[0, 1\), got 1.5"),
    ("rotation-negative", None, ["--rotation", "0", "-5", "0"],
     r"rotation: expected 3 finite angles >= 0 \(degrees about x, y, z\), got \[0.0, -5.0, 0.0\]"),
    ("preset-unknown", None, ["--preset", "huge"],
     r"argument --preset: invalid choice: 'huge' \(choose from"),
    ("strategy-unknown", None, ["--strategy", "radial"],
     r"argument --strategy: invalid choice: 'radial' \(choose from"),
    ("layout-unknown", None, ["--layout", "hands"],
     r"layout: expected one of \['coco', .*\], a .json layout file or a Skeleton, got 'hands'"),
    ("layout-wrong-V", None, ["--layout", "kinect-v1"],
     r"V = 25 joints \(dim 3\) does not match layout 'kinect-v1' with 20 joints"),
    ("layout-json-missing", None, lambda tmp: ["--layout", str(tmp / "none.json")],
     r"none.json: no such file"),
    ("layout-json-0-byte", None, lambda tmp: ["--layout", str(_layout_file(tmp, ""))],
     r"layout.json: not valid JSON"),
    ("layout-self-loop", None,
     lambda tmp: ["--layout", str(_layout_file(tmp, {**LINE, "edges": LINE["edges"] + [[3, 3]]}))],
     r"edges: self-loop \(3, 3\); self-loops are added by the partition"),
    ("layout-duplicate-edge", None,
     lambda tmp: ["--layout", str(_layout_file(tmp, {**LINE, "edges": LINE["edges"] + [[1, 0]]}))],
     r"edges: duplicate bone \(1, 0\)"),
    ("layout-index-out-of-range", None,
     lambda tmp: ["--layout", str(_layout_file(tmp, {**LINE, "edges": LINE["edges"] + [[3, 30]]}))],
     r"edges: joint 30 in edge \(3, 30\) is out of range 0..24 for num_nodes=25"),
    ("layout-disconnected", None,
     lambda tmp: ["--layout", str(_layout_file(tmp, {**LINE, "edges": LINE["edges"][:10]
                                                      + LINE["edges"][11:]}))],
     r"edges: the skeleton is disconnected"),
    ("spatial-unknown", None, ["--spatial", "transformer"],
     r"spatial: unknown layer 'transformer'; registered: \["),
    ("spatial-kwargs-not-json", None, ["--spatial", "gat", "--spatial-kwargs", "{heads: 2}"],
     r"--spatial-kwargs: expected a JSON object"),
    ("spatial-kwargs-unknown", None, ["--spatial", "mp", "--spatial-kwargs", '{"speed": 2}'],
     r"spatial_kwargs: the spatial layer 'mp' does not accept \['speed'\]: .*unexpected keyword"),
    ("import-missing", None, ["--import", "no_such_module"],
     r"--import: cannot import 'no_such_module'"),
    ("out-is-a-file", None, lambda tmp: ["--out", str(_layout_file(tmp, "x"))],
     r"--out .*layout.json: expected a folder, got an existing file"),
    ("out-not-creatable", None, lambda tmp: ["--out", str(_layout_file(tmp, "x") / "run")],
     r"--out .*layout.json/run: cannot create the folder"),
    ("stream-unknown", None, ["--stream", "velocity"], r"stream"),
]


def _argv(case_tmp, good, change, extra):
    if change == "missing":
        data = case_tmp / "nope"
    elif change == "empty":
        data = case_tmp / "empty"
        data.mkdir()
    else:
        data = _folder(case_tmp, good, change)
    extra = extra(case_tmp) if callable(extra) else extra
    argv = ["train", "--data", str(data), "--out", str(case_tmp / "run"), "--preset", "compact",
            "--epochs", "1", "--no-progress"]
    if "--out" in extra:
        i = argv.index("--out")
        del argv[i:i + 2]
    return argv + list(extra)


def _run_error(argv, capsys):
    """Exit code 2 and the one error line (argparse usage errors exit 2 as well)."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err.splitlines()[-1]


def _assert_nothing_written(case_tmp):
    run = case_tmp / "run"
    assert not run.exists() or not any(run.iterdir()), sorted(run.iterdir())
    assert not list(case_tmp.rglob("*.tmp*"))


@pytest.mark.parametrize("change,extra,match", [c[1:] for c in TRAIN_CASES],
                         ids=[c[0] for c in TRAIN_CASES])
def test_train_bad_input(good, tmp_path, capsys, change, extra, match):
    err = _run_error(_argv(tmp_path, good, change, extra), capsys)
    assert err.startswith("stgcn-pyg train: error: ")
    assert __import__("re").search(match, err), err
    _assert_nothing_written(tmp_path)


def _checkpoint_file(tmp, kind):
    path = tmp / "model.pt"
    if kind == "0-byte":
        path.write_bytes(b"")
    elif kind == "foreign":
        torch.save({"weights": torch.zeros(3)}, path)
    elif kind == "text":
        path.write_text("not a checkpoint")
    elif kind in ("truncated", "other-layout"):
        from stgcn_pyg.models import STGCN, BlockSpec, save_model

        layout = "kinect-v1" if kind == "other-layout" else "ntu-rgb+d"
        save_model(STGCN(3, 12, layout, blocks=[BlockSpec(4)]), path)
        if kind == "truncated":
            path.write_bytes(path.read_bytes()[:500])
    return path


CHECKPOINT_KINDS = {
    "missing": r"model.pt: no such file",
    "0-byte": r"model.pt: not a readable torch file \(empty or cut short\)",
    "text": r"model.pt: not a readable torch file \(text, or a file holding objects",
    "truncated": r"model.pt: not a readable torch file \(truncated or not a torch archive",
    "foreign": r"model.pt: expected format 'stgcn-pyg/2' or 'stgcn-pyg/1'",
}
VERB_ARGS = {
    "evaluate": lambda ckpt, data, tmp: ["evaluate", "--checkpoint", str(ckpt), "--data",
                                         str(data), "--out", str(tmp / "run")],
    "export": lambda ckpt, data, tmp: ["export", "--checkpoint", str(ckpt), "--out",
                                       str(tmp / "run" / "m.onnx")],
    "plot importance": lambda ckpt, data, tmp: ["plot", "importance", "--checkpoint", str(ckpt),
                                                "--out", str(tmp / "run" / "i.png")],
}


@pytest.mark.parametrize("kind", list(CHECKPOINT_KINDS))
@pytest.mark.parametrize("verb", list(VERB_ARGS))
def test_bad_checkpoint(good, tmp_path, capsys, verb, kind):
    ckpt = _checkpoint_file(tmp_path, kind)
    err = _run_error(VERB_ARGS[verb](ckpt, good / GOOD, tmp_path), capsys)
    assert err.startswith(f"stgcn-pyg {verb.split()[0]}: error: ")
    assert __import__("re").search(CHECKPOINT_KINDS[kind], err), err
    _assert_nothing_written(tmp_path)


def test_checkpoint_of_another_layout(good, tmp_path, capsys):
    ckpt = _checkpoint_file(tmp_path, "other-layout")
    err = _run_error(VERB_ARGS["evaluate"](ckpt, good / GOOD, tmp_path), capsys)
    assert "test_data.npy: V = 25 joints (dim 3) does not match the layout's 20" in err
    _assert_nothing_written(tmp_path)


def _ntu_file(tmp, content):
    folder = tmp / "ntu"
    folder.mkdir()
    (folder / "S001C001P001R001A001.skeleton").write_text(content)
    return folder


def _ucla_file(tmp, content):
    folder = tmp / "ucla"
    folder.mkdir()
    (folder / "a01_s01_e00_v01.json").write_text(content)
    return folder


PREPARE_CASES = [
    ("ntu-missing", lambda tmp: ["ntu", str(tmp / "none")], r"no such directory"),
    ("ntu-empty", lambda tmp: ["ntu", str((tmp / "e").mkdir() or tmp / "e")],
     r"no .skeleton files"),
    ("ntu-0-byte", lambda tmp: ["ntu", str(_ntu_file(tmp, ""))],
     r"S001C001P001R001A001.skeleton: "),
    ("ntu-truncated", lambda tmp: ["ntu", str(_ntu_file(tmp, "2\n1\n72057594037931101 0 1 1 1 1 0 0"))],
     r"S001C001P001R001A001.skeleton: "),
    ("ucla-missing", lambda tmp: ["ucla", str(tmp / "none")], r"NW-UCLA folder .* no such directory"),
    ("ucla-truncated", lambda tmp: ["ucla", str(_ucla_file(tmp, '{"skeletons": [[0.1, '))],
     r"a01_s01_e00_v01.json: "),
    ("frames-0", lambda tmp: ["synthetic", "--frames", "0"], r"--frames: expected an int >= 1, got 0"),
    ("samples-0", lambda tmp: ["synthetic", "--samples", "0", "4"],
     r"--samples: expected an int >= 1, got 0"),
    ("synthetic-with-source", lambda tmp: ["synthetic", str(tmp)], r"source"),
    ("normalize-view-synthetic", lambda tmp: ["synthetic", "--normalize-view"],
     r"--normalize-view: only for ntu, ucla, msr-action3d, utkinect, got synthetic"),
    ("val-fraction-ntu", lambda tmp: ["ntu", str(tmp), "--val-fraction", "0.1"],
     r"--val-fraction: only for ucla, got ntu"),
    ("val-fraction-1", lambda tmp: ["ucla", str(_ucla_file(tmp, "{}").parent), "--val-fraction",
                                    "1"],
     r"--val-fraction: expected a finite number in \[0, 1\), got 1.0"),
    ("out-is-a-file", lambda tmp: ["synthetic", "--out", str(_layout_file(tmp, "x"))],
     r"--out .*layout.json: exists and is a file; pass --force"),
]


@pytest.mark.parametrize("args,match", [c[1:] for c in PREPARE_CASES],
                         ids=[c[0] for c in PREPARE_CASES])
def test_prepare_bad_input(tmp_path, capsys, args, match):
    args = args(tmp_path)
    argv = ["prepare", *args] + ([] if "--out" in args else ["--out", str(tmp_path / "run")])
    err = _run_error(argv, capsys)
    assert __import__("re").search(match, err), err
    _assert_nothing_written(tmp_path)


PLOT_BENCH_CASES = [
    ("plot-graph-layout", lambda tmp: ["plot", "graph", "--layout", "hands", "--out",
                                       str(tmp / "run" / "g.png")],
     r"layout: expected one of .* got 'hands'"),
    ("plot-graph-max-hop-0", lambda tmp: ["plot", "graph", "--max-hop", "0", "--out",
                                          str(tmp / "run" / "g.png")], r"--max-hop: expected an int >= 1, got 0"),
    ("plot-curves-missing", lambda tmp: ["plot", "curves", "--metrics", str(tmp / "none.json"),
                                         "--out", str(tmp / "run" / "c.png")], r"none.json: no such file"),
    ("plot-curves-0-byte", lambda tmp: ["plot", "curves", "--metrics", str(_layout_file(tmp, "")),
                                        "--out", str(tmp / "run" / "c.png")], r"layout.json: not valid JSON"),
    ("plot-sequence-rank", lambda tmp: ["plot", "sequence", "--input", str(_save(tmp, np.zeros((3, 4)))),
                                        "--out", str(tmp / "run" / "s.gif")],
     r"sequence: expected \[C, T, V\] or \[C, T, V, M\]"),
    ("bench-threads-0", lambda tmp: ["bench", "--threads", "0"], r"--threads: expected an int >= 1, got 0"),
    ("bench-batch-0", lambda tmp: ["bench", "--batch", "0", "--only", "models"],
     r"--batch: expected an int >= 1, got 0"),
    ("bench-repeats-0", lambda tmp: ["bench", "--repeats", "0", "--only", "models"],
     r"--repeats: expected an int >= 1, got 0"),
]


def _save(tmp, array):
    path = tmp / "seq.npy"
    np.save(path, array)
    return path


@pytest.mark.parametrize("argv,match", [c[1:] for c in PLOT_BENCH_CASES],
                         ids=[c[0] for c in PLOT_BENCH_CASES])
def test_plot_and_bench_bad_input(tmp_path, capsys, argv, match):
    err = _run_error(argv(tmp_path), capsys)
    assert __import__("re").search(match, err), err
    _assert_nothing_written(tmp_path)


def _api_cases():
    from stgcn_pyg.graph import Skeleton, build_graph
    from stgcn_pyg.models import STGCN, BlockSpec, load_model

    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(4)])
    return [
        ("empty-batch", lambda: model(torch.zeros(0, 3, 8, 18)),
         r"x: expected at least one sample \(N >= 1\), frame and person, got shape \[0, 3, 8, 18\]"),
        ("strategy-unknown", lambda: build_graph("openpose", "radial"), r"strategy: expected one of"),
        ("max-hop-0", lambda: build_graph("openpose", "spatial", 0), r"max_hop: expected"),
        ("skeleton-self-loop", lambda: Skeleton.from_edge_list([(0, 1), (1, 1)], center=0),
         r"edges: self-loop \(1, 1\)"),
        ("preset-unknown", lambda: STGCN.from_preset("huge", 4), r"preset: expected one of"),
        ("load-model-foreign", lambda: load_model(__file__), r"not a readable torch file"),
    ]


@pytest.mark.parametrize("index", range(6), ids=["empty-batch", "strategy-unknown", "max-hop-0",
                                                  "skeleton-self-loop", "preset-unknown",
                                                  "load-model-foreign"])
def test_python_api_bad_input(index):
    name, call, match = _api_cases()[index]
    with pytest.raises((ValueError, TypeError), match=match):
        call()
