"""Named spatial and temporal layers, so a model config stays plain data and round-trips.

A **spatial layer** is built by ``factory(in_channels, out_channels, num_partitions, **kwargs)``
and called as ``layer(x, edge_index, edge_type, edge_weight)``: ``x`` [N, C, T, V] to
[N, C', T, V], the graph passed at every call (``edge_index`` [2, E], ``edge_type`` [E] in
0..K-1, ``edge_weight`` [E] or [N, E]), as PyG convs take it.
A **temporal layer** is built by ``factory(channels, kernel_size, stride, **kwargs)`` and maps
``[N, C, T, V] -> [N, C, ceil(T / stride), V]``. A factory is any callable: a class or a function.

Register one under a name with a decorator, then build models with that name::

    @register_spatial("my-gcn")
    class MyGCN(nn.Module):
        def __init__(self, in_channels, out_channels, num_partitions, hidden=8): ...
        def forward(self, x, edge_index, edge_type, edge_weight=None): ...

    STGCN(3, 10, spatial="my-gcn", spatial_kwargs={"hidden": 16})

This module only holds the tables: each layer registers itself where it is defined
(:mod:`stgcn_pyg.nn` imports them all). A checkpoint stores the name and the kwargs; the
module that registers a layer must be imported before the checkpoint is loaded.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from torch import nn

F = TypeVar("F", bound=Callable[..., nn.Module])


class Registry:
    """A name -> factory table with a decorator to fill it and a lookup that lists the names."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._factories: dict[str, Callable[..., nn.Module]] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator registering a factory under ``name`` (a name is taken once)."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"{self.kind} layer name: expected a non-empty str, got {name!r}")

        def decorator(factory: F) -> F:
            old = self._factories.get(name)
            if old is not None and _qualified_name(old) != _qualified_name(factory):
                raise ValueError(f"{self.kind} layer {name!r} is already registered "
                                 f"({_qualified_name(old)})")
            self._factories[name] = factory  # the same name again: a module or cell re-run
            return factory

        return decorator

    def get(self, name: str) -> Callable[..., nn.Module]:
        """The factory registered under ``name``."""
        if name not in self._factories:
            raise ValueError(f"{self.kind}: unknown layer {name!r}; registered: {self.names()} "
                             f"(import the module that registers it first)")
        return self._factories[name]

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return name in self._factories


def _qualified_name(factory: Callable) -> str:
    module = getattr(factory, "__module__", "?")
    return f"{module}.{getattr(factory, '__qualname__', repr(factory))}"


SPATIAL_LAYERS = Registry("spatial")
TEMPORAL_LAYERS = Registry("temporal")
register_spatial = SPATIAL_LAYERS.register
register_temporal = TEMPORAL_LAYERS.register

