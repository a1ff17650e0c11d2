"""Helpers shared by the tests (imported as ``helpers``; conftest files hold fixtures only)."""
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from stgcn_pyg.utils import default_dtype  # noqa: F401  (re-exported for the tests)

TOLERANCE = {torch.float64: 1e-10, torch.float32: 1e-5}
MIN_PIXEL_VARIANCE = 25.0


def datasets_dir() -> Path:
    """``$STGCN_PYG_DATA`` or ``../shared/datasets`` beside the project."""
    return Path(os.environ.get("STGCN_PYG_DATA",
                               Path(__file__).parents[1] / ".." / "shared" / "datasets"))


def check_image(path, size=None, min_size=(200, 200), min_frames=1) -> Image.Image:
    """The file is a real picture: it exists, has ``size`` pixels (or at least ``min_size``),
    is not blank (grey-level variance above a threshold) and has ``min_frames`` frames."""
    path = Path(path)
    assert path.is_file() and path.stat().st_size > 1000, f"{path} was not written"
    image = Image.open(path)
    if size is not None:
        assert image.size == tuple(size), f"{path}: {image.size} pixels, expected {size}"
    else:
        assert image.size >= tuple(min_size), f"{path}: {image.size} pixels, expected >= {min_size}"
    assert getattr(image, "n_frames", 1) >= min_frames
    variance = float(np.asarray(image.convert("L"), dtype=np.float64).var())
    assert variance > MIN_PIXEL_VARIANCE, f"{path} looks blank (pixel variance {variance:.1f})"
    return image
