"""Property-based abuse of the command line (issue 23): whatever hypothesis feeds it, a verb
run in-process exits 0, or exits 2 with one line that names the argument or the file, and
changes no file outside its own new folder.

Profiles: ``ci`` (the default, about a minute) and ``long`` (``HYPOTHESIS_PROFILE=long``,
ten times the examples). Failing examples found go into tests/test_bad_input.py."""
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from training_fixtures import tiny_data, tiny_preset  # noqa: F401

from stgcn_pyg.cli import main

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=250, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _refused(capsys, argv, names):
    """``main(argv)`` exits 2 with one ``stgcn-pyg`` line naming one of ``names``."""
    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("stgcn-pyg ")]
    assert code == 2, (argv, code, err[-2000:])
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    assert any(name in lines[0] for name in names), lines[0]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from stgcn_pyg.models import STGCN, BlockSpec, save_model

    path = tmp_path_factory.mktemp("model") / "model.pt"
    save_model(STGCN(3, 4, "ntu-rgb+d", blocks=[BlockSpec(4)]), path)
    return path


@given(cut=st.floats(0.0, 0.999), noise=st.binary(max_size=64))
def test_truncated_or_garbled_checkpoints(model_file, tmp_path_factory, capsys, cut, noise):
    data = model_file.read_bytes()
    bad = tmp_path_factory.mktemp("bad") / "bad.pt"
    bad.write_bytes(data[:int(cut * len(data))] + noise)
    clip = bad.parent / "clip.npy"
    np.save(clip, np.zeros((3, 4, 25), dtype=np.float32))
    argv = ["predict", "--checkpoint", str(bad), str(clip)]
    if main(argv) == 0:  # only when the bytes lost held nothing (the zip's trailing padding):
        from stgcn_pyg.models import load_model  # the model read is the model saved

        good, read = load_model(model_file).state_dict(), load_model(bad).state_dict()
        assert good.keys() == read.keys()
        assert all(torch.equal(good[k], read[k]) for k in good)
        capsys.readouterr()
        return
    capsys.readouterr()
    _refused(capsys, argv, ["bad.pt"])


@given(obj=st.recursive(st.none() | st.integers() | st.text(max_size=5) | st.floats(),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                        max_leaves=8))
def test_foreign_pickles_as_checkpoints(tmp_path_factory, capsys, obj):
    bad = tmp_path_factory.mktemp("pickle") / "foreign.pt"
    torch.save(obj, bad)
    _refused(capsys, ["plot", "importance", "--checkpoint", str(bad), "--out",
                      str(bad.parent / "i.png")], ["foreign.pt"])
    assert not (bad.parent / "i.png").exists()


OPTIONS = {"--epochs": st.integers(-5, 0) | st.just("1.5") | st.just("x"),
           "--lr": st.sampled_from(["0", "-1", "nan", "inf", "x"]),
           "--batch-size": st.integers(-3, 0),
           "--weight-decay": st.sampled_from(["-1", "nan"]),
           "--label-smoothing": st.sampled_from(["1", "-0.1", "2"]),
           "--eval-every": st.integers(-2, 0),
           "--warmup": st.sampled_from(["-1", "inf"]),
           "--rotation": st.sampled_from(["-1 0 0", "nan 0 0", "inf 1 1"]),
           "--device": st.sampled_from(["tpu", "cuda:x", "gpu"]),
           "--workers": st.integers(-3, -1)}


@given(option=st.sampled_from(sorted(OPTIONS)), data=st.data())
def test_bad_train_options(tiny_data, tmp_path_factory, capsys, option, data):
    value = str(data.draw(OPTIONS[option]))
    before = _digest(tiny_data)
    out = tmp_path_factory.mktemp("run") / "run"
    argv = ["train", "--data", str(tiny_data), "--out", str(out), "--preset", "tiny",
            "--no-progress", option, *value.split(" ")]
    _refused(capsys, argv, [option.lstrip("-").replace("-", "_"), option, "rotation",
                            "warmup"])
    assert _digest(tiny_data) == before  # the data are never touched
    assert not out.exists() or not any(out.rglob("*.pt"))  # nothing trained, nothing saved


@given(shape=st.sampled_from([(0, 3, 4, 25), (2, 3, 4), (2, 2, 4, 25), (2, 3, 0, 25)]),
       dtype=st.sampled_from(["float32", "int64", "complex64"]), nan=st.booleans(),
       labels=st.sampled_from([[0, 1], [0, -1], [0, 99], [0]]))
def test_bad_npy_folders(tmp_path_factory, capsys, shape, dtype, nan, labels):
    folder = tmp_path_factory.mktemp("npy")
    data = np.ones(shape, dtype=dtype)
    if nan and data.size and dtype != "int64":
        data.flat[0] = np.nan
    for split in ("train", "test"):
        np.save(folder / f"{split}_data.npy", data)
        np.save(folder / f"{split}_label.npy", np.array(labels))
    _refused(capsys, ["train", "--data", str(folder), "--out", str(folder / "run"),
                      "--preset", "tiny", "--epochs", "1", "--no-progress"],
             [str(folder), "train_data.npy", "train_label.npy", "test_data.npy", "--data",
              "layout", "num_classes", "data"])


