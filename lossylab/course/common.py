"""What several notebooks share: the bundled photographs and notebook 04's block pool, cached.

Everything returned is read-only: a cell that edits a result cannot change the next call's.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from lossylab.blockstats import BlockPool, block_pool, luma
from lossylab.data import face_blocks, sample_image

__all__ = ["PHOTOGRAPHS", "RD_QUALITIES", "photograph", "sample_block_pool"]

PHOTOGRAPHS = ("astronaut", "camera", "coffee", "chelsea", "rocket")
RD_QUALITIES = tuple(range(5, 96, 10))  # 5, 15, ..., 95: SSIM costs ~0.1 s per point


@cache
def photograph(name: str) -> np.ndarray:
    """A bundled photograph (see :data:`PHOTOGRAPHS`), cached and read-only.

    Examples
    --------
    >>> photograph("camera").shape, photograph("camera").flags.writeable
    ((512, 512), False)
    """
    image = sample_image(name)
    image.setflags(write=False)
    return image


@cache
def sample_block_pool(names: tuple[str, ...] = PHOTOGRAPHS, *, with_faces: bool = True
                      ) -> BlockPool:
    """The p_true of notebook 04: luma blocks of the photographs and of the 200 faces, cached.

    20,054 blocks: 18,254 of the photographs, 1,800 of scikit-image's faces (cropped to 24x24).

    Examples
    --------
    >>> sample_block_pool().blocks.shape, sample_block_pool().blocks.flags.writeable
    ((20054, 8, 8), False)
    """
    groups = [luma(photograph(name)) for name in names]
    faces = [np.ascontiguousarray(face_blocks()[:, :24, :24])] if with_faces else []
    return block_pool(groups + faces)
