"""Pictures of skeleton graphs and of what a model learned on them (networkx + matplotlib).

Every ``plot_*`` function builds a matplotlib ``Figure`` (no pyplot state, rendered by Agg),
saves it atomically when given a path, and returns it.
"""
from .draw import draw_skeleton, skeleton_networkx
from .partitions import neighbour_partitions, plot_partition_matrices, plot_partitions
from .poses import default_pose, project
from .skeleton import plot_skeleton

__all__ = [
    "default_pose", "draw_skeleton", "neighbour_partitions", "plot_partition_matrices",
    "plot_partitions", "plot_skeleton", "project", "skeleton_networkx",
]
