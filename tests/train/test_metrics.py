import torch

from stgcn_pyg.train import classification_metrics, confusion_matrix, topk_accuracy


def test_topk_and_confusion():
    logits = torch.tensor([[3.0, 2, 1], [1, 3, 2], [1, 2, 3], [3, 1, 2]])
    labels = torch.tensor([0, 2, 2, 1])
    assert topk_accuracy(logits, labels, 1) == 0.5
    assert topk_accuracy(logits, labels, 2) == 0.75
    assert topk_accuracy(logits, labels, 5) == 1.0
    assert confusion_matrix(logits.argmax(1), labels, 3).tolist() == [[1, 0, 0], [1, 0, 0],
                                                                      [0, 1, 1]]
    m = classification_metrics(logits, labels)
    assert m["per_class_accuracy"] == [1.0, 0.0, 0.5] and m["top1"] == 0.5


def test_class_without_samples():
    m = classification_metrics(torch.eye(3)[[0, 0]], torch.tensor([0, 0]))
    assert m["per_class_accuracy"] == [1.0, None, None]
