"""``stgcn-pyg plot PICTURE ... --out FILE``: graphs, partitions, learned edge importance,
sequences, confusion matrices and training curves."""
from __future__ import annotations

import argparse
from pathlib import Path

from ..graph import STRATEGIES, build_graph
from ..explain import METHODS
from ..io import load_json_object
from .options import COUNT, FINITE, INDEX


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pictures = parser.add_subparsers(dest="picture", required=True, metavar="PICTURE")

    def picture(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = pictures.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--out", required=True, type=Path,
                         help="image to write (.png, .svg or .pdf; .gif for sequence)")
        return sub

    def graph_options(sub: argparse.ArgumentParser, strategy: str) -> None:
        sub.add_argument("--layout", default="ntu-rgb+d", help="registered layout or .json file")
        sub.add_argument("--strategy", default=strategy, choices=STRATEGIES)
        sub.add_argument("--max-hop", type=COUNT, default=1)
        sub.add_argument("--dilation", type=COUNT, default=1)
        sub.add_argument("--exact-distance", action="store_true",
                         help="spatial: compare exact hop distances (default: the original's)")

    def view_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--azimuth", type=FINITE, default=0.0, help="view of 3-D data, degrees")
        sub.add_argument("--elevation", type=FINITE, default=0.0, help="camera tilt, degrees")

    labels = dict(choices=("names", "indices"), default=None, help="label the joints")

    sub = picture("graph", "the skeleton graph (networkx), at a default pose or a real frame")
    graph_options(sub, "uniform")
    sub.add_argument("--labels", **labels)
    sub.add_argument("--sequence", type=Path, help="place joints at a frame of this .json/.npy")
    sub.add_argument("--index", type=INDEX, help="sample of a stacked [N, ...] .npy")
    sub.add_argument("--frame", type=INDEX, default=0)
    sub.add_argument("--person", type=INDEX, default=0)
    view_options(sub)

    sub = picture("partitions", "a root joint's neighbours by partition, or all K matrices")
    graph_options(sub, "spatial")
    sub.add_argument("--labels", **labels)
    which = sub.add_mutually_exclusive_group(required=True)
    which.add_argument("--root", help="joint index or name whose neighbourhood is drawn")
    which.add_argument("--matrices", action="store_true", help="grid of the K adjacency matrices")

    sub = picture("importance", "learned edge importance x partition weight per block")
    sub.add_argument("--checkpoint", required=True, type=Path)
    sub.add_argument("--layer", type=INDEX, help="one block (default: all blocks)")
    sub.add_argument("--partition", type=INDEX, help="one partition (default: their sum)")
    sub.add_argument("--labels", **labels)

    sub = picture("sequence", "animated GIF of a skeleton sequence, optionally with a model's CAM")
    sub.add_argument("--input", required=True, type=Path, help="NW-UCLA .json or .npy")
    sub.add_argument("--index", type=INDEX, help="sample of a stacked [N, ...] .npy")
    sub.add_argument("--layout", help="default: the registered layout with the data's V")
    sub.add_argument("--checkpoint", type=Path,
                     help="colour joints by this model's class activation")
    sub.add_argument("--class", dest="class_index", type=INDEX,
                     help="class to explain (default: predicted)")
    sub.add_argument("--fps", type=COUNT, default=10)
    sub.add_argument("--max-frames", type=COUNT, default=40)
    view_options(sub)

    sub = picture("explain", "which joints and bones decided a model's prediction on a clip "
                             "(PyG explainers: integrated gradients, saliency, GNNExplainer)")
    sub.add_argument("--checkpoint", required=True, type=Path)
    sub.add_argument("clip", type=Path, metavar="CLIP",
                     help=".npy clip or stack, NTU .skeleton or NW-UCLA .json")
    sub.add_argument("--index", type=INDEX, default=0, help="clip of a stacked .npy (default 0)")
    sub.add_argument("--method", choices=METHODS, default="integrated_gradients")
    sub.add_argument("--target", type=INDEX, help="class to explain (default: predicted)")
    sub.add_argument("--epochs", type=COUNT, default=200, help="gnnexplainer: optimisation steps")
    sub.add_argument("--seed", type=INDEX, default=0, help="gnnexplainer: random seed")
    sub.add_argument("--labels", **labels)

    sub = picture("confusion", "confusion matrix from metrics.json")
    sub.add_argument("--metrics", required=True, type=Path)
    sub.add_argument("--class-names", help="comma-separated names or a text file, one per line")
    sub.add_argument("--counts", action="store_true", help="raw counts (default: row-normalized)")

    sub = picture("curves", "training curves from metrics.json (several: compared)")
    sub.add_argument("--metrics", required=True, type=Path, nargs="+")
    sub.add_argument("--names", nargs="+", help="one legend name per metrics file "
                     "(default: each file's folder name)")


def run(args: argparse.Namespace) -> int:
    draw = {"graph": _graph, "partitions": _partitions, "importance": _importance,
            "sequence": _sequence, "explain": _explain, "confusion": _confusion,
            "curves": _curves}[args.picture]
    draw(args)
    print(f"wrote {args.out}")
    return 0


