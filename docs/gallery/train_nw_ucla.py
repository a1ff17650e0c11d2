"""Train a small ST-GCN on NW-UCLA (cross-view) for the gallery's learned pictures.

A stand-in until ``stgcn-pyg train`` reads NW-UCLA. It writes the preprocessed split in the
seed's dataset format, ``OUT/data/{train,test}_{data,label}.npy`` ([N, 3, T, 20], every
sequence resampled to T frames and centred on its mean hip centre; views 1, 2 train, view 3
test), ``OUT/data/test_names.txt`` (the test files in order), the checkpoint ``OUT/model.pt``
(``save_model``) and ``OUT/metrics.json`` (test_top1, test_top5, epochs, history,
confusion_matrix, class_names). Run from the repository root:

    python docs/gallery/train_nw_ucla.py --out runs/gallery
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from stgcn_pyg.io import atomic_path, save_json
from stgcn_pyg.models import STGCN, save_model
from stgcn_pyg.viz import load_sequence

CLASS_NAMES = ["pick up one hand", "pick up two hands", "drop trash", "walk around", "sit down",
               "stand up", "donning", "doffing", "throw", "carry"]


def load_split(root: Path, views: set[int], frames: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every sequence of ``views`` resampled to ``frames`` frames, centred on the hip centre."""
    samples, labels, names = [], [], []
    for path in sorted(root.glob("*.json")):
        if int(path.stem.split("_v")[-1]) not in views:
            continue
        data = load_sequence(path)[..., 0]  # [3, T, 20]
        data = data[:, np.linspace(0, data.shape[1] - 1, frames).round().astype(int)]
        samples.append(data - data[:, :, :1].mean(axis=1, keepdims=True))
        labels.append(json.loads(path.read_text())["label"] - 1)
        names.append(path.stem)
    return np.stack(samples).astype(np.float32), np.array(labels), names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_dir = Path(os.environ.get("STGCN_PYG_DATA", "../shared/datasets")) / "nw-ucla" / "all_sqe"
    parser.add_argument("--data", type=Path, default=data_dir)
    parser.add_argument("--out", type=Path, default=Path("runs/gallery"))
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--frames", type=int, default=32)
    args = parser.parse_args()
    torch.manual_seed(0)
    splits = {"train": load_split(args.data, {1, 2}, args.frames),
              "test": load_split(args.data, {3}, args.frames)}
    for split, (data, labels, names) in splits.items():
        for kind, array in (("data", data), ("label", labels)):
            with atomic_path(args.out / "data" / f"{split}_{kind}.npy") as tmp:
                np.save(tmp, array)
    with atomic_path(args.out / "data" / "test_names.txt") as tmp:
        tmp.write_text("\n".join(splits["test"][2]) + "\n")
    x_train, y_train = (torch.from_numpy(a) for a in splits["train"][:2])
    x_test, y_test = (torch.from_numpy(a) for a in splits["test"][:2])
    model = STGCN.from_preset("seed", len(CLASS_NAMES), graph="kinect-v1", strategy="spatial")
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs)
    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        order, total = torch.randperm(len(x_train)), 0.0
        for batch in order.split(32):
            loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss) * len(batch)
        lr = schedule.get_last_lr()[0]
        schedule.step()
        model.eval()
        with torch.no_grad():
            scores = torch.cat([model(x) for x in x_test.split(128)])
        top5 = (scores.topk(5, dim=1).indices == y_test[:, None]).any(dim=1).float().mean()
        history.append({"epoch": epoch, "train_loss": total / len(x_train),
                        "test_loss": float(F.cross_entropy(scores, y_test)),
                        "test_top1": float((scores.argmax(1) == y_test).float().mean()),
                        "test_top5": float(top5), "lr": lr})
        print(history[-1], flush=True)
    confusion = torch.zeros(len(CLASS_NAMES), len(CLASS_NAMES), dtype=torch.long)
    confusion.index_put_((y_test, scores.argmax(1)), torch.tensor(1), accumulate=True)
    save_model(model, args.out / "model.pt")
    save_json({"test_top1": history[-1]["test_top1"], "test_top5": history[-1]["test_top5"],
               "epochs": args.epochs, "history": history, "class_names": CLASS_NAMES,
               "confusion_matrix": confusion.tolist()}, args.out / "metrics.json")


if __name__ == "__main__":
    main()
