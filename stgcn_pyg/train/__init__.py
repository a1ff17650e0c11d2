"""Training: recipes, the (resumable, distributed) loop, and metrics."""
from .evaluation import ensemble_metrics, evaluate, fused_log_probabilities, predict
from .loop import TrainConfig, build_model, load_checkpoint, train
from .metrics import classification_metrics, confusion_matrix, topk_accuracy
from .recipes import RECIPES, Recipe, get_recipe

__all__ = [
    "RECIPES", "Recipe", "TrainConfig", "build_model", "classification_metrics",
    "confusion_matrix", "ensemble_metrics", "evaluate", "fused_log_probabilities", "get_recipe",
    "load_checkpoint", "predict", "topk_accuracy", "train",
]
