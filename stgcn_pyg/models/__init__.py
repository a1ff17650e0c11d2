"""Networks and their presets."""
from .presets import PRESETS, preset_config
from .stgcn import STGCN, BlockSpec

__all__ = ["BlockSpec", "PRESETS", "STGCN", "preset_config"]
