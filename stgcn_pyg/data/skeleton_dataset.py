"""A folder of the seed's format as a PyG ``Dataset``: one sample a ``Data`` over the skeleton,
batched by PyG's ``DataLoader`` into a disjoint union that :class:`~stgcn_pyg.models.STGCN`
takes directly."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch_geometric.data import Data, Dataset
from tqdm import tqdm

from ..graph import build_graph
from ..graph.layouts import resolve_layout
from ..io import atomic_path, load_npy
from .folder import SkeletonFolder, read_folder_meta


class SkeletonDataset(Dataset):
    """One split of a folder (``{split}_data.npy`` [N, C, T, V(, M)], ``{split}_label.npy``) as
    PyG ``Data`` samples, read from the memory-mapped files one at a time.

    Each sample holds ``x`` [V, T, C] (nodes first; [V, T, C, M] when the folder holds M > 1
    persons), ``y`` [1], and the skeleton shared by all samples: ``edge_index`` [2, E],
    ``edge_type`` [E] (partition) and ``edge_weight`` [E] of :func:`~stgcn_pyg.graph.build_graph`.

    Args:
        root: the folder; it is the raw directory (``raw_file_names`` are the split's two
            files). Processing writes ``processed/{split}_graph.pt`` (the graph and the counts)
            and, with a ``pre_transform``, its outputs' ``x`` as ``processed/{split}_x.npy``,
            written sample by sample.
        split: ``"train"``, ``"test"`` or ``"val"``.
        layout: the skeleton (default: the folder's ``meta.json``, else the one registered
            layout with V joints); ``strategy``: its partition strategy.
        transform: applied to each ``Data`` as it is read; ``pre_transform``: applied once in
            :meth:`process` (it may change ``x``; every sample's ``x`` must keep one shape).
        processed_dir: where processed files go (default ``root/processed``), for a read-only
            ``root``.
    """

    def __init__(self, root: "str | Path", split: str = "train",
                 layout: "str | Path | None" = None, strategy: str = "spatial",
                 transform: Callable[[Data], Data] | None = None,
                 pre_transform: Callable[[Data], Data] | None = None,
                 processed_dir: "str | Path | None" = None, force_reload: bool = False,
                 log: bool = True) -> None:
        self.split, self.strategy = split, strategy
        self._layout = layout
        self._processed_dir = processed_dir
        self._folder = SkeletonFolder(root, split, check_finite=False)
        super().__init__(str(root), transform, pre_transform, log=log, force_reload=force_reload)
        stored = torch.load(self.processed_paths[0], weights_only=True)
        self.layout, self.class_names = stored["layout"], stored["class_names"]
        self._graph = _edges(stored)
        self._x = (load_npy(self.processed_paths[1]) if pre_transform is not None
                   else self._folder.data)

    @property
    def raw_dir(self) -> str:
        return self.root

    @property
    def processed_dir(self) -> str:
        return str(self._processed_dir or Path(self.root, "processed"))

    @property
    def raw_file_names(self) -> list[str]:
        return [f"{self.split}_data.npy", f"{self.split}_label.npy"]

    @property
    def processed_file_names(self) -> list[str]:
        names = [f"{self.split}_graph.pt"]
        return names + [f"{self.split}_x.npy"] if self.pre_transform is not None else names

    @property
    def num_classes(self) -> int:
        """The folder's classes (``classes.txt``, else 1 + the largest label); no pass over
        the samples."""
        return self._folder.num_classes

    def process(self) -> None:
        """Check the folder (finite values, labels), build the graph and run ``pre_transform``
        over every sample, writing each file atomically."""
        folder = SkeletonFolder(self.root, self.split, check_finite=True)
        num_nodes = folder.sample_shape[2]
        given = self._layout or read_folder_meta(self.root).get("layout")
        layout = resolve_layout(num_nodes, given, source=str(folder.root))
        graph = build_graph(layout, self.strategy)
        stored = {"layout": str(layout), "class_names": folder.label_names(),
                  "edge_index": graph.edge_index, "edge_type": graph.edge_type,
                  "edge_weight": graph.edge_weight.float()}
        self._graph = _edges(stored)
        if self.pre_transform is not None:
            self._write_pre_transformed(folder, Path(self.processed_paths[1]))
        with atomic_path(self.processed_paths[0]) as tmp:
            torch.save(stored, tmp)

    def _write_pre_transformed(self, folder: SkeletonFolder, path: Path) -> None:
        first = self.pre_transform(self._sample(folder.data, folder.labels, 0)).x
        with atomic_path(path) as tmp:
            out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                            shape=(len(folder), *first.shape))
            for index in tqdm(range(len(folder)), desc=f"pre_transform {self.split}",
                              disable=not self.log, leave=False):
                x = self.pre_transform(self._sample(folder.data, folder.labels, index)).x
                if tuple(x.shape) != tuple(first.shape):
                    raise ValueError(f"pre_transform: every sample's x must keep one shape; "
                                     f"sample 0 gave {list(first.shape)}, sample {index} "
                                     f"{list(x.shape)}")
                out[index] = x.numpy()
            out.flush()
            del out

    def _sample(self, data: np.ndarray, labels: np.ndarray, index: int) -> Data:
        x = torch.from_numpy(np.array(data[index], dtype=np.float32))
        if x.dim() == 4 and x.size(-1) == 1:
            x = x.squeeze(-1)
        x = x.permute(2, 1, 0, *range(3, x.dim()))  # [C, T, V(, M)] -> [V, T, C(, M)]
        return self._data(x.contiguous(), int(labels[index]))

    def _data(self, x: torch.Tensor, label: int) -> Data:
        return Data(x=x, y=torch.tensor([label]), num_nodes=x.size(0), **self._graph)

    def len(self) -> int:
        return len(self._folder)

    def get(self, idx: int) -> Data:
        if self.pre_transform is None:
            return self._sample(self._x, self._folder.labels, idx)
        x = torch.from_numpy(np.array(self._x[idx], dtype=np.float32))
        return self._data(x, int(self._folder.labels[idx]))


def _edges(stored: dict) -> dict[str, torch.Tensor]:
    """The skeleton fields every sample carries: ``edge_index``, ``edge_type``, ``edge_weight``
    (the layout and class names stay with the dataset)."""
    return {key: stored[key] for key in ("edge_index", "edge_type", "edge_weight")}


__all__ = ["SkeletonDataset"]
