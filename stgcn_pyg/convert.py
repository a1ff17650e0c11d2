"""Load checkpoints of the seed notebook, of the authors' original ST-GCN and of pyskl.

Both converters infer class count, channels and importance on/off from the tensors, check
every key and shape (listing all problems at once), keep the floating dtype of the state dict,
and take edge weights from the checkpoint's ``A`` buffer so outputs match the source exactly.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import torch
from torch import Tensor

from .graph import build_graph, from_dense_adjacency, get_skeleton, to_dense_adjacency
from .models import STGCN, BlockSpec
from .utils import default_dtype

StateDict = Mapping[str, Tensor]
_BN = ("weight", "bias", "running_mean", "running_var")


def from_seed_notebook(state_dict: StateDict, strides: Sequence[int] | None = None) -> STGCN:
    """An :class:`STGCN` (``"mp"`` backend) equal in eval mode to the seed notebook's model.

    Expects the notebook's keys: ``bn.*``, ``stgc{i}.sgc.conv.{weight,bias}``, ``stgc{i}.M``
    (K, V, V), ``stgc{i}.tgc.{0,3,4}.*``, ``fc.{weight,bias}`` and the buffer ``A``. Strides
    default to 2 where a block (after the first) changes the channel count, as in the notebook.
    """
    sd = _strip_module_prefix(state_dict)
    count = _count_blocks(sd, "stgc{}.sgc.conv.weight", start=1)
    _require(sd, ["bn.weight", "fc.weight", "stgc1.M"] if count else ["stgc1.sgc.conv.weight"],
             "seed notebook")
    num_partitions, num_nodes = sd["stgc1.M"].shape[:2]
    widths = [sd[f"stgc{i}.sgc.conv.weight"].shape[0] // num_partitions
              for i in range(1, count + 1)]
    in_channels = sd["bn.weight"].numel() // num_nodes
    strides = _default_strides(in_channels, widths, strides)
    with default_dtype(_floating_dtype(sd)):
        model = STGCN(in_channels, sd["fc.weight"].shape[0], "ntu-rgb+d", strategy="distance",
                      max_hop=num_partitions - 1, kernel_size=sd["stgc1.tgc.3.weight"].shape[2],
                      dropout_before_conv=True,
                      blocks=[BlockSpec(w, s, residual=False, dropout=0.5)
                              for w, s in zip(widths, strides)])
    if "A" in sd:
        _check_adjacency(sd["A"], model.graph, f"the seed's distance graph with hop "
                                               f"{num_partitions - 1} on ntu-rgb+d")
    mapping: dict[str, tuple[str, Callable[[Tensor], Tensor]]] = {}
    _map_bn(mapping, "data_bn", "bn")
    for i in range(count):
        src, dst = f"stgc{i + 1}", f"blocks.{i}"
        _map(mapping, f"{dst}.gcn.conv", f"{src}.sgc.conv", ("weight", "bias"))
        _map_bn(mapping, f"{dst}.tcn.bn_in", f"{src}.tgc.0")
        _map(mapping, f"{dst}.tcn.conv", f"{src}.tgc.3", ("weight", "bias"))
        _map_bn(mapping, f"{dst}.tcn.bn_out", f"{src}.tgc.4")
    mapping["head.weight"] = ("fc.weight", lambda w: w.flatten(1))
    mapping["head.bias"] = ("fc.bias", _same)
    importance = {i: f"stgc{i + 1}.M" for i in range(count)}
    return _load(model, sd, mapping, importance, "seed notebook", consumed={"A"})


def from_original_stgcn(state_dict: StateDict, layout, strategy: str, max_hop: int = 1,
                        dilation: int = 1, *, strides: Sequence[int] | None = None) -> STGCN:
    """An :class:`STGCN` (``"mp"`` backend) equal in eval mode to the authors' ``st_gcn.Model``.

    ``layout``/``strategy``/``max_hop``/``dilation`` must be those the checkpoint was trained
    with; its ``A`` buffer, when present, is checked against them and supplies the edge
    weights (otherwise they come from :func:`build_graph`). A ``module.`` key prefix
    (``DataParallel``) is accepted. Residuals are read from the keys (none for
    block 0, 1x1 conv + BN where ``residual.0`` exists, identity otherwise); strides default to
    2 where a residual conv exists, as in the released network. Edge importance is on when
    ``edge_importance.*`` keys exist.
    """
    sd = _strip_module_prefix(state_dict)
    prefix = "st_gcn_networks.{}"
    count = _count_blocks(sd, prefix + ".gcn.conv.weight", start=0)
    _require(sd, ["data_bn.weight", "fcn.weight"] if count
             else ["st_gcn_networks.0.gcn.conv.weight"], "original ST-GCN")
    graph = build_graph(layout, strategy, max_hop, dilation)
    if "A" in sd:
        _check_adjacency(sd["A"], graph, f"layout={layout!r}, strategy={strategy!r}, "
                                         f"max_hop={max_hop}, dilation={dilation}")
    num_partitions, num_nodes = graph.num_partitions, graph.num_nodes
    widths = [sd[prefix.format(i) + ".gcn.conv.weight"].shape[0] // num_partitions
              for i in range(count)]
    has_conv_residual = [prefix.format(i) + ".residual.0.weight" in sd for i in range(count)]
    if strides is None:
        strides = [2 if conv else 1 for conv in has_conv_residual]
    in_channels = sd["data_bn.weight"].numel() // num_nodes
    importance_on = "edge_importance.0" in sd
    with default_dtype(_floating_dtype(sd)):
        model = STGCN(in_channels, sd["fcn.weight"].shape[0], graph,
                      kernel_size=sd[prefix.format(0) + ".tcn.2.weight"].shape[2],
                      edge_importance=importance_on, dropout_before_conv=False,
                      blocks=[BlockSpec(w, s, residual=i > 0, dropout=0.5 if i > 0 else 0.0)
                              for i, (w, s) in enumerate(zip(widths, _check_strides(strides, count)))])
    mapping: dict[str, tuple[str, Callable[[Tensor], Tensor]]] = {}
    _map_bn(mapping, "data_bn", "data_bn")
    for i in range(count):
        src, dst = prefix.format(i), f"blocks.{i}"
        _map(mapping, f"{dst}.gcn.conv", f"{src}.gcn.conv", ("weight", "bias"))
        _map_bn(mapping, f"{dst}.tcn.bn_in", f"{src}.tcn.0")
        _map(mapping, f"{dst}.tcn.conv", f"{src}.tcn.2", ("weight", "bias"))
        _map_bn(mapping, f"{dst}.tcn.bn_out", f"{src}.tcn.3")
        if has_conv_residual[i]:
            _map(mapping, f"{dst}.residual.conv", f"{src}.residual.0", ("weight", "bias"))
            _map_bn(mapping, f"{dst}.residual.bn", f"{src}.residual.1")
    mapping["head.weight"] = ("fcn.weight", lambda w: w.flatten(1))
    mapping["head.bias"] = ("fcn.bias", _same)
    importance = {i: f"edge_importance.{i}" for i in range(count)} if importance_on else {}
    return _load(model, sd, mapping, importance, "original ST-GCN", consumed={"A"})


def from_pyskl(state_dict: StateDict, layout: str | None = None) -> STGCN:
    """An :class:`STGCN` equal (outputs and gradients, train and eval mode) to a pyskl
    recognizer: ST-GCN++ (preset ``"stgcn++"``), AAGCN (``"aagcn"``) or CTR-GCN
    (``"ctrgcn"``).

    Reads the ``state_dict`` of pyskl's ``RecognizerGCN`` (keys ``backbone.*`` and
    ``cls_head.fc_cls.*``; an mmcv checkpoint dict holding it under ``"state_dict"`` works
    too) whose backbone is ``STGCN(gcn_adaptive="init", gcn_with_res=True,
    tcn_type="mstcn")`` (ST-GCN++), ``AAGCN`` or ``CTRGCN``; the network is told by its keys. Channels,
    classes, strides and the graph come from the tensors: every block's learned ``A``
    [K, V, V] becomes its :class:`~stgcn_pyg.nn.LearnedAdjacency` over all joint pairs (the
    model's graph buffer holds block 0's); strides are 2 where the width grows (pyskl's
    ``down_stages`` = ``inflate_stages``). ``layout``, when given, names the skeleton (for
    plots) and must have V joints.
    """
    sd = state_dict.get("state_dict", state_dict) if isinstance(state_dict, Mapping) \
        else state_dict
    sd = _strip_module_prefix(sd)
    network = ("ctrgcn" if "backbone.net.0.gcn1.A" in sd else
               "aagcn" if "backbone.gcn.0.gcn.conv_d.0.weight" in sd else "stgcn++")
    blocks_key, gcn = ("net", "gcn1") if network == "ctrgcn" else ("gcn", "gcn")
    source = f"pyskl {dict(ctrgcn='CTR-GCN', aagcn='AAGCN').get(network, 'ST-GCN++')}"
    _require(sd, ["backbone.data_bn.weight", f"backbone.{blocks_key}.0.{gcn}.A",
                  "cls_head.fc_cls.weight"], source)
    sd = {key.removeprefix("backbone."): value for key, value in sd.items()}
    prefix = blocks_key + ".{}"
    adjacency = sd[f"{blocks_key}.0.{gcn}.A"]
    num_partitions, num_nodes = adjacency.shape[0], adjacency.shape[1]
    count = _count_blocks(sd, prefix + f".{gcn}.A", start=0)
    if network in ("ctrgcn", "aagcn"):
        parts = _CTRGCN_PARTS if network == "ctrgcn" else _AAGCN_PARTS
        _merge_partitions(sd, [prefix.format(i) + f".{gcn}" for i in range(count)], parts,
                          num_partitions)
    graph = from_dense_adjacency(adjacency.detach().cpu(), all_pairs=True)
    graph.strategy, graph.all_pairs = "agcn", True
    if layout is not None:
        skeleton = get_skeleton(layout)
        if skeleton.num_nodes != num_nodes:
            raise ValueError(f"layout: expected a skeleton of V={num_nodes} joints (the "
                             f"checkpoint's A), got {layout!r} with {skeleton.num_nodes}")
        graph.layout, graph.center = skeleton.name, skeleton.center
    widths = [sd[prefix.format(i) + f".{gcn}.conv.weight"].shape[0] // num_partitions
              for i in range(count)]
    strides = [2 if i > 0 and widths[i - 1] != widths[i] else 1 for i in range(count)]
    data_bn = sd["data_bn.weight"].numel()
    persons = data_bn // (num_nodes * 3) if network in ("ctrgcn", "aagcn") else None
    in_channels = data_bn // (num_nodes * (persons or 1))
    with default_dtype(_floating_dtype(sd)):
        model = STGCN.from_preset(
            network, sd["cls_head.fc_cls.weight"].shape[0], graph=graph,
            in_channels=in_channels, **({"persons": persons} if persons else {}),
            blocks=[BlockSpec(w, s, residual=i > 0) for i, (w, s) in
                    enumerate(zip(widths, strides))])
    mapping: dict[str, tuple[str, Callable[[Tensor], Tensor]]] = {}
    _map_bn(mapping, "data_bn", "data_bn")
    for i in range(count):
        src, dst = prefix.format(i), f"blocks.{i}"
        _map(mapping, f"{dst}.gcn.conv", f"{src}.{gcn}.conv",
             ("weight",) if network == "aagcn" else ("weight", "bias"))
        if network == "aagcn":
            _map_aagcn_unit(mapping, dst, f"{src}.{gcn}")
        if network == "ctrgcn":
            for ours, theirs in (("source_embed", "conv1"), ("target_embed", "conv2"),
                                 ("expand", "conv4")):
                _map(mapping, f"{dst}.gcn.{ours}", f"{src}.{gcn}.{theirs}", ("weight", "bias"))
            mapping[f"{dst}.gcn.alpha"] = (f"{src}.{gcn}.alpha", lambda a: a.reshape(()))
        _map_bn(mapping, f"{dst}.tcn.bn_in", f"{src}.{gcn}.bn")
        if f"{src}.{gcn}.down.0.weight" in sd:
            _map(mapping, f"{dst}.gcn_residual.conv", f"{src}.{gcn}.down.0", ("weight", "bias"))
            _map_bn(mapping, f"{dst}.gcn_residual.bn", f"{src}.{gcn}.down.1")
        if network == "ctrgcn":
            _map_ctrgcn_temporal(mapping, f"{dst}.tcn.conv", f"{src}.tcn1")
        elif network == "aagcn":  # unit_tcn: a (9, 1) conv and a BN
            _map(mapping, f"{dst}.tcn.conv", f"{src}.tcn.conv", ("weight", "bias"))
            _map_bn(mapping, f"{dst}.tcn.bn_out", f"{src}.tcn.bn")
        else:
            _map_stgcnpp_temporal(mapping, f"{dst}.tcn.conv", f"{src}.tcn")
            _map_bn(mapping, f"{dst}.tcn.bn_out", f"{src}.tcn.bn")
        if f"{src}.residual.conv.weight" in sd:
            _map(mapping, f"{dst}.residual.conv", f"{src}.residual.conv", ("weight", "bias"))
            _map_bn(mapping, f"{dst}.residual.bn", f"{src}.residual.bn")
    mapping["head.weight"] = ("cls_head.fc_cls.weight", _same)
    mapping["head.bias"] = ("cls_head.fc_cls.bias", _same)
    importance = {i: f"{prefix.format(i)}.{gcn}.A" for i in range(count)}
    return _load(model, sd, mapping, importance, source, consumed={"A"})


# Per-partition convolutions of the reference units -> ours, each held once partition-major:
# (their key with {k} for the partition, our key, how the K parts join).
_CTRGCN_PARTS = [(f"convs.{{k}}.{name}.{kind}", f"{ours}.{kind}", torch.cat)
                 for name, ours in (("conv1", "conv1"), ("conv2", "conv2"), ("conv3", "conv"),
                                    ("conv4", "conv4"))
                 for kind in ("weight", "bias")]
_AAGCN_PARTS = [(f"{name}.{{k}}.{kind}", f"{ours}.{kind}", torch.cat)
                for name, ours in (("conv_d", "conv"), ("conv_a", "source_embed"),
                                   ("conv_b", "target_embed"))
                for kind in ("weight", "bias") if (name, kind) != ("conv_d", "bias")]
_AAGCN_PARTS.append(("conv_d.{k}.bias", "partition_bias", torch.stack))  # [K, C']


def _merge_partitions(sd: dict, units: Sequence[str], parts: Sequence[tuple],
                      num_partitions: int) -> None:
    """Join each unit's per-partition tensors into one, in place: CTR-GCN keeps one ``CTRGC``
    per partition (``convs.k.conv1..4``), AAGCN one ``conv_d``, ``conv_a``, ``conv_b`` per
    partition. A key the checkpoint lacks (a convolution without bias) is left out."""
    for unit in units:
        for theirs, ours, join in parts:
            found = [sd.pop(f"{unit}.{theirs.format(k=k)}", None) for k in range(num_partitions)]
            if all(part is not None for part in found):
                sd[f"{unit}.{ours}"] = join(found)


def _map_aagcn_unit(mapping, dst: str, src: str) -> None:
    """AAGCN's adaptive unit and attention onto :class:`~stgcn_pyg.nn.SampleGraphConv` and
    :class:`~stgcn_pyg.nn.JointFrameChannelAttention`."""
    mapping[f"{dst}.gcn.partition_bias"] = (f"{src}.partition_bias", _same)
    for ours, theirs in (("source_embed", "source_embed"), ("target_embed", "target_embed")):
        _map(mapping, f"{dst}.gcn.{ours}", f"{src}.{theirs}", ("weight", "bias"))
    mapping[f"{dst}.gcn.alpha"] = (f"{src}.alpha", lambda a: a.reshape(()))
    for ours, theirs in (("joint", "conv_sa"), ("frame", "conv_ta"), ("squeeze", "fc1c"),
                         ("excite", "fc2c")):
        _map(mapping, f"{dst}.tcn.attention.{ours}", f"{src}.{theirs}", ("weight", "bias"))


def _map_stgcnpp_temporal(mapping, temporal: str, source: str) -> None:
    """pyskl's ``mstcn`` onto :class:`~stgcn_pyg.nn.MultiScaleTemporalConv`."""
    for j in range(4):  # dilated branches: 1x1 conv, BN, ReLU, (3, 1) conv
        _map(mapping, f"{temporal}.branches.{j}.reduce", f"{source}.branches.{j}.0",
             ("weight", "bias"))
        _map_bn(mapping, f"{temporal}.branches.{j}.bn", f"{source}.branches.{j}.1")
        _map(mapping, f"{temporal}.branches.{j}.conv", f"{source}.branches.{j}.3.conv",
             ("weight", "bias"))
    _map(mapping, f"{temporal}.branches.4.reduce", f"{source}.branches.4.0", ("weight", "bias"))
    _map_bn(mapping, f"{temporal}.branches.4.bn", f"{source}.branches.4.1")
    _map(mapping, f"{temporal}.branches.5", f"{source}.branches.5", ("weight", "bias"))
    _map_bn(mapping, f"{temporal}.fuse.bn", f"{source}.transform.0")
    _map(mapping, f"{temporal}.fuse.conv", f"{source}.transform.2", ("weight", "bias"))