@given(spec=st.dictionaries(st.sampled_from(["num_nodes", "edges", "center", "joint_names"]),
                            st.none() | st.integers(-2, 30) | st.floats(allow_nan=True)
                            | st.text(max_size=3) | st.booleans()
                            | st.lists(st.lists(st.integers(-1, 30) | st.floats(), max_size=3),
                                       max_size=4)))
def test_bad_layout_files(tmp_path_factory, spec):
    from stgcn_pyg.graph import get_skeleton

    path = tmp_path_factory.mktemp("layout") / "layout.json"
    path.write_text(json.dumps(spec))
    try:
        get_skeleton(path)
    except ValueError as err:
        assert "layout.json" in str(err) or "layout" in str(err), str(err)


# Bad values by what an option holds: "x", a fraction or a bool where an int is due, numbers
# out of range, NaN and infinities.
BAD = {"count": st.integers(-3, 0).map(str) | st.sampled_from(["x", "1.5", "true", ""]),
       "index": st.integers(-3, -1).map(str) | st.sampled_from(["x", "0.5", "true"]),
       "finite": st.sampled_from(["nan", "inf", "-inf", "x"]),
       "positive": st.sampled_from(["0", "-1", "nan", "inf", "x"]),
       "unit_open": st.sampled_from(["0", "-0.5", "1.5", "nan", "x"]),  # (0, 1]
       "unit": st.sampled_from(["1", "-0.1", "nan", "inf", "x"])}       # [0, 1)


def _numeric_cases(paths):
    """``(argv, option, kind)``: every int or float option of every verb, with an argv that is
    valid without it (``paths``: the fixtures' files)."""
    model, data, clip, scores, out = (str(paths[k]) for k in ("model", "data", "clip", "scores",
                                                               "out"))
    bases = {
        "evaluate": ["evaluate", "--checkpoint", model, "--data", data],
        "predict": ["predict", "--checkpoint", model, clip],
        "ensemble": ["ensemble", "--scores", scores, scores],
        "demo": ["demo", "--out", out, "--epochs", "1", "--train-samples", "12",
                 "--test-samples", "12", "--frames", "8"],
        "prepare": ["prepare", "synthetic", "--out", out, "--samples", "4", "4", "--frames", "8"],
        "plot graph": ["plot", "graph", "--out", out + ".png"],
        "plot partitions": ["plot", "partitions", "--root", "1", "--out", out + ".png"],
        "plot importance": ["plot", "importance", "--checkpoint", model, "--out", out + ".png"],
        "plot sequence": ["plot", "sequence", "--input", clip, "--out", out + ".gif"],
        "plot explain": ["plot", "explain", "--checkpoint", model, clip, "--method",
                         "gnnexplainer", "--epochs", "1", "--out", out + ".png"],
        "export": ["export", "--checkpoint", model, "--out", out + ".onnx"],
        "bench": ["bench", "--only", "models", "--out", out],
    }
    options = {
        "evaluate": {"--weights": "positive", "--clips": "count", "--clip-ratio": "unit_open",
                     "--batch-size": "count"},
        "predict": {"--top": "count", "--frames": "count", "--window": "count",
                    "--stride": "count"},
        "ensemble": {"--weights": "positive"},
        "demo": {"--epochs": "count", "--train-samples": "count", "--test-samples": "count",
                 "--frames": "count", "--seed": "index"},
        "prepare": {"--frames": "count", "--bodies": "count", "--fold": "count",
                    "--samples": "count", "--seed": "index", "--val-fraction": "unit"},
        "plot graph": {"--max-hop": "count", "--dilation": "count", "--index": "index",
                       "--frame": "index", "--person": "index", "--azimuth": "finite",
                       "--elevation": "finite"},
        "plot partitions": {"--max-hop": "count", "--dilation": "count"},
        "plot importance": {"--layer": "index", "--partition": "index"},
        "plot sequence": {"--index": "index", "--class": "index", "--fps": "count",
                          "--max-frames": "count", "--azimuth": "finite", "--elevation": "finite"},
        "plot explain": {"--index": "index", "--target": "index", "--epochs": "count",
                         "--seed": "index"},
        "export": {"--frames": "count", "--persons": "count", "--opset": "count"},
        "bench": {"--threads": "count", "--batch": "count", "--repeats": "count",
                  "--sizes": "count"},
    }
    return [(bases[verb], option, kind) for verb, table in options.items()
            for option, kind in table.items()]


