"""Independent references for the tests, written from the published descriptions only.

Nothing here imports stgcn_pyg: these are the yardsticks the library is measured against.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# Bones (0-based) and centres as the original code defines them.
ORIGINAL_LAYOUTS = {
    "ntu-rgb+d": (25, [(a - 1, b - 1) for a, b in [
        (1, 2), (2, 21), (3, 21), (4, 3), (5, 21), (6, 5), (7, 6), (8, 7), (9, 21), (10, 9),
        (11, 10), (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17),
        (19, 18), (20, 19), (22, 23), (23, 8), (24, 25), (25, 12)]], 20),
    "ntu_edge": (24, [(a - 1, b - 1) for a, b in [
        (1, 2), (3, 2), (4, 3), (5, 2), (6, 5), (7, 6), (8, 7), (9, 2), (10, 9), (11, 10),
        (12, 11), (13, 1), (14, 13), (15, 14), (16, 15), (17, 1), (18, 17), (19, 18),
        (20, 19), (21, 22), (22, 8), (23, 24), (24, 12)]], 2),
    "openpose": (18, [(4, 3), (3, 2), (7, 6), (6, 5), (13, 12), (12, 11), (10, 9), (9, 8),
                      (11, 5), (8, 2), (5, 1), (2, 1), (0, 1), (15, 0), (14, 0), (17, 15),
                      (16, 14)], 1),
    "coco": (17, [(a - 1, b - 1) for a, b in [
        (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (8, 6),
        (9, 7), (10, 8), (11, 9), (2, 3), (2, 1), (3, 1), (4, 2), (5, 3), (4, 6), (5, 7)]], 0),
}
# The Kinect v1 SDK skeleton (NW-UCLA), from the dataset README.
KINECT_V1 = (20, [(0, 1), (1, 2), (2, 3), (2, 4), (4, 5), (5, 6), (6, 7), (2, 8), (8, 9), (9, 10),
                  (10, 11), (0, 12), (12, 13), (13, 14), (14, 15), (0, 16), (16, 17), (17, 18),
                  (18, 19)], 1)
ALL_LAYOUTS = {**ORIGINAL_LAYOUTS, "kinect-v1": KINECT_V1}


def reference_adjacency(num_node, bones, center, strategy, max_hop=1, dilation=1):
    """The original partitioning, element by element, from the DESIGN.md description."""
    link = np.eye(num_node)
    for i, j in bones:
        link[i, j] = link[j, i] = 1
    # Hop distance by matrix powers 0..max_hop; the smallest power that reaches wins.
    dist = np.full((num_node, num_node), np.inf)
    for d in range(max_hop, -1, -1):
        dist[np.linalg.matrix_power(link, d) > 0] = d
    hops = list(range(0, max_hop + 1, dilation))
    adj = np.zeros((num_node, num_node))
    for h in hops:
        adj[dist == h] = 1
    col = adj.sum(0)
    norm = np.zeros_like(adj)
    for j in range(num_node):  # column j: the target joint
        if col[j] > 0:
            norm[:, j] = adj[:, j] / col[j]
    if strategy == "uniform":
        return norm[None]
    if strategy == "distance":
        return np.stack([np.where(dist == h, norm, 0) for h in hops])
    out = []
    for h in hops:
        same, src_far, src_near = (np.zeros_like(norm) for _ in range(3))
        for src in range(num_node):
            for dst in range(num_node):
                if dist[src, dst] != h:
                    continue
                ds, dd = dist[src, center], dist[dst, center]
                target = same if ds == dd else (src_far if ds > dd else src_near)
                target[src, dst] = norm[src, dst]
        out += [same] if h == 0 else [same + src_far, src_near]
    return np.stack(out)


def reference_spatial(x, weight, bias, adjacency):
    """``einsum('nkctv,kvw->nctw', conv1x1(x), A)`` with the effective (A * M) adjacency;
    a per-sample adjacency [N, K, V, V] gives ``einsum('nkctv,nkvw->nctw', ...)``, a per-sample
    and per-output-channel one [N, C', K, V, V] ``einsum('nkctv,nckvw->nctw', ...)``."""
    y = F.conv2d(x, weight, bias)
    n, kc, t, v = y.shape
    k = adjacency.shape[-3]
    equation = {3: "nkctv,kvw->nctw", 4: "nkctv,nkvw->nctw",
                5: "nkctv,nckvw->nctw"}[adjacency.dim()]
    return torch.einsum(equation, y.view(n, k, kc // k, t, v), adjacency)


class OriginalUnit(nn.Module):
    """A unit in the authors' key layout: gcn.conv, tcn.{0 BN,2 conv,3 BN}, residual.{0,1}."""

    def __init__(self, c_in, c_out, k, stride, residual, dropout=0.0, kt=9):
        super().__init__()
        self.gcn = nn.Module()
        self.gcn.conv = nn.Conv2d(c_in, c_out * k, 1)
        self.k = k
        self.tcn = nn.Sequential(nn.BatchNorm2d(c_out), nn.ReLU(),
                                 nn.Conv2d(c_out, c_out, (kt, 1), (stride, 1), ((kt - 1) // 2, 0)),
                                 nn.BatchNorm2d(c_out), nn.Dropout(dropout))
        self.kind = "none" if not residual else ("identity" if c_in == c_out and stride == 1 else "conv")
        if self.kind == "conv":
            self.residual = nn.Sequential(nn.Conv2d(c_in, c_out, 1, (stride, 1)), nn.BatchNorm2d(c_out))

    def forward(self, x, a):
        y = self.tcn(reference_spatial(x, self.gcn.conv.weight, self.gcn.conv.bias, a))
        res = {"none": 0, "identity": x}.get(self.kind) if self.kind != "conv" else self.residual(x)
        return torch.relu(y + res)


class OriginalModel(nn.Module):
    """The authors' network in their state-dict layout (5-D input, persons averaged)."""

    def __init__(self, adjacency, num_class, in_channels=3, importance=True, kt=9):
        super().__init__()
        self.register_buffer("A", torch.as_tensor(adjacency, dtype=torch.get_default_dtype()))
        k, v = self.A.shape[:2]
        self.data_bn = nn.BatchNorm1d(in_channels * v)
        spec = [(in_channels, 64, 1, False), (64, 64, 1, True), (64, 64, 1, True),
                (64, 64, 1, True), (64, 128, 2, True), (128, 128, 1, True), (128, 128, 1, True),
                (128, 256, 2, True), (256, 256, 1, True), (256, 256, 1, True)]
        self.st_gcn_networks = nn.ModuleList(
            OriginalUnit(a, b, k, s, r, 0.5 if i else 0.0, kt) for i, (a, b, s, r) in enumerate(spec))
        if importance:
            self.edge_importance = nn.ParameterList(nn.Parameter(torch.ones(self.A.shape))
                                                    for _ in spec)
        else:
            self.edge_importance = [1] * len(spec)
        self.fcn = nn.Conv2d(256, num_class, 1)

    def forward(self, x):
        n, c, t, v, m = x.shape
        x = x.permute(0, 4, 3, 1, 2).reshape(n * m, v * c, t)
        x = self.data_bn(x).view(n, m, v, c, t).permute(0, 1, 3, 4, 2).reshape(n * m, c, t, v)
        for unit, imp in zip(self.st_gcn_networks, self.edge_importance):
            x = unit(x, self.A * imp)
        x = F.avg_pool2d(x, x.shape[2:]).view(n, m, -1, 1, 1).mean(dim=1)
        return self.fcn(x).view(n, -1)


class SeedBlock(nn.Module):
    def __init__(self, c_in, c_out, stride, a_shape, kt=9):
        super().__init__()
        self.sgc = nn.Module()
        self.sgc.conv = nn.Conv2d(c_in, c_out * a_shape[0], 1)
        self.M = nn.Parameter(torch.ones(a_shape))
        self.tgc = nn.Sequential(nn.BatchNorm2d(c_out), nn.ReLU(), nn.Dropout(0.5),
                                 nn.Conv2d(c_out, c_out, (kt, 1), (stride, 1), ((kt - 1) // 2, 0)),
                                 nn.BatchNorm2d(c_out), nn.ReLU())

    def forward(self, x, a):
        return self.tgc(reference_spatial(x, self.sgc.conv.weight, self.sgc.conv.bias, a * self.M))


class SeedModel(nn.Module):
    """The seed notebook's network in its state-dict layout (4-D input, 1x1 conv head)."""

    def __init__(self, adjacency, num_classes=14, in_channels=3,
                 spec=((32, 1), (32, 1), (32, 1), (64, 2), (64, 1), (64, 1))):
        super().__init__()
        self.register_buffer("A", torch.as_tensor(adjacency, dtype=torch.get_default_dtype()))
        self.bn = nn.BatchNorm1d(in_channels * self.A.shape[1])
        c = in_channels
        for i, (c_out, stride) in enumerate(spec, start=1):
            setattr(self, f"stgc{i}", SeedBlock(c, c_out, stride, self.A.shape))
            c = c_out
        self.num_blocks = len(spec)
        self.fc = nn.Conv2d(c, num_classes, 1)

    def forward(self, x):
        n, c, t, v = x.shape
        x = self.bn(x.permute(0, 3, 1, 2).reshape(n, v * c, t)).view(n, v, c, t).permute(0, 2, 3, 1)
        for i in range(1, self.num_blocks + 1):
            x = getattr(self, f"stgc{i}")(x, self.A)
        x = F.avg_pool2d(x, x.shape[2:])
        return self.fc(x).view(n, -1)


def randomize(model: nn.Module, seed: int = 0) -> nn.Module:
    """Random weights, importance and BN statistics, so that nothing equals its default."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not torch.is_floating_point(t) or name.endswith("A"):
                continue
            r = torch.rand(t.shape, generator=gen, dtype=torch.float64).to(t.dtype)
            if "running_var" in name:
                t.copy_(0.5 + r)
            elif name.endswith("M") or "importance" in name:
                t.copy_(0.5 + r)
            else:
                t.copy_((r - 0.5) * 0.4)
    return model
