"""``stgcn-pyg prepare``: raw recordings (NTU ``.skeleton`` folder, NW-UCLA JSON) or the
synthetic generator -> the seed's folder format."""
from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from ..data import (prepare_ctrgcn_npz, prepare_kinetics, prepare_msr, prepare_ntu,
                    prepare_pyskl, prepare_stgcn_npy, prepare_ucla, prepare_utkinect,
                    write_synthetic)
from ..data.prepare import FIT_MODES
from ..io import new_folder
from .options import COUNT, INDEX, float_in


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=["ntu", "ucla", "msr-action3d", "utkinect", "stgcn-npy",
                                         "ctrgcn-npz", "kinetics",
                                         "pyskl", "synthetic"],
                        help="ntu: folder of .skeleton files; ucla: NW-UCLA JSON folder; "
                             "msr-action3d: MSR Action3D skeleton3D.txt folder; utkinect: "
                             "UTKinect-Action3D joints folder with actionLabel.txt; "
                             "stgcn-npy: ST-GCN/2s-AGCN {train,val}_data(_joint).npy + "
                             "_label.pkl folder; ctrgcn-npz: CTR-GCN .npz file; kinetics: "
                             "Kinetics-skeleton JSON folder; pyskl: pyskl/mmaction2 .pkl; "
                             "synthetic: the demo generator")
    parser.add_argument("source", nargs="?", help="raw folder or file (not for synthetic)")
    parser.add_argument("--out", required=True, help="seed-format folder to write (a new one: "
                        "an existing folder with files is refused unless --force)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing --out (the old content stays until the new "
                             "one is complete)")
    parser.add_argument("--frames", type=COUNT, help="frames T (default: ntu 300, ucla 52, "
                        "msr-action3d and utkinect 64, synthetic 32)")
    parser.add_argument("--bodies", type=COUNT, default=2, help="ntu: bodies M kept (default 2)")
    parser.add_argument("--protocol", choices=["xsub", "xview", "loso"], default="xsub",
                        help="ntu: xsub or xview; msr-action3d: xsub (odd subjects train); "
                             "utkinect: xsub (subjects 1-5 train) or loso with --fold "
                             "(default xsub)")
    parser.add_argument("--fold", type=COUNT,
                        help="utkinect --protocol loso: the test subject 1..10")
    parser.add_argument("--mode", choices=FIT_MODES,
                        help="fit to T frames (default: ntu pad, the others resample)")
    parser.add_argument("--samples", type=COUNT, nargs=2, default=(960, 480),
                        metavar=("TRAIN", "TEST"), help="synthetic: clips per split")
    parser.add_argument("--layout", default=None,
                        help="synthetic: layout (default ntu-rgb+d); stgcn-npy/ctrgcn-npz: "
                             "layout recorded for train (default: from the joint count)")
    parser.add_argument("--seed", type=INDEX, default=0,
                        help="synthetic: generator seed; ucla: --val-fraction draw (default 0)")
    parser.add_argument("--normalize-view", action="store_true",
                        help="ntu, ucla: rotate every sequence so that hip->spine is +y and the "
                             "shoulder line +x (view normalisation)")
    parser.add_argument("--val-fraction", type=float_in(0.0, 1.0, high_open=True), default=0.0,
                        help="ucla: hold out this fraction of the training views' recordings "
                             "as a val split (for ensemble weights; default 0)")
    parser.add_argument("--train-split", help="pyskl: split name (default: the one ending in "
                        "train)")
    parser.add_argument("--test-split", help="pyskl: split name (default: the one ending in "
                        "val or test)")


def run(args: argparse.Namespace) -> int:
    if args.kind != "synthetic" and args.source is None:
        raise ValueError(f"source: the raw {args.kind} folder is required")
    if args.kind == "synthetic" and args.source is not None:
        raise ValueError(f"source: synthetic data is generated, expected no source folder, got "
                         f"{args.source!r}")
    raw = ("ntu", "ucla", "msr-action3d", "utkinect")
    if args.kind not in raw and args.normalize_view:
        raise ValueError(f"--normalize-view: only for {', '.join(raw)}, got {args.kind}")
    allowed = {"ntu": ("xsub", "xview"), "msr-action3d": ("xsub",),
               "utkinect": ("xsub", "loso")}.get(args.kind, ("xsub",))
    if args.protocol not in allowed:
        raise ValueError(f"--protocol: {args.kind} has {list(allowed)}, got {args.protocol!r}")
    if args.kind != "ucla" and args.val_fraction:
        raise ValueError(f"--val-fraction: only for ucla, got {args.kind}")
    progress = lambda files: tqdm(files, desc="prepare", leave=False)  # noqa: E731
    with new_folder(args.out, args.force) as out:  # nothing half-written, nothing lost
        if args.kind == "ntu":
            counts = prepare_ntu(args.source, out, args.frames or 300, args.bodies,
                                 args.protocol, args.mode or "pad",
                                 normalize_view=args.normalize_view, progress=progress)
        elif args.kind == "ucla":
            counts = prepare_ucla(args.source, out, args.frames or 52,
                                  mode=args.mode or "resample", normalize_view=args.normalize_view,
                                  val_fraction=args.val_fraction, seed=args.seed, progress=progress)
        elif args.kind == "msr-action3d":
            counts = prepare_msr(args.source, out, args.frames or 64, args.mode or "resample",
                                 args.normalize_view, progress=progress)
        elif args.kind == "utkinect":
            counts = prepare_utkinect(args.source, out, args.frames or 64, args.protocol,
                                      args.fold, args.mode or "resample", args.normalize_view)
        elif args.kind == "stgcn-npy":
            counts = prepare_stgcn_npy(args.source, out, args.layout)
        elif args.kind == "ctrgcn-npz":
            counts = prepare_ctrgcn_npz(args.source, out, layout=args.layout)
        elif args.kind == "kinetics":
            counts = prepare_kinetics(args.source, out, args.frames or 300, args.bodies)
        elif args.kind == "pyskl":
            counts = prepare_pyskl(args.source, out, args.train_split, args.test_split,
                                   args.frames, args.bodies)
        else:
            write_synthetic(out, *args.samples, args.frames or 32, args.layout or "ntu-rgb+d",
                            args.seed)
            counts = dict(zip(("train", "test"), args.samples))
    val = f" / {counts['val']} val" if "val" in counts else ""
    print(f"wrote {args.out}: {counts['train']} train{val} / {counts['test']} test samples")
    return 0
