"""Pictures of skeleton graphs and of what a model learned on them (networkx + matplotlib).

The graph pictures (``plot_skeleton``, ``plot_partitions``, ``plot_partition_matrices``,
``plot_importance``) build a matplotlib ``Figure`` (no pyplot state, rendered by Agg), save it
atomically when given a path, and return it; ``plot_sequence`` writes a GIF and
``plot_confusion`` / ``plot_curves`` a PNG, and return the path.
"""
from .activation import class_activation
from .confusion import plot_confusion
from .curves import compare_curves, plot_curves
from .draw import draw_skeleton, skeleton_networkx
from .explanation import bone_mask, plot_explanation
from .importance import layer_weights, plot_importance
from .partitions import neighbour_partitions, plot_partition_matrices, plot_partitions
from .poses import default_pose, project
from .sequence import load_sequence, plot_sequence
from .skeleton import plot_skeleton

__all__ = [
    "bone_mask", "class_activation", "compare_curves", "default_pose", "draw_skeleton",
    "layer_weights", "load_sequence", "neighbour_partitions", "plot_confusion", "plot_curves",
    "plot_explanation", "plot_importance",
    "plot_partition_matrices", "plot_partitions", "plot_sequence", "plot_skeleton", "project",
    "skeleton_networkx",
]
