"""Short NW-UCLA cross-view runs: plain ST-GCN in float32 vs bf16 autocast, and the two variants.

Usage (about 10-20 min on 2 CPU cores):
    flock /tmp/stgcn-heavy.lock python experiments/amp_and_variants_nwucla.py \
        --data ../shared/datasets/nw-ucla/all_sqe --out experiments/results/amp_variants_nwucla.json

Protocol: views 1-2 train (1020), view 3 test (464); every sequence resampled to T frames
(evenly spaced indices), centred on the first frame's spine joint. A small 4-block network,
SGD + cosine schedule, no augmentation, one seed per setting: a comparison of settings under
identical conditions, not a reproduction of published accuracy.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from stgcn_pyg.io import save_json
from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.precision import autocast

SETTINGS = {
    "plain-fp32": ({}, "off"),
    "plain-bf16": ({}, "bf16"),
    "adaptive-fp32": (dict(spatial="adaptive", spatial_kwargs={"data_dependent": True}), "off"),
    "mstcn-fp32": (dict(temporal="mstcn"), "off"),
}
BLOCKS = [BlockSpec(32, 1, residual=False), BlockSpec(32), BlockSpec(64, 2), BlockSpec(64)]


def load_split(root: Path, frames: int) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    data = {"train": ([], []), "test": ([], [])}
    for file in sorted(root.glob("*.json")):
        record = json.loads(file.read_text())
        joints = np.asarray(record["skeletons"], dtype=np.float32)  # [T, V, 3]
        joints = joints[np.linspace(0, len(joints) - 1, frames).round().astype(int)]
        joints = joints - joints[0, 1]
        view = int(record["file_name"].split("_v")[1])
        xs, ys = data["test" if view == 3 else "train"]
        xs.append(joints.transpose(2, 0, 1))  # [3, T, V]
        ys.append(record["label"] - 1)
    return {k: (torch.from_numpy(np.stack(x)), torch.tensor(y)) for k, (x, y) in data.items()}


def run(setting: str, split, epochs: int, seed: int) -> dict:
    layers, amp = SETTINGS[setting]
    torch.manual_seed(seed)
    model = STGCN(3, 10, "kinect-v1", blocks=BLOCKS, **layers)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                          weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    x, y = split["train"]
    start = time.perf_counter()
    for _ in range(epochs):
        model.train()
        for idx in torch.randperm(len(x)).split(32):
            with autocast(amp, "cpu"):
                loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    train_s = time.perf_counter() - start
    model.eval()
    xt, yt = split["test"]
    with torch.no_grad(), autocast(amp, "cpu"):
        logits = torch.cat([model(b) for b in xt.split(128)]).float()
    return {"setting": setting, "amp": amp, "seed": seed, "epochs": epochs,
            "parameters": sum(p.numel() for p in model.parameters()),
            "test_top1": float((logits.argmax(1) == yt).float().mean()),
            "train_seconds": round(train_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("../shared/datasets/nw-ucla/all_sqe"))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--frames", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    args = parser.parse_args()
    torch.set_num_threads(2)
    split = load_split(args.data, args.frames)
    results = []
    for seed in args.seeds:
        for setting in args.settings:
            results.append(run(setting, split, args.epochs, seed))
            print(json.dumps(results[-1]), flush=True)
            save_json({"frames": args.frames, "results": results}, args.out)


if __name__ == "__main__":
    main()
