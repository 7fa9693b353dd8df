"""What several notebooks share: the bundled photographs, cached read-only."""

from __future__ import annotations

from functools import cache

import numpy as np

from lossylab.blockstats import BlockPool, block_pool, faces, luma

# Cached views of the bundled photographs, for sliders (each call after the first is free).


PHOTOGRAPHS = ("astronaut", "camera", "coffee", "chelsea", "rocket")
RD_QUALITIES = tuple(range(5, 96, 10))  # 5, 15, ..., 95: SSIM costs ~0.1 s per point


@cache
def photograph(name: str) -> np.ndarray:
    """A bundled photograph (see :data:`PHOTOGRAPHS`), cached and read-only."""
    from lossylab.data import sample_image

    image = sample_image(name)
    image.setflags(write=False)
    return image


@cache
def sample_block_pool(names: tuple[str, ...] = PHOTOGRAPHS, *, with_faces: bool = True
                      ) -> BlockPool:
    """The p_true of notebook 04: luma blocks of the photographs and of the 200 faces, cached.

    With the defaults: 20,054 blocks, 18,254 from the five photographs, 1,800 from faces.
    """
    groups = [luma(photograph(name)) for name in names]
    return block_pool(groups + ([faces()] if with_faces else []))
