"""The processed formats of other skeleton toolkits -> the folder format, without a full copy
in memory.

- ``stgcn-npy``: the original ST-GCN / mmskeleton ``{train,val}_data.npy`` [N, 3, T, V, M]
  float32 with ``{train,val}_label.pkl`` = ``(sample_names, labels)``, labels 0-based; also
  2s-AGCN's ``{train,val}_data_joint.npy`` naming.
- ``ctrgcn-npz``: CTR-GCN's ``x_train`` [N, T, M·V·C] (M = 2, V = 25, C = 3) with one-hot
  ``y_train`` [N, classes], and ``x_test`` / ``y_test``.

- ``kinetics``: Kinetics-skeleton per-video JSON with ``kinetics_{train,val}_label.json``.
- ``pyskl``: the pyskl / mmaction2 annotation pickle (3-D NTU-25 or 2-D COCO-17).

All write ``{train,test}_{data,label}.npy`` (``val`` becomes ``test``) and ``meta.json`` with
the layout and channel names, so ``train`` needs no ``--layout``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..io import atomic_path, load_json_object, load_npy, load_plain_pickle
from .folder import CLASSES_FILE, split_paths, write_folder_meta

CHANNELS = {"ntu-rgb+d": ["x", "y", "z"], "openpose": ["x", "y", "score"],
            "coco": ["x", "y", "score"]}
LAYOUT_OF_V = {25: "ntu-rgb+d", 18: "openpose", 17: "coco"}
CHUNK = 256  # samples copied at a time


def prepare_stgcn_npy(source: "str | Path", out: "str | Path",
                      layout: str | None = None) -> dict[str, int]:
    """An ST-GCN / 2s-AGCN processed folder -> the folder format. Returns samples per split."""
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"stgcn-npy folder {source}: no such directory")
    counts: dict[str, int] = {}
    shapes = []
    for theirs, ours in (("train", "train"), ("val", "test")):
        data_path = next((source / name for name in (f"{theirs}_data.npy",
                                                     f"{theirs}_data_joint.npy")
                          if (source / name).is_file()), None)
        if data_path is None:
            raise FileNotFoundError(f"stgcn-npy folder {source}: missing {theirs}_data.npy "
                                    f"(or 2s-AGCN's {theirs}_data_joint.npy)")
        data = load_npy(data_path)
        if data.ndim != 5:
            raise ValueError(f"{data_path}: expected data [N, C, T, V, M], got shape "
                             f"{list(data.shape)}")
        labels = _read_label_pickle(source / f"{theirs}_label.pkl", len(data))
        _write_split(out, ours, data, labels)
        counts[ours] = len(labels)
        shapes.append(data.shape)
    _write_meta(out, shapes[0][3], shapes[0][1], layout, "stgcn-npy")
    return counts


def prepare_ctrgcn_npz(source: "str | Path", out: "str | Path", persons: int = 2,
                       joints: int = 25, layout: str | None = None) -> dict[str, int]:
    """CTR-GCN's NTU ``.npz`` -> the folder format. Returns samples per split."""
    source = Path(source)
    if not source.is_file():
        raise FileNotFoundError(f"ctrgcn-npz file {source}: no such file")
    try:
        archive = np.load(source)
    except (OSError, ValueError) as err:
        raise ValueError(f"{source}: not a readable .npz archive ({err})") from None
    with archive:
        missing = [k for k in ("x_train", "y_train", "x_test", "y_test") if k not in archive]
        if missing:
            raise ValueError(f"{source}: missing arrays {missing} (expected x_train, y_train, "
                             f"x_test, y_test)")
        counts = {}
        for split in ("train", "test"):
            x, y = archive[f"x_{split}"], archive[f"y_{split}"]
            if x.ndim != 3 or x.shape[2] % (persons * joints):
                raise ValueError(f"{source}: x_{split}: expected [N, T, {persons} x {joints} x C], "
                                 f"got shape {list(x.shape)}")
            if y.ndim != 2 or len(y) != len(x) or not np.all(y.sum(axis=1) == 1) \
                    or not np.all((y == 0) | (y == 1)):
                raise ValueError(f"{source}: y_{split}: expected one-hot labels [N={len(x)}, "
                                 f"classes], got shape {list(y.shape)}")
            c = x.shape[2] // (persons * joints)
            # [N, T, M, V, C] -> [N, C, T, V, M]
            data = x.reshape(len(x), x.shape[1], persons, joints, c).transpose(0, 4, 1, 3, 2)
            _write_split(out, split, data, y.argmax(axis=1))
            counts[split] = len(x)
    _write_meta(out, joints, c, layout, "ctrgcn-npz")
    return counts


