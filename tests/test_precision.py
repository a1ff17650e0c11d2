import pytest
import torch

from stgcn_pyg.models import STGCN, BlockSpec
from stgcn_pyg.precision import AMP_MODES, amp_dtype, autocast, grad_scaler

BLOCKS = [BlockSpec(16, 1, residual=False), BlockSpec(16), BlockSpec(32, 2), BlockSpec(32)]
LAYERS = {
    "mp": {},
    "adaptive": dict(spatial="adaptive", spatial_kwargs={"data_dependent": True}),
    "mstcn": dict(temporal="mstcn"),
}
# bf16 keeps 8 significant bits (relative rounding 2^-9 per op); through 4 blocks the logits
# differ from float32 by about 0.4% of their scale (measured), 2% is the bound tested.
BF16_RTOL = 0.02


def test_modes_are_validated():
    assert AMP_MODES == ("off", "bf16", "fp16")
    assert amp_dtype("off", "cpu") is None and amp_dtype("bf16", "cpu") is torch.bfloat16
    with pytest.raises(ValueError, match=r"amp: expected one of \['off', 'bf16', 'fp16'\], got 'fp8'"):
        autocast("fp8", "cpu")
    with pytest.raises(ValueError, match="amp: 'fp16' needs a CUDA device; use 'bf16' on the CPU"):
        autocast("fp16", "cpu")
    assert not grad_scaler("bf16", "cpu").is_enabled()


@pytest.mark.parametrize("layers,path", [("mp", "fused"), ("mp", "edge"), ("adaptive", "fused"),
                                         ("adaptive", "edge"), ("mstcn", "auto")])
def test_bf16_autocast_is_close_to_float32(layers, path):
    torch.manual_seed(0)
    model = STGCN(3, 10, "ntu-rgb+d", blocks=BLOCKS, **LAYERS[layers]).eval()
    for block in model.blocks:
        block.gcn.path = path
        if getattr(block.gcn, "alpha", None) is not None:
            torch.nn.init.constant_(block.gcn.alpha, 0.5)  # make the data-dependent term count
    x = torch.randn(4, 3, 16, 25, 2)
    reference = model(x)
    with autocast("bf16", "cpu"):
        out = model(x)
    assert out.dtype == torch.bfloat16
    scale = reference.abs().max()
    assert (out.float() - reference).abs().max() <= BF16_RTOL * scale
    assert not torch.equal(out.float(), reference)  # autocast did something


def test_bf16_training_step_keeps_float32_parameters():
    model = STGCN(3, 10, "ntu-rgb+d", blocks=BLOCKS[:2], **LAYERS["adaptive"])
    scaler = grad_scaler("bf16", "cpu")
    with autocast("bf16", "cpu"):
        loss = torch.nn.functional.cross_entropy(model(torch.randn(2, 3, 8, 25)),
                                                 torch.tensor([1, 2]))
    scaler.scale(loss).backward()
    assert all(p.dtype == torch.float32 and p.grad.dtype == torch.float32
               for p in model.parameters() if p.grad is not None)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
@pytest.mark.parametrize("amp", ["fp16", "bf16"])
def test_cuda_autocast(amp):
    model = STGCN(3, 10, "ntu-rgb+d", blocks=BLOCKS, **LAYERS["adaptive"]).cuda().eval()
    x = torch.randn(4, 3, 16, 25, 2, device="cuda")
    reference = model(x)
    with autocast(amp, "cuda"):
        out = model(x)
    assert (out.float() - reference).abs().max() <= BF16_RTOL * reference.abs().max()
