"""``stgcn-pyg export``: a checkpoint to ONNX, checked against PyTorch in onnxruntime."""
from __future__ import annotations

import argparse
import importlib

from ..export import OPSETS, export_onnx
from ..models import load_model


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="model or training checkpoint (.pt)")
    parser.add_argument("--out", required=True, help="output .onnx file")
    parser.add_argument("--frames", type=int, default=64, help="T of the exported input (64)")
    parser.add_argument("--persons", type=int, default=1, help="M of the exported input (1)")
    parser.add_argument("--exporter", choices=list(OPSETS), default="dynamo",
                        help="torch.onnx exporter (dynamo: opsets 18-23; torchscript: 16-20)")
    parser.add_argument("--opset", type=int, default=None,
                        help="ONNX opset (default: 18 for dynamo, 16 for torchscript)")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the onnxruntime comparison (atol 1e-4, batch sizes 2 and 3)")
    parser.add_argument("--import", dest="imports", action="append", default=[],
                        metavar="MODULE", help="import a module that registers custom layers "
                                               "(repeatable)")


def run(args: argparse.Namespace) -> int:
    for module in args.imports:
        importlib.import_module(module)
    model = load_model(args.checkpoint)
    report = export_onnx(model, args.out, frames=args.frames, persons=args.persons,
                         opset=args.opset, exporter=args.exporter, check=not args.no_check)
    shape = ["batch", model.in_channels, args.frames, model.num_nodes, args.persons]
    print(f"wrote {args.out}: {report['exporter']} exporter, opset {report['opset']}, "
          f"input x {shape}, output logits [batch, {model.num_classes}]")
    for batch, error in report["max_abs_error"].items():
        print(f"onnxruntime vs PyTorch, batch {batch}: max |error| {error:.3g}")
    return 0