def _read_label_pickle(path: Path, count: int) -> np.ndarray:
    """``(sample_names, labels)`` -> labels [N] int64, checked against the data's N."""
    value: Any = load_plain_pickle(path, "label file")
    if not (isinstance(value, (tuple, list)) and len(value) == 2):
        raise ValueError(f"label file {path}: expected a pickle of (sample_names, labels), got "
                         f"{type(value).__name__}")
    names, labels = value
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer) or len(names) != len(labels):
        raise ValueError(f"label file {path}: expected as many integer labels as names, got "
                         f"{len(names)} names and labels of shape {list(labels.shape)} "
                         f"dtype {labels.dtype}")
    if len(labels) != count:
        raise ValueError(f"label file {path}: {len(labels)} labels but the data holds {count} "
                         f"samples")
    if labels.size and labels.min() < 0:
        raise ValueError(f"label file {path}: labels must be >= 0 (0-based), found "
                         f"{int(labels.min())}")
    return labels.astype(np.int64)


def _write_split(out: "str | Path", split: str, data: np.ndarray, labels) -> None:
    """One split of the folder format: ``data`` as float32 chunk by chunk, ``labels`` as
    int64, each file atomically."""
    data_path, label_path = split_paths(out, split)
    _copy(data, data_path)
    with atomic_path(label_path) as tmp:
        np.save(tmp, np.asarray(labels, dtype=np.int64))


def _copy(data: np.ndarray, path: Path) -> None:
    """Write ``data`` as float32 ``.npy`` chunk by chunk, atomically."""
    with atomic_path(path) as tmp:
        out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32, shape=data.shape)
        for start in range(0, len(data), CHUNK):
            out[start:start + CHUNK] = data[start:start + CHUNK]
        out.flush()
        del out


def _write_meta(out: "str | Path", num_nodes: int, channels: int, layout: str | None,
                source: str) -> None:
    layout = layout or LAYOUT_OF_V.get(num_nodes)
    names = CHANNELS.get(layout, [f"c{i}" for i in range(channels)])[:channels]
    write_folder_meta(out, layout, names, source)


def prepare_kinetics(source: "str | Path", out: "str | Path", frames: int = 300,
                     persons: int = 2, max_persons: int = 5) -> dict[str, int]:
    """Kinetics-skeleton (``kinetics_{train,val}/*.json`` + ``kinetics_{train,val}_label.json``)
    -> the folder format, as the original feeder reads it: 18 OpenPose joints, channels
    (x, y, score), up to ``max_persons`` per frame read, x and y centred by 0.5 and zeroed where
    the score is 0, persons ranked per frame by summed score and ``persons`` kept, videos whose
    label entry says ``has_skeleton: false`` skipped. ``val`` becomes ``test``."""
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"kinetics folder {source}: no such directory")
    counts, names = {}, {}
    for theirs, ours in (("train", "train"), ("val", "test")):
        label_path = source / f"kinetics_{theirs}_label.json"
        labels = load_json_object(label_path, "label file")
        clips, ys = [], []
        for video, entry in sorted(labels.items()):
            if not isinstance(entry, dict) or not {"has_skeleton", "label_index"} <= set(entry):
                raise ValueError(f"label file {label_path}: entry {video!r}: expected "
                                 f"{{has_skeleton, label, label_index}}, got {entry!r}"[:300])
            if not entry["has_skeleton"]:
                continue
            clip, index = kinetics_clip(source / f"kinetics_{theirs}" / f"{video}.json",
                                        frames, persons, max_persons)
            if index != entry["label_index"]:
                raise ValueError(f"{source / f'kinetics_{theirs}' / f'{video}.json'}: "
                                 f"label_index {index} but the label file says "
                                 f"{entry['label_index']}")
            clips.append(clip)
            ys.append(index)
            names[index] = entry.get("label", str(index))
        if not clips:
            raise ValueError(f"label file {label_path}: no video with a skeleton")
        _write_split(out, ours, np.stack(clips), ys)
        counts[ours] = len(ys)
    with atomic_path(Path(out) / CLASSES_FILE) as tmp:
        tmp.write_text("".join(f"{names.get(i, i)}\n" for i in range(max(names) + 1)))
    _write_meta(out, 18, 3, "openpose", "kinetics")
    return counts


def kinetics_clip(path: Path, frames: int, persons: int = 2, max_persons: int = 5,
                  record: dict | None = None) -> tuple[np.ndarray, int | None]:
    """One video's JSON -> ``[3, frames, 18, persons]`` and its ``label_index`` (None when the
    file has none, e.g. a clip to predict)."""
    record = load_json_object(path, "kinetics video") if record is None else record
    if "data" not in record:
        raise ValueError(f"kinetics video {path}: missing keys ['data']")
    clip = np.zeros((3, frames, 18, max_persons), dtype=np.float32)
    for frame in record["data"]:
        t = frame.get("frame_index")
        if not isinstance(t, int):
            raise ValueError(f"kinetics video {path}: frame_index: expected an int, got {t!r}")
        if not 0 <= t < frames:
            continue
        for m, person in enumerate(frame.get("skeleton", [])[:max_persons]):
            pose, score = np.asarray(person.get("pose", ())), np.asarray(person.get("score", ()))
            if pose.shape != (36,) or score.shape != (18,):
                raise ValueError(f"kinetics video {path}: frame {t}, person {m}: expected pose "
                                 f"[36] and score [18], got {list(pose.shape)} and "
                                 f"{list(score.shape)}")
            clip[0, t, :, m], clip[1, t, :, m], clip[2, t, :, m] = pose[0::2], pose[1::2], score
    clip[0:2] -= 0.5
    clip[0:2][:, clip[2] == 0] = 0
    order = (-clip[2].sum(axis=1)).argsort(axis=1, kind="stable")  # [T, M] by summed score
    clip = np.take_along_axis(clip, order[None, :, None, :], axis=3)
    label = record.get("label_index")
    return clip[..., :persons], (None if label is None else int(label))


