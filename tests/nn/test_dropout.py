import pytest
import torch

from stgcn_pyg.nn.dropout import LEVELS, Dropout, uniform_int16


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_keeps_each_element_with_probability_one_minus_p_and_rescales(p):
    torch.manual_seed(0)
    layer = Dropout(p).train()
    x = torch.ones(400_000)
    y = layer(x)
    kept = y != 0
    assert kept.float().mean().item() == pytest.approx(1 - p, abs=0.005)
    p_used = round(p * LEVELS) / LEVELS  # p rounded to 1/65536: |p_used - p| < 8e-6
    assert abs(p_used - p) < 8e-6
    torch.testing.assert_close(y[kept], torch.full_like(y[kept], 1 / (1 - p_used)))
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


@pytest.mark.parametrize("shape", [(7,), (2, 3, 5), (64, 3, 1, 25)])
def test_uniform_int16_is_uniform_and_independent_across_neighbours(shape):
    torch.manual_seed(2)
    assert uniform_int16(torch.Size(shape), torch.device("cpu")).shape == shape
    u = uniform_int16(torch.Size([300_000]), torch.device("cpu")).long()
    assert u.min() >= -32768 and u.max() <= 32767
    counts = torch.bincount((u + 32768) // 4096, minlength=16).float()  # 16 equal bins
    assert (counts / counts.mean() - 1).abs().max() < 0.03
    bits = (u >= 0).float()  # the four values of one random word, and across words
    for lag in (1, 2, 3, 4):
        corr = torch.corrcoef(torch.stack([bits[:-lag], bits[lag:]]))[0, 1]
        assert abs(corr) < 0.01
