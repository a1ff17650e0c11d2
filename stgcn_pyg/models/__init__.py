"""Networks and their presets."""
from .compile import maybe_compile, unwrap_compiled
from .checkpoint import (load_model, load_model_and_metadata, model_from_dict, model_to_dict,
                         save_model)
from .presets import PRESETS, preset_config
from .stgcn import STGCN, BlockSpec

__all__ = [
    "BlockSpec", "PRESETS", "STGCN", "load_model", "load_model_and_metadata", "maybe_compile",
    "model_from_dict", "model_to_dict", "preset_config", "save_model", "unwrap_compiled",
]
