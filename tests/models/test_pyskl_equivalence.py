"""The zoo networks against pyskl's own code (../shared/reference/pyskl): the same parameters
in (through :func:`stgcn_pyg.convert.from_pyskl`), the same outputs and parameter gradients
out, in train and eval mode."""
import copy

import pytest
import torch
from pyskl_reference import Recognizer, backbone, graph_class, needs_pyskl, with_graph

from stgcn_pyg.convert import from_pyskl
from stgcn_pyg.graph import build_graph, to_dense_adjacency
from stgcn_pyg.models import STGCN

pytestmark = needs_pyskl
TOLERANCE = {torch.float32: 1e-5, torch.float64: 1e-10}
# (pyskl layout or ours, channels, persons): NTU-25 with two persons, COCO-17 and
# OpenPose-18 2-D (x, y, score), Kinect v1 (NW-UCLA), which pyskl lacks: its graph is ours.
LAYOUTS = {"nturgb+d": (3, 2), "coco": (3, 1), "openpose": (3, 1), "kinect-v1": (3, 1)}
BACKBONE_ARGS = {"stgcn++": ("STGCN", dict(gcn_adaptive="init", gcn_with_res=True,
                                          tcn_type="mstcn")),
                 "ctrgcn": ("CTRGCN", {})}


def reference(network, layout, in_channels, num_classes, monkeypatch):
    name, kwargs = BACKBONE_ARGS[network]
    cls = backbone(name)
    if layout == "kinect-v1":
        module = __import__(cls.__module__, fromlist=["Graph"])
        adjacency = to_dense_adjacency(build_graph(layout, "agcn")).float()
        monkeypatch.setattr(module, "Graph", with_graph(adjacency))
    if name == "CTRGCN":  # its data BatchNorm is per person
        kwargs = dict(kwargs, num_person=LAYOUTS[layout][1])
    net = cls(graph_cfg=dict(layout=layout, mode="spatial"), in_channels=in_channels, **kwargs)
    return Recognizer(net, 256, num_classes)


def randomize(model, seed=0):
    """Every BatchNorm's affine parameters and running statistics drawn near their trained
    range, every learned adjacency (``A``, off the skeleton too) and gate at random, other
    weights at their initial draw: no term of either network can hide behind an initial value
    (zeros, ones), while the network stays as well conditioned as a trained one."""
    generator = torch.Generator().manual_seed(seed)

    def draw(tensor, low, high):
        values = torch.rand(tensor.shape, generator=generator, dtype=torch.float64)
        tensor.copy_(low + (high - low) * values)

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                draw(module.weight, 0.8, 1.2)
                draw(module.bias, -0.1, 0.1)
                draw(module.running_mean, -0.1, 0.1)
                draw(module.running_var, 0.8, 1.2)
        for name, parameter in model.named_parameters():
            if name.rsplit(".", 1)[-1] in ("A", "alpha"):
                draw(parameter, -0.2, 0.2)


def grads_as_state_dict(model):
    """The reference's parameter gradients under its parameter names (buffers as they are),
    for the converter to map onto our names."""
    state = dict(model.state_dict())
    for name, parameter in model.named_parameters():
        state[name] = parameter.grad
    return state


def run(ref, ours, x, weights):
    """Outputs and parameter gradients (under our names) of both networks on pyskl's input
    ``x`` [N, M, T, V, C]."""
    expected, actual = ref(x), ours(x.permute(0, 4, 2, 3, 1))  # ours: [N, C, T, V, M]
    (expected * weights).sum().backward()
    (actual * weights).sum().backward()
    ref_grads = from_pyskl(grads_as_state_dict(ref)).state_dict()
    ours_grads = {name: p.grad for name, p in ours.named_parameters()}
    return expected, actual, {name: ref_grads[name] for name in ours_grads}, ours_grads


def _cases():
    """A float32 case per network and layout in the default run (eval mode; train mode on
    NTU), the whole matrix with ``-m slow``."""
    for network in BACKBONE_ARGS:
        for layout in LAYOUTS:
            for mode in ("train", "eval"):
                for dtype in (torch.float32, torch.float64):
                    fast = dtype == torch.float32 and (mode == "eval" or layout == "nturgb+d")
                    yield pytest.param(network, layout, mode, dtype,
                                       id=f"{network}-{layout}-{mode}-{str(dtype)[-7:]}",
                                       marks=[] if fast else [pytest.mark.slow])


