import pytest
import torch

from stgcn_pyg.nn.dropout import Dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keeps_each_element_with_probability_one_minus_p_and_rescales(p):
    torch.manual_seed(0)
    layer = Dropout(p).train()
    x = torch.ones(400_000)
    y = layer(x)
    kept = y != 0
    assert kept.float().mean().item() == pytest.approx(1 - p, abs=0.005)
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / (1 - p)))
    assert y.mean().item() == pytest.approx(1.0, abs=0.02)  # unbiased like nn.Dropout


def test_gradient_flows_through_kept_elements_only():
    torch.manual_seed(1)
    x = torch.randn(1000, requires_grad=True)
    y = Dropout(0.5).train()(x)
    y.sum().backward()
    torch.testing.assert_close(x.grad, (y != 0).float() * 2.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_eval_mode_p0_and_p1_and_dtypes(dtype):
    x = torch.randn(10, 20).to(dtype)
    assert Dropout(0.5).eval()(x) is x
    assert Dropout(0.0).train()(x) is x
    assert torch.count_nonzero(Dropout(1.0).train()(x)) == 0
    assert Dropout(0.3).train()(x).dtype == dtype
    assert isinstance(Dropout(0.5), torch.nn.Dropout) and str(Dropout(0.5)) == "Dropout(p=0.5, inplace=False)"