def _map_ctrgcn_temporal(mapping, temporal: str, source: str) -> None:
    """CTR-GCN's ``MSTCN`` (two dilated branches, max, 1x1, each closed by a BN)."""
    for j in range(2):
        _map(mapping, f"{temporal}.branches.{j}.reduce", f"{source}.branches.{j}.0",
             ("weight", "bias"))
        _map_bn(mapping, f"{temporal}.branches.{j}.bn", f"{source}.branches.{j}.1")
        _map(mapping, f"{temporal}.branches.{j}.conv", f"{source}.branches.{j}.3.conv",
             ("weight", "bias"))
        _map_bn(mapping, f"{temporal}.branches.{j}.conv_bn", f"{source}.branches.{j}.3.bn")
    _map(mapping, f"{temporal}.branches.2.reduce", f"{source}.branches.2.0", ("weight", "bias"))
    _map_bn(mapping, f"{temporal}.branches.2.bn", f"{source}.branches.2.1")
    _map_bn(mapping, f"{temporal}.branches.2.pool_bn", f"{source}.branches.2.4")
    _map(mapping, f"{temporal}.branches.3.conv", f"{source}.branches.3.0", ("weight", "bias"))
    _map_bn(mapping, f"{temporal}.branches.3.conv_bn", f"{source}.branches.3.1")


