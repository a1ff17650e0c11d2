import json

import pytest
import torch
from training_fixtures import tiny_data, tiny_preset  # noqa: F401

from stgcn_pyg.cli import main
from stgcn_pyg.models import (STGCN, BlockSpec, check_compiled, compile_checked, maybe_compile,
                              unwrap_compiled)
from stgcn_pyg.models import compile as compile_module

VARIANTS = {
    "adaptive+mstcn": dict(spatial="adaptive", spatial_kwargs={"data_dependent": True},
                           temporal="mstcn", temporal_kwargs={"dilations": [1, 2]}),
}


def test_disabled_returns_the_model():
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8)])
    assert maybe_compile(model, enabled=False) is model
    assert unwrap_compiled(model) is model


@pytest.mark.parametrize("path", ["fused", pytest.param("edge", marks=pytest.mark.slow)])
def test_compiled_variant_model_matches_eager(path, right_inductor):
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


def test_training_with_dropout_compiles_without_graph_breaks_and_draws_the_eager_mask(
        right_inductor):
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


class _DoubledGradient(torch.autograd.Function):
    """Identity forward, gradient x 2: a compiler that is right forward and wrong backward."""

    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        return 2 * grad


def wrong_gradients_backend(graph_module, example_inputs):
    def run(*args):
        return type(out := graph_module(*args))(
            _DoubledGradient.apply(t) if isinstance(t, torch.Tensor) else t for t in out)
    return run


def wrong_outputs_backend(graph_module, example_inputs):
    def run(*args):
        return type(out := graph_module(*args))(
            1.5 * t if isinstance(t, torch.Tensor) else t for t in out)
    return run


def _model_and_clip():
    torch.manual_seed(0)
    model = STGCN(3, 4, "openpose", blocks=[BlockSpec(8), BlockSpec(8, 2, dropout=0.5)])
    return model, torch.randn(3, 3, 8, 18)


def test_the_check_catches_a_compiler_with_wrong_gradients_and_names_the_parameter():
    model, x = _model_and_clip()
    check = check_compiled(model, torch.compile(model, backend=wrong_gradients_backend), x)
    assert not check.ok and check.what == "gradients"
    assert check.worst in dict(model.named_parameters())
    assert check.error == pytest.approx(1.0, rel=1e-4)  # 2g - g over g
    assert check.compiled_norm == pytest.approx(2 * check.eager_norm, rel=1e-4)
    line = check.line()
    assert "DIFFER" in line and check.worst in line and torch.__version__ in line
    assert "CPU capability" in line


def test_the_check_catches_wrong_outputs_at_inference():
    model, x = _model_and_clip()
    check = check_compiled(model, torch.compile(model, backend=wrong_outputs_backend), x,
                           train=False)
    assert not check.ok and check.what == "outputs" and check.worst == "output"
    right = check_compiled(model, torch.compile(model, backend=wrong_gradients_backend), x,
                           train=False)  # right forward: inference is fine
    assert right.ok and right.error == right.eager_error


def test_the_check_passes_an_exact_compiler_with_dropout_in_train_mode():
    model, x = _model_and_clip()  # dropout 0.5: both runs must draw the same mask
    check = check_compiled(model, torch.compile(model, backend="eager"), x)
    assert check.ok and check.error == check.eager_error


def test_the_check_leaves_the_model_as_it_came():
    model, x = _model_and_clip()
    model.eval()
    model(x).sum().backward()
    grads = [p.grad.clone() for p in model.parameters()]
    state = {k: v.clone() for k, v in model.state_dict().items()}
    rng = torch.get_rng_state()
    check_compiled(model, torch.compile(model, backend="eager"), x)
    assert not model.training and torch.equal(torch.get_rng_state(), rng)
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in state.items())  # BN stats too
    assert all(torch.equal(p.grad, g) for p, g in zip(model.parameters(), grads))


def test_compile_checked_falls_back_to_eager_with_one_line():
    model, x = _model_and_clip()
    lines = []
    monkey = pytest.MonkeyPatch()
    monkey.setattr(compile_module, "BACKEND", wrong_gradients_backend)
    try:
        net, check = compile_checked(model, x, log=lines.append)
    finally:
        monkey.undo()
    assert net is model and not check.ok
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "running eagerly" in lines[0]


def test_train_compile_on_a_wrong_compiler_warns_and_trains_eagerly(tiny_data, tmp_path,
                                                                    monkeypatch, capsys):
    monkeypatch.setattr(compile_module, "BACKEND", wrong_gradients_backend)
    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress", "--compile"]) == 0
    out = capsys.readouterr().out
    assert "torch.compile gradients DIFFER from eager" in out and "running eagerly" in out
    assert json.loads((run / "metrics.json").read_text())["compiled"] is False
    eager = tmp_path / "eager"  # falling back gives the eager run, bit for bit
    assert main(["train", "--data", str(tiny_data), "--out", str(eager), "--preset", "tiny",
                 "--epochs", "1", "--no-progress"]) == 0
    a, b = (json.loads((r / "metrics.json").read_text())["history"] for r in (run, eager))
    assert [r["train_loss"] for r in a] == [r["train_loss"] for r in b]


def test_train_compile_on_a_right_compiler_compiles(tiny_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(compile_module, "BACKEND", "eager")  # exact: the probe must pass
    run = tmp_path / "run"
    assert main(["train", "--data", str(tiny_data), "--out", str(run), "--preset", "tiny",
                 "--epochs", "1", "--no-progress", "--compile"]) == 0
    assert "DIFFER" not in capsys.readouterr().out
    assert json.loads((run / "metrics.json").read_text())["compiled"] is True


def test_the_known_fault_check_fails_under_a_wrong_compiler(monkeypatch):
    monkeypatch.setattr(compile_module, "BACKEND", wrong_gradients_backend)
    assert not compile_module.known_fault_check().ok
    monkeypatch.setattr(compile_module, "BACKEND", "eager")
    assert compile_module.known_fault_check().ok
