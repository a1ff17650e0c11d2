import pytest
import torch

from stgcn_pyg.models import STGCN, BlockSpec, maybe_compile, unwrap_compiled

VARIANTS = {
    "adaptive+mstcn": dict(spatial="adaptive", spatial_kwargs={"data_dependent": True},
                           temporal="mstcn", temporal_kwargs={"dilations": [1, 2]}),
}


def test_disabled_returns_the_model():
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8)])
    assert maybe_compile(model, enabled=False) is model
    assert unwrap_compiled(model) is model


@pytest.mark.parametrize("path", ["fused", pytest.param("edge", marks=pytest.mark.slow)])
def test_compiled_variant_model_matches_eager(path):
    # Forward and backward compiled (about 30 s on 2 cores): one block with both variants.
    torch.manual_seed(0)
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(12, 2)], **VARIANTS["adaptive+mstcn"])
    for block in model.blocks:
        block.gcn.path = path
        with torch.no_grad():
            block.gcn.alpha.fill_(0.5)  # make the data-dependent term count
    compiled = maybe_compile(model, fullgraph=True)  # fails on any graph break
    assert unwrap_compiled(compiled) is model
    x = torch.randn(2, 3, 8, 18, 2)
    model.train()
    torch.manual_seed(1)
    eager_out = model(x)
    eager_out.square().sum().backward()
    eager_grads = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    torch.manual_seed(1)
    compiled_out = compiled(x)
    compiled_out.square().sum().backward()
    torch.testing.assert_close(compiled_out, eager_out, atol=1e-5, rtol=1e-5)
    for p, g in zip(model.parameters(), eager_grads):
        torch.testing.assert_close(p.grad, g, atol=1e-4, rtol=1e-4)


def test_training_with_dropout_compiles_without_graph_breaks_and_draws_the_eager_mask():
    # The dropout mask is a custom op: fullgraph compiles, and the same seed gives the same
    # mask (hence the same output and gradients) as eager.
    torch.manual_seed(0)
    model = STGCN(3, 4, "ntu-rgb+d", blocks=[BlockSpec(8, 1, residual=False, dropout=0.5)],
                  dropout_before_conv=True).train()
    compiled = torch.compile(model, fullgraph=True)
    x = torch.randn(2, 3, 8, 25)
    outs = []
    for run in (model, compiled):
        model.zero_grad()
        torch.manual_seed(3)
        out = run(x)
        out.square().sum().backward()
        outs.append((out.detach(), [p.grad.clone() for p in model.parameters()]))
    torch.testing.assert_close(outs[1][0], outs[0][0], atol=1e-5, rtol=1e-5)
    for compiled_grad, eager_grad in zip(outs[1][1], outs[0][1]):
        torch.testing.assert_close(compiled_grad, eager_grad, atol=1e-4, rtol=1e-4)
