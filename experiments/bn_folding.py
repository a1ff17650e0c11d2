"""Inference with each block's temporal (and residual) BatchNorm folded into its convolution.

    python experiments/bn_folding.py [--presets seed stgcn] [--batch 64] [--repeats 9]

At inference a BatchNorm right after a convolution is an affine map per channel, so it can be
multiplied into that convolution's weight and bias (``torch.nn.utils.fusion.fuse_conv_bn_eval``)
and one elementwise pass over the block's output disappears. The BatchNorm after the spatial
layer is not folded: its shift would have to be added after the graph aggregation, which is
one pass again. Times the plain and the folded model (eager, fp32, 2 threads) interleaved in
one process, checks that their outputs agree, and writes
``experiments/results/bn_folding.json``. Not a unit test.
"""
from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from stgcn_pyg.bench.speed import model_candidates
from stgcn_pyg.bench.timing import interleaved_times, summarize
from stgcn_pyg.nn import STGCNBlock

RESULTS = Path(__file__).resolve().parent / "results" / "bn_folding.json"


def fold_temporal_batchnorms(model: nn.Module) -> nn.Module:
    """An eval-mode copy of ``model`` whose blocks' ``tcn.conv -> tcn.bn_out`` and residual
    ``conv -> bn`` pairs are single convolutions."""
    model = copy.deepcopy(model).eval()
    for block in model.modules():
        if not isinstance(block, STGCNBlock):
            continue
        block.tcn.conv = fuse_conv_bn_eval(block.tcn.conv, block.tcn.bn_out)
        block.tcn.bn_out = nn.Identity()
        if isinstance(block.residual, nn.Sequential):
            block.residual.conv = fuse_conv_bn_eval(block.residual.conv, block.residual.bn)
            block.residual.bn = nn.Identity()
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["seed", "stgcn"])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    torch.set_num_threads(2)
    rows = []
    for preset in args.presets:
        plain = model_candidates(preset, ["mp-fused"])["mp-fused"]
        for module in plain.modules():  # running statistics away from 0 / 1, as after training
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-1, 1)
                module.running_var.uniform_(0.5, 2)
        plain.eval()
        folded = fold_temporal_batchnorms(plain)
        x = torch.randn(args.batch, 3, 80, 25)
        with torch.no_grad():
            expected, actual = plain(x), folded(x)
        error = ((actual - expected).abs().max() / expected.abs().max()).item()

        def infer(model: nn.Module):
            def run() -> None:
                with torch.no_grad():
                    model(x)
            return run
        times = interleaved_times({"plain": infer(plain), "folded": infer(folded)}, args.repeats)
        plain_ms, folded_ms = (summarize(times[k])["median_ms"] for k in ("plain", "folded"))
        row = {"preset": preset, "batch": args.batch, "plain_ms": round(plain_ms, 1),
               "folded_ms": round(folded_ms, 1), "ratio": round(folded_ms / plain_ms, 3),
               "max_relative_error": error}
        rows.append(row)
        print(json.dumps(row), flush=True)
    RESULTS.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
