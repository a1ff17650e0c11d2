"""Model checkpoints: the constructor config plus the state dict, loadable with
``torch.load(..., weights_only=True)`` (plain types and tensors only).

Format ``stgcn-pyg/2`` (the graph held once by the model, importance by each block); files of
format ``stgcn-pyg/1`` are read through :func:`stgcn_pyg.models.legacy.upgrade_v1`."""
from __future__ import annotations

import inspect
import pickle
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import Data

from ..graph import Skeleton
from ..io import save_torch
from ..utils import default_dtype
from .legacy import upgrade_v1
from .stgcn import STGCN, model_graph

FORMAT = "stgcn-pyg/2"
FORMAT_V1 = "stgcn-pyg/1"


def model_to_dict(model: STGCN, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"format", "config", "state_dict"}`` of a model, plus ``"metadata"`` (plain values
    describing how to use it, e.g. ``{"stream": "bone"}``) when given."""
    config = dict(model.config)
    for key in ("spatial", "temporal"):
        if config[key] is not None and not isinstance(config[key], str):
            raise TypeError(f"{key}: a model built with the factory {config[key]!r} cannot be "
                            f"saved; register the layer under a name and build with that name")
    config["graph"] = _graph_to_plain(config["graph"])
    checkpoint = {"format": FORMAT, "config": config, "state_dict": model.state_dict()}
    return {**checkpoint, "metadata": dict(metadata)} if metadata else checkpoint


def upgrade_checkpoint(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """A :func:`model_to_dict` checkpoint in the current format (version 1 is rewritten)."""
    if isinstance(checkpoint, dict) and checkpoint.get("format") == FORMAT_V1:
        return upgrade_v1(checkpoint)
    return checkpoint


def model_from_dict(checkpoint: dict[str, Any]) -> STGCN:
    """Rebuild the model of :func:`model_to_dict` (same dtype as the stored tensors); reads
    both formats."""
    checkpoint = upgrade_checkpoint(checkpoint)
    if not isinstance(checkpoint, dict) or checkpoint.get("format") != FORMAT:
        found = checkpoint.get("format") if isinstance(checkpoint, dict) else type(checkpoint).__name__
        raise ValueError(f"checkpoint: expected format {FORMAT!r} or {FORMAT_V1!r} (a file "
                         f"written by stgcn_pyg.models.save_model or stgcn-pyg train), got "
                         f"{found!r}")
    config = dict(checkpoint["config"])
    config["graph"] = _graph_from_plain(config["graph"])
    state = checkpoint["state_dict"]
    dtype = state["head.weight"].dtype if "head.weight" in state else torch.get_default_dtype()
    with default_dtype(dtype):
        model = STGCN(**config)
    model.load_state_dict(state)
    return model


def save_model(model: STGCN, path: "str | Path", metadata: dict[str, Any] | None = None) -> None:
    """Write a model checkpoint (with optional ``metadata``) atomically."""
    save_torch(model_to_dict(model, metadata), path)


def load_model(path: "str | Path", map_location: "str | torch.device" = "cpu") -> STGCN:
    """Read a checkpoint of :func:`save_model` (or a training checkpoint holding one under
    ``"model"``)."""
    return load_model_and_metadata(path, map_location)[0]


def load_model_and_metadata(path: "str | Path", map_location: "str | torch.device" = "cpu"
                            ) -> tuple[STGCN, dict[str, Any]]:
    """:func:`load_model`, plus how the model is meant to be used: a :func:`save_model`
    file's ``metadata``, a training checkpoint's run ``config`` (both hold ``"stream"``), or
    ``{}``."""
    path = Path(path)
    checkpoint = read_torch_file(path, map_location)
    metadata = {}
    if isinstance(checkpoint, dict) and "model" in checkpoint and "format" not in checkpoint:
        metadata, checkpoint = checkpoint.get("config", {}), checkpoint["model"]
    elif isinstance(checkpoint, dict):
        metadata = checkpoint.get("metadata", {})
    try:
        model = model_from_dict(checkpoint)
    except ValueError as err:
        raise ValueError(f"checkpoint {path}: {str(err).removeprefix('checkpoint: ')}") from None
    except (KeyError, IndexError, TypeError, AttributeError) as err:
        raise ValueError(f"checkpoint {path}: not a model checkpoint of stgcn-pyg "
                         f"({type(err).__name__}: {err})") from None
    bad = [name for name, t in model.state_dict().items()
           if t.is_floating_point() and not bool(torch.isfinite(t).all())]
    if bad:
        raise ValueError(f"checkpoint {path}: {len(bad)} parameters or buffers hold NaN or inf "
                         f"({', '.join(bad[:3])}{', ...' if len(bad) > 3 else ''}): the run "
                         f"that wrote it diverged; train again with a lower --lr")
    return model, dict(metadata) if isinstance(metadata, dict) else {}


def config_with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    """A stored model config with every constructor argument it lacks (options added after
    it was written) at its default: configs of the same model compare equal."""
    defaults = {name: p.default for name, p in inspect.signature(STGCN).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {**defaults, **config}


def graph_from_config(config: dict[str, Any]):
    """The graph ``Data`` a stored model config describes."""
    keys = ("strategy", "max_hop", "dilation", "exact_distance", "all_pairs")
    return model_graph(_graph_from_plain(config["graph"]), **{k: config[k] for k in keys
                                                                  if k in config})


def read_torch_file(path: "str | Path", map_location: "str | torch.device" = "cpu") -> Any:
    """``torch.load(path, weights_only=True)``: plain types and tensors only, no code from the
    file runs. A missing, empty, truncated or foreign file is a ``FileNotFoundError`` /
    ``ValueError`` that names it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path}: no such file")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except EOFError:
        raise ValueError(f"checkpoint {path}: not a readable torch file (empty or cut "
                         f"short)") from None
    except (pickle.UnpicklingError, KeyError, IndexError, ValueError, TypeError,
            AttributeError, UnicodeDecodeError):
        raise ValueError(f"checkpoint {path}: not a readable torch file (text, or a file "
                         f"holding objects other than tensors and plain values, which are "
                         f"never loaded)") from None
    except Exception as err:  # garbled bytes reach many parsers (struct, zip, unpickler)
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise ValueError(f"checkpoint {path}: not a readable torch file (truncated or not a "
                         f"torch archive: {first[:80]})") from None


def _graph_to_plain(graph: Any) -> Any:
    if isinstance(graph, (str, int)):
        return graph
    if isinstance(graph, Path):
        return str(graph)
    if isinstance(graph, Skeleton):
        return {"skeleton": asdict(graph)}
    if isinstance(graph, Data):
        return {"data": {key: value for key, value in graph.to_dict().items()}}
    raise TypeError(f"graph: cannot store a {type(graph).__name__} in a checkpoint")


def _graph_from_plain(graph: Any) -> Any:
    if isinstance(graph, dict) and "skeleton" in graph:
        spec = dict(graph["skeleton"])
        spec["edges"] = tuple(tuple(e) for e in spec["edges"])
        return Skeleton(**spec)
    if isinstance(graph, dict) and "data" in graph:
        return Data(**graph["data"])
    return graph
