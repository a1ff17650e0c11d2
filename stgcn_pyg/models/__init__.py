"""Networks and their presets."""
from .checkpoint import load_model, model_from_dict, model_to_dict, save_model
from .presets import PRESETS, preset_config
from .stgcn import STGCN, BlockSpec

__all__ = [
    "BlockSpec", "PRESETS", "STGCN", "load_model", "model_from_dict", "model_to_dict",
    "preset_config", "save_model",
]
