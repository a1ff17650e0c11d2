"""The ``stgcn-pyg`` command line: one module per verb in :mod:`stgcn_pyg.commands`."""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

# verb -> (module in stgcn_pyg.commands, one-line help). Each module defines
# ``add_arguments(parser)`` and ``run(args) -> int``; it is imported only when used.
COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("train", "train a network on a seed-format folder (resumable, torchrun-ready)"),
    "evaluate": ("evaluate", "metrics and a confusion-matrix PNG of a checkpoint on a folder"),
    "predict": ("predict", "top classes with probabilities of clips or sliding windows "
                           "(.npy, NTU .skeleton, NW-UCLA .json)"),
    "ensemble": ("ensemble", "score fusion of saved per-sample scores of several runs, weights "
                             "given or fitted on a validation split"),
    "demo": ("demo", "train and evaluate on the embedded synthetic dataset (CPU, minutes)"),
    "prepare": ("prepare", "convert raw NTU / NW-UCLA recordings (or synthetic) to the folder format"),
    "plot": ("plot", "pictures: skeleton graphs, partitions, learned edge importance, sequences, "
                     "confusion matrices, training curves"),
    "export": ("export", "export a checkpoint to ONNX, checked against PyTorch in onnxruntime"),
    "bench": ("bench", "MP vs dense einsum: equivalence errors, speed, peak memory, scaling"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stgcn-pyg", description="ST-GCN on PyTorch Geometric: train, evaluate, plot, benchmark.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    for verb, (module, help_text) in COMMANDS.items():
        sub = verbs.add_parser(verb, help=help_text, description=help_text)
        sub.set_defaults(module=module)
        importlib.import_module(f"stgcn_pyg.commands.{module}").add_arguments(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one verb; returns the exit status: 0, or 2 with one error line on stderr (argparse's
    usage errors included, also when called in-process)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse printed the usage and its error (or --help: 0)
        return int(exit_.code or 0)
    command = importlib.import_module(f"stgcn_pyg.commands.{args.module}")
    try:
        return int(command.run(args) or 0)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as err:
        print(f"stgcn-pyg {args.verb}: error: {err}", file=sys.stderr)
        return 2