def test_every_numeric_option_of_every_verb_is_in_the_table():
    import argparse

    from stgcn_pyg.cli import build_parser

    found = set()

    def walk(parser, words):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, words + [name])
            elif action.option_strings and action.type not in (None, str) and \
                    getattr(action.type, "__module__", "") != "pathlib":
                found.add((" ".join(words), action.option_strings[-1]))

    walk(build_parser(), [])
    paths = dict.fromkeys(("model", "data", "clip", "scores", "out"), "P")
    covered = {(" ".join(base[:2]) if base[0] == "plot" else base[0], option)
               for base, option, _ in _numeric_cases(paths)}
    train = {pair for pair in found if pair[0] == "train"}  # tests/test_properties: OPTIONS
    assert found - train - covered == set()
    assert {option for _, option in train} - set(OPTIONS) <= {"--seed", "--momentum", "--gamma",
                                                              "--grad-clip", "--milestones"}


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory, model_file):
    from stgcn_pyg.data import write_synthetic

    root = tmp_path_factory.mktemp("cli")
    write_synthetic(root / "data", train=8, test=8, frames=6, seed=0, num_classes=4)
    np.save(root / "clip.npy", np.zeros((3, 6, 25), dtype=np.float32))
    scores = root / "scores.json"
    scores.write_text(json.dumps({"labels": [0, 1], "scores": [[0.1, 0.9], [0.8, 0.2]]}))
    return {"model": model_file, "data": root / "data", "clip": root / "clip.npy",
            "scores": scores, "root": root}


@settings(max_examples=5 * settings.default.max_examples)  # ci 125, long 1250
@given(data=st.data())
def test_bad_numbers_for_any_verb(cli_files, tmp_path_factory, capsys, data):
    out = tmp_path_factory.mktemp("out") / "new"
    cases = _numeric_cases({**cli_files, "out": out})
    base, option, kind = data.draw(st.sampled_from(cases))
    value = data.draw(BAD[kind])
    before = _digest(cli_files["root"])
    _refused(capsys, base + [option, value], [option])
    assert _digest(cli_files["root"]) == before
    assert not any(out.parent.iterdir())  # nothing written


@given(shape=st.lists(st.integers(0, 30), min_size=1, max_size=5),
       dtype=st.sampled_from(["float32", "float64", "int64", "bool", "complex64"]),
       fill=st.sampled_from(["zeros", "random", "nan", "inf", "huge"]))
def test_bad_clips_for_predict(model_file, tmp_path_factory, capsys, shape, dtype, fill):
    folder = tmp_path_factory.mktemp("clip")
    data = {"zeros": np.zeros, "random": lambda s: np.random.default_rng(0).normal(size=s),
            "nan": lambda s: np.full(s, np.nan), "inf": lambda s: np.full(s, np.inf),
            "huge": lambda s: np.full(s, 1e38)}[fill](shape)
    if dtype in ("int64", "bool"):  # NaN, inf and 1e38 have no integer value
        data = np.zeros(shape)
    np.save(folder / "clip.npy", data.astype(dtype))
    argv = ["predict", "--checkpoint", str(model_file), str(folder / "clip.npy"), "--json",
            str(folder / "out" / "p.json")]
    before = _digest(folder)
    code = main(argv)
    err = capsys.readouterr().err
    if code == 0:  # a readable clip: finite probabilities for every class
        rows = json.loads((folder / "out" / "p.json").read_text())
        assert rows and all(np.isfinite(t["probability"]) for r in rows for t in r["top"])
        return
    assert code == 2 and "Traceback" not in err, err[-2000:]
    lines = [line for line in err.splitlines() if line.startswith("stgcn-pyg ")]
    assert len(lines) == 1 and "clip.npy" in lines[0], lines
    assert _digest(folder) == before and not (folder / "out").exists()


TEXT_OPTIONS = {"--layout": st.text(max_size=8), "--stream": st.text(max_size=8),
                "--spatial": st.text(max_size=8), "--temporal": st.text(max_size=8),
                "--spatial-kwargs": st.text(max_size=12), "--milestones": st.text(max_size=6),
                "--preset": st.text(max_size=6), "--amp": st.text(max_size=4)}


@given(option=st.sampled_from(sorted(TEXT_OPTIONS)), data=st.data())
def test_random_text_for_train_options(tiny_data, tmp_path_factory, capsys, option, data):
    value = data.draw(TEXT_OPTIONS[option])
    out = tmp_path_factory.mktemp("run") / "run"
    argv = ["train", "--data", str(tiny_data), "--out", str(out), "--preset", "tiny",
            "--epochs", "1", "--no-progress", option, value]
    if option == "--spatial-kwargs":
        argv += ["--spatial", "mp"]
    before = _digest(tiny_data)
    code = main(argv)
    err = capsys.readouterr().err
    assert _digest(tiny_data) == before
    if code == 0:  # a valid value after all (an empty milestone list, a registered name)
        metrics = json.loads((out / "metrics.json").read_text())
        assert np.isfinite(metrics["test_top1"])
        return
    lines = [line for line in err.splitlines() if line.startswith("stgcn-pyg ")]
    assert code == 2 and "Traceback" not in err and len(lines) == 1, err[-2000:]
    name = option.lstrip("-")
    assert any(n in lines[0] for n in (option, name, name.replace("-", "_"), "layout file",
                                       "spatial", "temporal")), lines[0]
    assert not out.exists() or not any(out.rglob("*.pt"))
