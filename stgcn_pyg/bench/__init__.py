"""Benchmarks: MP vs dense equivalence, speed and peak memory, scaling, reports (``stgcn-pyg bench``)."""