def _strip_module_prefix(state_dict: StateDict) -> dict[str, Tensor]:
    """Drop the ``module.`` prefix that ``DataParallel`` checkpoints carry on every key."""
    sd = dict(state_dict)
    if sd and all(key.startswith("module.") for key in sd):
        sd = {key[len("module."):]: value for key, value in sd.items()}
    return sd


def _check_adjacency(stored: Tensor, graph, described: str) -> None:
    """Raise unless the checkpoint's ``A`` [K, V, V] is the dense form of ``graph``."""
    expected = to_dense_adjacency(graph)
    stored = stored.detach().to("cpu", torch.float64)
    if stored.shape != expected.shape:
        detail = f"shape {list(stored.shape)}, expected {list(expected.shape)}"
    elif not torch.allclose(stored, expected, atol=1e-6):
        detail = f"max difference {(stored - expected).abs().max().item():.3g}"
    else:
        return
    raise ValueError(f"state_dict['A'] does not match {described} ({detail}): pass the graph "
                     f"arguments the checkpoint was trained with")


def _floating_dtype(sd: dict) -> torch.dtype:
    return next((t.dtype for t in sd.values() if torch.is_floating_point(t)), torch.float32)


def _same(t: Tensor) -> Tensor:
    return t


def _map(mapping, dst: str, src: str, names: Sequence[str]) -> None:
    for name in names:
        mapping[f"{dst}.{name}"] = (f"{src}.{name}", _same)