def prepare_pyskl(source: "str | Path", out: "str | Path", train_split: str | None = None,
                  test_split: str | None = None, frames: int | None = None,
                  persons: int = 2) -> dict[str, int]:
    """A pyskl / mmaction2 annotation pickle -> the folder format.

    ``{"split": {name: [frame_dir, ...]}, "annotations": [{"frame_dir", "label", "keypoint"
    [M, T, V, C], "total_frames", "keypoint_score" [M, T, V]?, ...}]}``; 2-D keypoints get the
    score as third channel. Splits default to the one whose name ends in ``train`` and the one
    ending in ``val`` or ``test``. Clips are zero-padded to ``frames`` (default: the longest).
    """
    source = Path(source)
    record = load_plain_pickle(source, "pyskl annotations")
    if not isinstance(record, dict) or not {"split", "annotations"} <= set(record):
        raise ValueError(f"pyskl annotations {source}: expected a dict with 'split' and "
                         f"'annotations'")
    splits = record["split"]
    train_split = train_split or _split_named(splits, ("train",), source)
    test_split = test_split or _split_named(splits, ("val", "test"), source)
    by_name = {a.get("frame_dir"): a for a in record["annotations"]}
    counts = {}
    for ours, name in (("train", train_split), ("test", test_split)):
        if name not in splits:
            raise ValueError(f"pyskl annotations {source}: no split {name!r} (splits: "
                             f"{sorted(splits)})")
        clips = [_pyskl_clip(by_name, key, source, persons) for key in splits[name]]
        length = frames or max(c.shape[1] for c, _ in clips)
        data = np.zeros((len(clips), clips[0][0].shape[0], length) + clips[0][0].shape[2:],
                        np.float32)
        for i, (clip, _) in enumerate(clips):
            data[i, :, :min(length, clip.shape[1])] = clip[:, :length]
        _write_split(out, ours, data, [y for _, y in clips])
        counts[ours] = len(clips)
    v, c = data.shape[3], data.shape[1]
    _write_meta(out, v, c, None, "pyskl")
    return counts


def _split_named(splits: dict, endings: tuple[str, ...], source: Path) -> str:
    found = sorted(name for name in splits if name.endswith(endings))
    if len(found) != 1:
        raise ValueError(f"pyskl annotations {source}: cannot tell the split ending in "
                         f"{'/'.join(endings)} among {sorted(splits)}; pass it")
    return found[0]


def _pyskl_clip(by_name: dict, key: str, source: Path, persons: int) -> tuple[np.ndarray, int]:
    """One annotation -> ``[C, T, V, persons]`` and its label."""
    item = by_name.get(key)
    if item is None:
        raise ValueError(f"pyskl annotations {source}: split lists {key!r}, which has no "
                         f"annotation")
    missing = sorted({"keypoint", "label"} - set(item))
    if missing:
        raise ValueError(f"pyskl annotations {source}: annotation {key!r}: missing {missing}")
    keypoint = np.asarray(item["keypoint"], dtype=np.float32)
    if keypoint.ndim != 4:
        raise ValueError(f"pyskl annotations {source}: annotation {key!r}: keypoint: expected "
                         f"[M, T, V, C], got shape {list(keypoint.shape)}")
    if keypoint.shape[-1] == 2:  # 2-D: the score becomes the third channel
        score = np.asarray(item.get("keypoint_score", np.ones(keypoint.shape[:3])), np.float32)
        if score.shape != keypoint.shape[:3]:
            raise ValueError(f"pyskl annotations {source}: annotation {key!r}: keypoint_score: "
                             f"expected {list(keypoint.shape[:3])}, got {list(score.shape)}")
        keypoint = np.concatenate([keypoint, score[..., None]], axis=-1)
    clip = np.zeros((keypoint.shape[3], keypoint.shape[1], keypoint.shape[2], persons),
                    np.float32)
    kept = keypoint[:persons].transpose(3, 1, 2, 0)  # [C, T, V, M]
    clip[..., :kept.shape[3]] = kept
    return clip, int(item["label"])