@pytest.mark.parametrize("network,layout,mode,dtype", list(_cases()))
def test_outputs_and_gradients_equal_pyskl(network, layout, mode, dtype, monkeypatch):
    in_channels, persons = LAYOUTS[layout]
    torch.manual_seed(0)
    ref64 = reference(network, layout, in_channels, 7, monkeypatch).double()
    randomize(ref64)
    ref = copy.deepcopy(ref64).to(dtype)
    ours = from_pyskl(ref.state_dict())
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters())
    for model in (ref64, ref, ours):
        model.train(mode == "train")
    x = torch.randn(2, persons, 12, ours.num_nodes, in_channels, dtype=torch.float64)
    weights = torch.randn(2, 7, dtype=torch.float64)
    expected, actual, ref_grads, ours_grads = run(ref, ours, x.to(dtype), weights.to(dtype))
    tol = TOLERANCE[dtype]
    torch.testing.assert_close(actual, expected, atol=tol, rtol=tol)
    if dtype == torch.float32 and mode == "train":
        # In train mode float32 gradients of deep networks are not comparable element by
        # element: a ReLU input within rounding of 0 (measured: one of 4e4 outputs of
        # CTR-GCN's block 7 at |x| < 1e-6) lands on either side depending on the order of
        # the sums, and BatchNorm's backward spreads that one flip over whole channels.
        # Float64 above proves the functions equal; here, over all gradients together,
        # ours must be as close to the float64 truth as the reference is (a factor 4), plus
        # at most 1e-2 of the gradient's size (a flip or two: on an Intel Xeon one flip cost
        # 5e-4 of it, on an AMD EPYC ST-GCN++ on Kinect-v1 7e-3).
        truth = run(ref64, copy.deepcopy(ours).double(), x, weights)[2]

        def error(grads):
            return max((grads[n].double() - truth[n]).norm().item() for n in truth)

        scale = max(truth[n].norm().item() for n in truth)
        assert error(ours_grads) <= 1e-2 * scale + 4 * error(ref_grads)
        return
    if dtype == torch.float64:
        for name, grad in ours_grads.items():
            scale = max(1.0, ref_grads[name].abs().max().item())
            torch.testing.assert_close(grad, ref_grads[name], atol=tol * scale, rtol=tol,
                                       msg=lambda m: f"{name}: {m}")
        return
    # float32, eval mode: every gradient within 1e-5 of its size of pyskl's except the entries
    # a ReLU flip reaches: an input within rounding of 0 lands on the other side of the kink
    # on one CPU and not on another, and the weight gradient of the layer below takes that
    # one position in a row of entries (measured on an AMD EPYC: 1 of 64 bias entries of
    # ST-GCN++'s first temporal unit on COCO-17, 1.2e-5 off while pyskl's is 1e-8 from the
    # float64 truth; 11 of 16384 weight entries of block 5 on Kinect-v1). So at most 1 % of a
    # gradient's entries (at least one) may differ, each by at most 1e-3 of its size; the
    # float64 case proves the functions and their gradients equal.
    for name, grad in ours_grads.items():
        scale = max(1.0, ref_grads[name].abs().max().item())
        off = (grad - ref_grads[name]).abs()
        flipped = int((off > tol * scale + tol * ref_grads[name].abs()).sum())
        assert flipped <= max(1, grad.numel() // 100), (name, flipped, grad.numel())
        assert off.max().item() <= 1e-3 * scale, (name, off.max().item())


def test_agcn_partition_equals_pyskl_graph():
    # OpenPose-18 has the same bones and centre in both libraries.
    expected = torch.as_tensor(graph_class()(layout="openpose", mode="spatial").A)
    actual = to_dense_adjacency(build_graph("openpose", "agcn"))
    torch.testing.assert_close(actual, expected, atol=1e-12, rtol=0)


@pytest.mark.parametrize("network", list(BACKBONE_ARGS))
def test_preset_has_the_reference_parameter_count(network, monkeypatch):
    ours = STGCN.from_preset(network, 60)
    ref = reference(network, "nturgb+d", 3, 60, monkeypatch)
    assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in ref.parameters())
