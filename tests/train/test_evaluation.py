import numpy as np
import pytest
import torch

from stgcn_pyg.train import ensemble_metrics, fused_log_probabilities


def _numpy_mean_probabilities(logits, weights):
    """Independent reference: the weighted mean of softmax probabilities, in numpy."""
    total = 0.0
    for member, weight in zip(logits, weights):
        z = np.exp(member - member.max(axis=1, keepdims=True))
        total = total + weight * z / z.sum(axis=1, keepdims=True)
    return total / sum(weights)


@pytest.mark.parametrize("weights", [None, [1.0, 3.0, 0.5]])
def test_fused_probabilities_equal_the_weighted_mean_of_softmax(weights):
    generator = torch.Generator().manual_seed(0)
    logits = [torch.randn(7, 5, generator=generator) * 4 for _ in range(3)]
    fused = fused_log_probabilities(logits, weights)
    expected = _numpy_mean_probabilities([m.double().numpy() for m in logits], weights or [1, 1, 1])
    np.testing.assert_allclose(fused.exp().numpy(), expected, rtol=1e-6, atol=1e-7)


def test_one_member_is_its_log_softmax_and_keeps_the_cross_entropy():
    logits = torch.tensor([[2.0, -1.0, 0.5], [30.0, -40.0, 0.0]])
    labels = torch.tensor([2, 1])
    fused = fused_log_probabilities([logits])
    torch.testing.assert_close(fused, torch.log_softmax(logits, dim=1))
    result = ensemble_metrics([logits], labels)
    assert result["loss"] == pytest.approx(float(torch.nn.functional.cross_entropy(logits, labels)))


def test_two_half_right_models_fuse_to_all_right():
    # Hand-computed: A gives p(0) = 0.881 to both samples, B gives p(1) = 0.731 and 0.953;
    # the means are 0.575 for class 0 (sample 0) and 0.536 for class 1 (sample 1).
    labels = torch.tensor([0, 1])
    model_a = torch.tensor([[2.0, 0.0], [2.0, 0.0]])
    model_b = torch.tensor([[0.0, 1.0], [0.0, 3.0]])
    assert ensemble_metrics([model_a], labels)["top1"] == 0.5
    assert ensemble_metrics([model_b], labels)["top1"] == 0.5
    fused = ensemble_metrics([model_a, model_b], labels)
    assert fused["top1"] == 1.0 and fused["confusion_matrix"] == [[1, 0], [0, 1]]
    assert fused["loss"] == pytest.approx(-(np.log(0.5749) + np.log(0.5359)) / 2, abs=1e-3)
    # Weighting A three times as much flips sample 1 back to class 0.
    assert ensemble_metrics([model_a, model_b], labels, [3.0, 1.0])["top1"] == 0.5


def test_bad_ensembles_are_refused():
    logits = torch.zeros(4, 3)
    with pytest.raises(ValueError, match="logits: expected at least one"):
        fused_log_probabilities([])
    with pytest.raises(ValueError, match=r"weights: expected 2 positive numbers, got \[1.0\]"):
        fused_log_probabilities([logits, logits], [1.0])
    with pytest.raises(ValueError, match="weights: expected 2 positive"):
        fused_log_probabilities([logits, logits], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"one shape \[N, C\] for every model"):
        fused_log_probabilities([logits, torch.zeros(4, 5)])
