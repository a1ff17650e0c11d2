"""Optional TensorBoard scalars beside ``metrics.json`` (the ``tensorboard`` extra)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

TENSORBOARD_DIR = "tensorboard"


class TensorBoardScalars:
    """Write every number of an epoch's record (losses, accuracies, lr) to ``RUN/tensorboard``
    at step ``epoch``; a no-op when ``out`` is None. The package is checked at construction
    (before a run does any work), the folder made at the first record."""

    def __init__(self, out: "str | Path | None") -> None:
        self.out, self.writer = out, None
        if out is None:
            return
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as err:
            raise ValueError(f"--tensorboard: needs the optional tensorboard package (pip "
                             f"install 'stgcn-pyg[tensorboard]'): {err}") from None
        self.writer_class = SummaryWriter

    def add(self, record: dict[str, Any]) -> None:
        if self.out is None:
            return
        if self.writer is None:
            self.writer = self.writer_class(str(Path(self.out) / TENSORBOARD_DIR))
        for key, value in record.items():
            if key != "epoch" and isinstance(value, (int, float)):
                self.writer.add_scalar(key, value, record["epoch"])
        self.writer.flush()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