def _graph(args) -> None:
    from ..viz.sequence import load_sequence
    from ..viz.skeleton import plot_skeleton

    graph = build_graph(args.layout, args.strategy, args.max_hop, args.dilation,
                        args.exact_distance)
    pose = None
    if args.sequence is not None:
        data = load_sequence(args.sequence, args.index)
        for name, value, size in (("frame", args.frame, data.shape[1]),
                                  ("person", args.person, data.shape[3])):
            if not 0 <= value < size:
                raise ValueError(f"{name}: expected 0..{size - 1}, got {value}")
        pose = data[:, args.frame, :, args.person].T
    plot_skeleton(graph, args.out, pose=pose, azimuth=args.azimuth, elevation=args.elevation,
                  labels=args.labels)


def _partitions(args) -> None:
    from ..viz.partitions import plot_partition_matrices, plot_partitions

    graph = build_graph(args.layout, args.strategy, args.max_hop, args.dilation,
                        args.exact_distance)
    if args.matrices:
        plot_partition_matrices(graph, args.out)
    else:
        plot_partitions(graph, args.root, args.out, labels=args.labels)


def _importance(args) -> None:
    from ..viz.importance import plot_importance

    plot_importance(args.checkpoint, args.out, layer=args.layer, partition=args.partition,
                    labels=args.labels)


def _sequence(args) -> None:
    from ..models import load_model
    from ..viz.activation import class_activation
    from ..viz.sequence import load_sequence, plot_sequence

    data = load_sequence(args.input, args.index)
    activation, label, layout = None, "activation", args.layout
    if args.checkpoint is not None:
        model = load_model(args.checkpoint)
        activation, index = class_activation(model, data, args.class_index)
        label = f"class activation (CAM) of class {index}"
        layout = layout or getattr(model.graph, "layout", None)
    plot_sequence(data, args.out, layout=layout, activation=activation, activation_label=label,
                  azimuth=args.azimuth, elevation=args.elevation, fps=args.fps,
                  max_frames=args.max_frames,
                  title=args.input.stem + (f" [{args.index}]" if args.index is not None else ""))


def _explain(args) -> None:
    import numpy as np
    import torch

    from ..data.clips import model_input, read_clips
    from ..explain import explain_clip
    from ..models import load_model_and_metadata
    from ..viz.explanation import plot_explanation

    model, metadata = load_model_and_metadata(args.checkpoint)
    model.eval()
    raw_channels, to_input = model_input(model, metadata, args.checkpoint)
    clips = read_clips(args.clip, raw_channels, model.num_nodes)
    if not 0 <= args.index < len(clips):
        raise ValueError(f"--index: expected 0..{len(clips) - 1} ({args.clip} holds "
                         f"{len(clips)} clips), got {args.index}")
    name, clip = clips[args.index]
    if not np.isfinite(clip).all():
        raise ValueError(f"{name}: holds NaN or inf coordinates")
    x = to_input(torch.from_numpy(np.array(clip, dtype=np.float32)))
    if model.persons is not None and x.size(-1) != model.persons:
        raise ValueError(f"{name}: the model takes {model.persons} persons, the clip holds "
                         f"{x.size(-1)}")
    torch.manual_seed(args.seed)
    explanation = explain_clip(model, x, args.method, args.target, epochs=args.epochs)
    names = metadata.get("class_names") or [f"class {i}" for i in range(model.num_classes)]
    plot_explanation(explanation, model.graph, args.out, labels=args.labels,
                     class_name=names[explanation.target])
    top = explanation.joint_mask.topk(min(5, model.num_nodes))
    print(f"{name}: {args.method} for class {explanation.target} ({names[explanation.target]});"
          f" top joints " + ", ".join(f"{int(v)} {float(s):.3f}" for s, v in zip(*top)))


def _confusion(args) -> None:
    metrics = _read_metrics(args.metrics)
    key = next((k for k in ("confusion_matrix", "confusion") if k in metrics), None)
    if key is None:
        raise ValueError(f"metrics {args.metrics}: no confusion matrix (key 'confusion_matrix' "
                         f"or 'confusion'); found keys {sorted(metrics)}")
    matrix = metrics[key]
    names = metrics.get("class_names") or [str(i) for i in range(len(matrix))]
    if args.class_names:
        source = Path(args.class_names)
        names = (source.read_text().split("\n") if source.is_file()
                 else args.class_names.split(","))
        names = [n.strip() for n in names if n.strip()]
    if len(names) != len(matrix):
        raise ValueError(f"class-names: expected {len(matrix)} names, got {len(names)}")
    from ..viz.confusion import plot_confusion

    plot_confusion(matrix, names, args.out, normalize=not args.counts)


def _curves(args) -> None:
    from ..viz.curves import compare_curves, plot_curves

    names = args.names or [path.parent.name or str(path) for path in args.metrics]
    if len(names) != len(args.metrics):
        raise ValueError(f"names: expected {len(args.metrics)} (one per metrics file), "
                         f"got {len(names)}")
    histories = {}
    for name, path in zip(names, args.metrics):
        history = _read_metrics(path).get("history")
        if not isinstance(history, list) or not history:
            raise ValueError(f"metrics {path}: expected a non-empty 'history' list of "
                             f"per-epoch dicts")
        histories[name] = history
    if len(histories) != len(names):
        raise ValueError(f"names: expected distinct names, got {names}; pass --names")
    if len(args.metrics) == 1:
        plot_curves(histories[names[0]], args.out)
    else:
        compare_curves(histories, args.out)


def _read_metrics(path: Path) -> dict:
    return load_json_object(path, "metrics")
