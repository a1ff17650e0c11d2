"""Networks, their presets, building them from run options, and checkpoints."""
from .compile import CompileCheck, check_compiled, compile_checked, maybe_compile, unwrap_compiled
from .checkpoint import (load_model, load_model_and_metadata, model_from_dict, model_to_dict,
                         read_torch_file, save_model, upgrade_checkpoint)
from .factory import model_from_options
from .presets import PRESETS, preset_config, preset_layout
from .stgcn import STGCN, BlockSpec

__all__ = [
    "BlockSpec", "CompileCheck", "PRESETS", "STGCN", "check_compiled", "compile_checked",
    "load_model", "load_model_and_metadata", "maybe_compile", "model_from_dict",
    "model_from_options", "model_to_dict", "preset_config", "preset_layout", "read_torch_file",
    "save_model", "unwrap_compiled", "upgrade_checkpoint",
]
