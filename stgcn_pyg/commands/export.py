"""``stgcn-pyg export``: a checkpoint to ONNX, checked against PyTorch in onnxruntime."""
from __future__ import annotations

import argparse

from ..export import OPSETS, export_onnx
from ..models import load_model
from .options import COUNT, add_import_argument, import_modules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", required=True, help="model or training checkpoint (.pt)")
    parser.add_argument("--out", required=True, help="output .onnx file")
    parser.add_argument("--frames", type=COUNT, default=64, help="T of the exported input (64)")
    parser.add_argument("--persons", type=COUNT, default=1, help="M of the exported input (1)")
    parser.add_argument("--exporter", choices=list(OPSETS), default="dynamo",
                        help="torch.onnx exporter (dynamo: opsets 18-23)")
    parser.add_argument("--opset", type=COUNT, default=None,
                        help="ONNX opset (default: 18)")
    parser.add_argument("--no-check", action="store_true",
                        help="skip the onnxruntime comparison (atol 1e-4, batch sizes 2 and 3)")
    add_import_argument(parser)


def run(args: argparse.Namespace) -> int:
    import_modules(args)
    model = load_model(args.checkpoint)
    report = export_onnx(model, args.out, frames=args.frames, persons=args.persons,
                         opset=args.opset, exporter=args.exporter, check=not args.no_check)
    shape = ["batch", model.in_channels, args.frames, model.num_nodes, args.persons]
    print(f"wrote {args.out}: {report['exporter']} exporter, opset {report['opset']}, "
          f"input x {shape}, output logits [batch, {model.num_classes}]")
    for batch, error in report["max_abs_error"].items():
        print(f"onnxruntime vs PyTorch, batch {batch}: max |error| {error:.3g}")
    return 0
