"""Image checks and data fixtures shared by the picture tests."""
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

# A blank canvas has variance 0; the sparsest real picture here is far above this.
MIN_VARIANCE = 100.0


def check_image(path: Path, size: tuple[int, int], min_frames: int = 1) -> Image.Image:
    """The file exists, has ``size`` pixels, is not blank and (GIF) has enough frames."""
    assert Path(path).is_file(), f"{path} was not written"
    image = Image.open(path)
    assert image.size == size
    assert getattr(image, "n_frames", 1) >= min_frames
    variance = float(np.asarray(image.convert("L"), dtype=np.float64).var())
    assert variance > MIN_VARIANCE, f"{path} looks blank (pixel variance {variance:.1f})"
    return image


@pytest.fixture
def nw_ucla_file(shared_datasets) -> Path:
    path = shared_datasets / "nw-ucla" / "all_sqe" / "a01_s01_e00_v01.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path
