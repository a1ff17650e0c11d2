import numpy as np
import pytest
import torch
from torch import nn

from stgcn_pyg.cli import main
from stgcn_pyg.export import export_onnx
from stgcn_pyg.models import STGCN, BlockSpec, save_model
from stgcn_pyg.nn import register_spatial

onnxruntime = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

BLOCKS = [BlockSpec(12, 1, residual=False), BlockSpec(12, 2)]
MODELS = {
    "mp": {},
    "adaptive": dict(spatial="adaptive", spatial_kwargs={"data_dependent": True}),
    "mstcn": dict(temporal="mstcn", temporal_kwargs={"dilations": [1, 2]}),
}


def _model(kind, path="auto"):
    torch.manual_seed(0)
    model = STGCN(3, 5, "ntu-rgb+d", blocks=BLOCKS, **MODELS[kind])
    for block in model.blocks:
        block.gcn.path = path
        if getattr(block.gcn, "alpha", None) is not None:
            nn.init.constant_(block.gcn.alpha, 0.5)
    # Train a little so BatchNorm statistics and importance are not at their initial values.
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        model(torch.randn(4, 3, 16, 25, 2)).logsumexp(1).mean().backward()
        opt.step()
    return model.eval()


def _onnx_error(model, file, batch, frames=16, persons=2):
    session = onnxruntime.InferenceSession(str(file), providers=["CPUExecutionProvider"])
    x = torch.randn(batch, 3, frames, 25, persons)
    (out,) = session.run(None, {"x": x.numpy()})
    return np.abs(out - model(x).detach().numpy()).max()


@pytest.mark.parametrize("kind,path,exporter", [
    ("mp", "fused", "dynamo"), ("mp", "edge", "dynamo"), ("mp", "scatter", "dynamo"),
    ("adaptive", "fused", "dynamo"), ("mstcn", "auto", "dynamo"),
])
def test_export_runs_in_onnxruntime_with_a_dynamic_batch(tmp_path, kind, path, exporter):
    model = _model(kind, path)
    report = export_onnx(model, tmp_path / "m.onnx", frames=16, persons=2, exporter=exporter)
    assert report["opset"] == (18 if exporter == "dynamo" else 16)
    assert max(report["max_abs_error"].values()) <= 1e-4
    for batch in (1, 5):  # independent of the built-in check's batch sizes (2, 3)
        assert _onnx_error(model, tmp_path / "m.onnx", batch) <= 1e-4


def test_cli_exports_a_checkpoint(tmp_path, capsys):
    model = _model("adaptive")
    save_model(model, tmp_path / "m.pt")
    assert main(["export", "--checkpoint", str(tmp_path / "m.pt"), "--out",
                 str(tmp_path / "m.onnx"), "--frames", "16", "--persons", "2"]) == 0
    out = capsys.readouterr().out
    assert "dynamo exporter, opset 18, input x ['batch', 3, 16, 25, 2]" in out
    assert "onnxruntime vs PyTorch, batch 3" in out
    assert _onnx_error(model, tmp_path / "m.onnx", 4) <= 1e-4


@pytest.mark.parametrize("argv,message", [
    (["--opset", "12"], "opset: the dynamo exporter writes opsets 18..23, got 12 (the "
                        "message-passing scatter-add needs opset >= 16)"),
    (["--opset", "24"], "the dynamo exporter writes opsets 18..23, got 24"),
    (["--frames", "0"], "frames: expected an int >= 1, got 0"),
])
def test_cli_bad_options(tmp_path, capsys, argv, message):
    save_model(STGCN(3, 5, "openpose", blocks=BLOCKS), tmp_path / "m.pt")
    assert main(["export", "--checkpoint", str(tmp_path / "m.pt"), "--out",
                 str(tmp_path / "m.onnx"), *argv]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.onnx").exists()


def test_cli_unregistered_layer_in_checkpoint(tmp_path, capsys):
    save_model(STGCN(3, 5, "openpose", blocks=BLOCKS), tmp_path / "m.pt")
    checkpoint = torch.load(tmp_path / "m.pt", weights_only=True)
    checkpoint["config"]["spatial"] = "my-gcn"
    torch.save(checkpoint, tmp_path / "custom.pt")
    assert main(["export", "--checkpoint", str(tmp_path / "custom.pt"), "--out",
                 str(tmp_path / "m.onnx")]) == 2
    err = capsys.readouterr().err
    assert "spatial: unknown layer 'my-gcn'; registered: [" in err


@register_spatial("test-data-dependent-branch")
class _Branchy(nn.Conv2d):
    def __init__(self, in_channels, out_channels, num_partitions):
        super().__init__(in_channels, out_channels, 1)

    def forward(self, x, edge_index, edge_type, edge_weight=None):
        y = super().forward(x)
        return y if bool(y.mean() > 0) else -y  # Python control flow on data: not exportable


def test_unexportable_model_gets_a_clear_error(tmp_path):
    model = STGCN(3, 5, "openpose", blocks=BLOCKS, spatial="test-data-dependent-branch")
    with pytest.raises(ValueError, match=r"export: the dynamo exporter cannot export this model "
                                         r"\(layers \['TemporalConv', '_Branchy'\]\) at opset 18"):
        export_onnx(model, tmp_path / "m.onnx", frames=8)
    assert list(tmp_path.iterdir()) == []


def test_layers_on_other_paths_export_on_the_fused_path(tmp_path):
    model = _model("mp", "fused")
    for block in model.blocks:
        block.gcn.path = "custom"  # a path the exporters do not know
    report = export_onnx(model, tmp_path / "m.onnx", frames=16, persons=2)
    assert max(report["max_abs_error"].values()) <= 1e-4
    assert all(block.gcn.path == "custom" for block in model.blocks)  # caller's model unchanged