def _map_bn(mapping, dst: str, src: str) -> None:
    _map(mapping, dst, src, _BN)


def _count_blocks(sd: dict, pattern: str, start: int) -> int:
    count = 0
    while pattern.format(start + count) in sd:
        count += 1
    return count


def _require(sd: dict, keys: Sequence[str], source: str) -> None:
    missing = [k for k in keys if k not in sd]
    if missing:
        raise ValueError(f"state_dict ({source}): missing keys {missing}")


def _default_strides(in_channels: int, widths: Sequence[int],
                     strides: Sequence[int] | None) -> list[int]:
    if strides is not None:
        return _check_strides(strides, len(widths))
    previous = [in_channels] + list(widths[:-1])
    return [2 if i > 0 and w != p else 1 for i, (w, p) in enumerate(zip(widths, previous))]


def _check_strides(strides: Sequence[int], count: int) -> list[int]:
    strides = list(strides)
    if len(strides) != count:
        raise ValueError(f"strides: expected {count} values (one per block), got {len(strides)}")
    return strides


def _load(model: STGCN, sd: dict, mapping: dict, importance: dict[int, str], source: str,
          consumed: set[str]) -> STGCN:
    """Copy mapped tensors into ``model`` after checking every key and shape at once."""
    target = model.state_dict()
    missing, misshaped = [], []
    for dst, (src, transform) in mapping.items():
        if src not in sd:
            missing.append(src)
        elif transform(sd[src]).shape != target[dst].shape:
            misshaped.append(f"{src}: expected {list(target[dst].shape)}, got {list(sd[src].shape)}")
    dense_shape = (model.num_partitions, model.num_nodes, model.num_nodes)
    for src in importance.values():
        if src not in sd:
            missing.append(src)
        elif tuple(sd[src].shape) != dense_shape:
            misshaped.append(f"{src}: expected {list(dense_shape)}, got {list(sd[src].shape)}")
    optional = {s.replace("running_mean", "num_batches_tracked")
                for s, _ in mapping.values() if s.endswith("running_mean")}
    used = {s for s, _ in mapping.values()} | set(importance.values()) | consumed | optional
    unexpected = sorted(k for k in sd if k not in used)
    if missing or misshaped or unexpected:
        problems = [f"missing keys {missing}"] if missing else []
        problems += [f"mis-shaped keys {misshaped}"] if misshaped else []
        problems += [f"unexpected keys {unexpected}"] if unexpected else []
        raise ValueError(f"state_dict ({source}): " + "; ".join(problems))
    with torch.no_grad():
        for dst, (src, transform) in mapping.items():
            target[dst].copy_(transform(sd[src]))
            tracked = dst.replace("running_mean", "num_batches_tracked")
            if tracked != dst and src.replace("running_mean", "num_batches_tracked") in sd:
                target[tracked].copy_(sd[src.replace("running_mean", "num_batches_tracked")])
        src_idx, dst_idx = model.edge_index
        if "A" in sd:  # the source's own (possibly float32-rounded) weights
            model.edge_weight.copy_(sd["A"][model.edge_type, src_idx, dst_idx])
        for i, block in enumerate(model.blocks):
            if i in importance:
                block.importance.weight.copy_(sd[importance[i]][model.edge_type, src_idx, dst_idx])
    return model


__all__ = ["from_original_stgcn", "from_pyskl", "from_seed_notebook"]
