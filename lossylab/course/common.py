"""What several notebooks share: the bundled photographs, cached read-only."""

from __future__ import annotations

from functools import cache

import numpy as np

# Cached views of the bundled photographs, for sliders (each call after the first is free).


@cache
def photograph(name: str) -> np.ndarray:
    """A bundled photograph (see :data:`PHOTOGRAPHS`), cached and read-only."""
    from lossylab.data import sample_image

    image = sample_image(name)
    image.setflags(write=False)
    return image
