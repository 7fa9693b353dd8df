"""JPEG as a map between distributions of 8x8 blocks.

JPEG is a deterministic channel p(x'|x) from images to images, so it pushes the distribution
of 8x8 luma blocks forward: many blocks land on the same decoded block and the entropy of the
block distribution can only drop. This module measures that on any set of images: distinct
blocks and their plug-in entropy before and after, textures flattened (mode collapse), and two
artifact scores for what JPEG adds (blocking and ringing).

What this version leaves out: the distributions are *empirical* (plug-in) distributions of a
few tens of thousands of blocks, so their entropy can never exceed log2 of the number of blocks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lossylab.images import _check_image, _check_pair, roundtrip
from lossylab.jpeg import BLOCK, _check_quality

# --- 3. JPEG as a map between distributions of 8x8 blocks -------------------------------
#
# p_true is the empirical distribution of the 8x8 luma blocks of a set of greyscale
# images; JPEG (greyscale, so every block is coded on its own) maps each block x to its
# decoded block x'. Because the map works block by block, it is a function of the block:
# the number of distinct blocks and the plug-in entropy can only go down.

FEATURE_EDGES = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, math.inf)  # grey levels
TEXTURE_STD = 8.0  # a block whose pixels' standard deviation is >= this is "textured"


def luma(image: np.ndarray) -> np.ndarray:
    """JFIF luma Y of an RGB image (or a greyscale image as is), cropped to multiples of 8.

    Returns
    -------
    numpy.ndarray
        uint8, (8 * (H // 8), 8 * (W // 8)).

    Examples
    --------
    >>> luma(np.full((10, 17, 3), 255, dtype=np.uint8)).shape
    (8, 16)
    """
    from lossylab.jpeg import rgb_to_ycbcr, to_samples

    array = _check_image(image)
    y = array if array.ndim == 2 else to_samples(rgb_to_ycbcr(array)[..., 0])
    return np.ascontiguousarray(y[: y.shape[0] // BLOCK * BLOCK, : y.shape[1] // BLOCK * BLOCK])


def faces() -> np.ndarray:
    """scikit-image's face set: 200 greyscale 25x25 images cropped to 24x24 (9 blocks each).

    Returns
    -------
    numpy.ndarray
        uint8, (200, 24, 24): a stack, so no measure looks across the edge between two faces.
    """
    from lossylab.data import face_blocks

    return np.ascontiguousarray(face_blocks()[:, :24, :24])


def blocks(images: np.ndarray) -> np.ndarray:
    """The 8x8 blocks of a greyscale image (H, W) or a stack (k, H, W), row by row.

    Parameters
    ----------
    images : numpy.ndarray
        Sides H and W multiples of 8 (crop with :func:`luma`).

    Returns
    -------
    numpy.ndarray
        Same dtype, (n_blocks, 8, 8), the same order as ``lossylab.jpeg.blockify``.

    Examples
    --------
    >>> blocks(np.arange(16 * 8).reshape(16, 8)).shape
    (2, 8, 8)
    """
    x = np.asarray(images)
    if x.ndim not in (2, 3) or x.shape[-2] % BLOCK or x.shape[-1] % BLOCK:
        raise ValueError(
            f"images must be (H, W) or (k, H, W) with H, W multiples of 8, got {x.shape}; "
            "crop with lossylab.course.nb04.luma"
        )
    h, w = x.shape[-2:]
    tiles = x.reshape(-1, h // BLOCK, BLOCK, w // BLOCK, BLOCK).swapaxes(2, 3)
    return tiles.reshape(-1, BLOCK, BLOCK)


def quantized_blocks(images: np.ndarray, quality: int) -> np.ndarray:
    """Quantized DCT coefficients of the blocks of greyscale images (JPEG's forward path).

    Returns
    -------
    numpy.ndarray
        int32, (n_blocks, 8, 8): ``round(DCT(block - 128) / Q_luma(quality))``, computed
        with ``lossylab.jpeg`` (:func:`~lossylab.jpeg.dct2`, :func:`~lossylab.jpeg.quantize`).
    """
    from lossylab.jpeg import dct2, level_shift, quant_tables, quantize

    return quantize(dct2(level_shift(blocks(images))), quant_tables(quality).luma)


def roundtrip_stack(images: np.ndarray, quality: int) -> np.ndarray:
    """Real JPEG round trip of a stack of greyscale images (k, H, W), H and W multiples of 8.

    The stack is coded as one tall image: a greyscale JPEG codes each 8x8 block on its
    own (only the DC difference links neighbours, losslessly), so this decodes exactly
    as k separate files would, in one call instead of k.
    """
    x = np.asarray(images)
    k, h, w = x.shape
    return roundtrip(x.reshape(k * h, w), quality).decoded.reshape(k, h, w)


def _rows(array: np.ndarray) -> np.ndarray:
    """View each block (or row) as one opaque item, so np.unique compares whole blocks."""
    flat = np.ascontiguousarray(array.reshape(len(array), -1))
    return flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()


def block_counts(block_array: np.ndarray) -> np.ndarray:
    """How many times each distinct block occurs (int64, one entry per distinct block).

    Examples
    --------
    >>> b = np.zeros((3, 8, 8), dtype=np.uint8); b[2, 0, 0] = 1
    >>> block_counts(b).tolist()
    [2, 1]
    """
    return np.unique(_rows(block_array), return_counts=True)[1]


def block_entropy_bits(block_array: np.ndarray) -> float:
    """Plug-in entropy of the empirical distribution of blocks, in bits (<= log2 n_blocks).

    Notes
    -----
    ``H = -sum_b (n_b / n) log2(n_b / n)`` over the distinct blocks b.
    """
    from lossylab.distributions import entropy, normalize

    return entropy(normalize(block_counts(block_array)))


def aligned_block_distributions(before: np.ndarray, after: np.ndarray
                                ) -> tuple[np.ndarray, np.ndarray]:
    """Empirical p_true (of ``before``) and p_model (of ``after``) on their union of blocks.

    Returns
    -------
    p_true, p_model : numpy.ndarray
        float64, aligned probability vectors, one entry per distinct block in either set.

    Examples
    --------
    >>> a = np.zeros((2, 8, 8), dtype=np.uint8); b = a.copy(); b[1] += 1
    >>> [p.tolist() for p in aligned_block_distributions(a, b)]
    [[1.0, 0.0], [0.5, 0.5]]
    """
    _, index = np.unique(np.concatenate([_rows(before), _rows(after)]), return_inverse=True)
    n_states, n_before = int(index.max()) + 1, len(before)
    p_true = np.bincount(index[:n_before], minlength=n_states) / n_before
    p_model = np.bincount(index[n_before:], minlength=n_states) / (len(index) - n_before)
    return p_true, p_model


def _stack(images: np.ndarray) -> np.ndarray:
    """(H, W) -> (1, H, W); (k, H, W) unchanged; as float64."""
    x = np.asarray(images, dtype=np.float64)
    if x.ndim not in (2, 3):
        raise ValueError(f"images must be greyscale, (H, W) or (k, H, W), got shape {x.shape}")
    return x[None] if x.ndim == 2 else x


def block_features(images: np.ndarray) -> np.ndarray:
    """Per block: interior activity and boundary step, in grey levels.

    Parameters
    ----------
    images : numpy.ndarray
        Greyscale (H, W) or a stack (k, H, W), sides multiples of 8.

    Returns
    -------
    numpy.ndarray
        float64, (n_blocks, 2) for the blocks that have a right and a lower neighbour:
        column 0 is the mean |difference| of the 112 horizontally or vertically adjacent
        pixel pairs inside the block, column 1 the mean |difference| of the 16 pairs
        across its right and bottom boundaries.

    Notes
    -----
    In a photograph a block boundary is nothing special, so the step is about the
    activity. A flat block with a step at its border (activity ~0, step > 1) is a
    JPEG blocking artifact.
    """
    x = _stack(images)
    k, h, w = x.shape
    dh, dv = np.zeros_like(x), np.zeros_like(x)
    dh[..., :-1] = np.abs(np.diff(x, axis=-1))  # dh[., i, j] = |x[., i, j+1] - x[., i, j]|
    dv[..., :-1, :] = np.abs(np.diff(x, axis=-2))
    dh = dh.reshape(k, h // BLOCK, BLOCK, w // BLOCK, BLOCK)
    dv = dv.reshape(k, h // BLOCK, BLOCK, w // BLOCK, BLOCK)
    inner = (dh[..., :7].sum(axis=(2, 4)) + dv[:, :, :7].sum(axis=(2, 4))) / 112  # (k, by, bx)
    step = (dh[..., 7].sum(axis=2) + dv[:, :, 7].sum(axis=-1)) / 16
    return np.stack([inner[:, :-1, :-1].ravel(), step[:, :-1, :-1].ravel()], axis=1)


def feature_histogram(groups: Sequence[np.ndarray]) -> np.ndarray:
    """Counts of (activity, step) block features on :data:`FEATURE_EDGES` bins.

    Parameters
    ----------
    groups : sequence of numpy.ndarray
        Greyscale images or stacks (see :func:`block_features`).

    Returns
    -------
    numpy.ndarray
        float64, (9, 9): rows are activity bins, columns step bins.
    """
    features = np.concatenate([block_features(group) for group in groups])
    counts, _, _ = np.histogram2d(features[:, 0], features[:, 1],
                                  bins=[np.array(FEATURE_EDGES)] * 2)
    return counts


def _pair_differences(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|differences| of adjacent pixels across 8x8 boundaries and inside blocks (float64)."""
    x = _stack(images)
    dh, dv = np.abs(np.diff(x, axis=-1)), np.abs(np.diff(x, axis=-2))
    on_h = np.arange(dh.shape[-1]) % BLOCK == BLOCK - 1
    on_v = np.arange(dv.shape[-2]) % BLOCK == BLOCK - 1
    boundary = np.concatenate([dh[..., on_h].ravel(), dv[:, on_v].ravel()])
    inside = np.concatenate([dh[..., ~on_h].ravel(), dv[:, ~on_v].ravel()])
    return boundary, inside


def blocking_score(*groups: np.ndarray) -> float:
    """How much larger pixel steps are across 8x8 block boundaries than inside blocks.

    Parameters
    ----------
    *groups : numpy.ndarray
        Greyscale images (H, W) or stacks (k, H, W), more than 8 pixels on each side;
        all their pixel pairs are pooled.

    Returns
    -------
    float
        Grey levels; about 0 for a photograph, positive when JPEG's blocks show.

    Notes
    -----
    ``mean |x[i, j+1] - x[i, j]|`` over pairs straddling a boundary (j = 7, 15, ...,
    and the same vertically) minus the same mean over pairs inside blocks.

    Examples
    --------
    >>> tiles = np.kron(np.arange(4).reshape(2, 2) * 10, np.ones((8, 8))).astype(np.uint8)
    >>> round(blocking_score(tiles), 2)  # steps of 10 across, 20 down; none inside
    15.0
    """
    if not groups or any(min(np.shape(g)[-2:]) <= BLOCK for g in groups):
        raise ValueError("blocking_score needs greyscale images with both sides > 8 pixels")
    pairs = [_pair_differences(group) for group in groups]
    boundary = np.concatenate([b for b, _ in pairs])
    inside = np.concatenate([i for _, i in pairs])
    return float(boundary.mean() - inside.mean())


def ringing_mask(original: np.ndarray, *, edge: float = 48.0, flat: float = 4.0,
                 radius: int = 3) -> np.ndarray:
    """Pixels that are flat in ``original`` but within ``radius`` pixels of a strong edge.

    Parameters
    ----------
    original : numpy.ndarray
        Greyscale image (H, W) or stack (k, H, W).
    edge : float, keyword-only
        A pixel is on a strong edge if its right or lower neighbour differs by ``>= edge``.
    flat : float, keyword-only
        A pixel is flat if no pixel of its 3x3 neighbourhood has a step above ``flat``.
    radius : int, keyword-only
        "Near" means within ``radius`` pixels (a square) of a strong edge.

    Returns
    -------
    numpy.ndarray
        bool, same shape as ``original``.
    """
    from scipy.ndimage import maximum_filter

    x = np.asarray(original, dtype=np.float64)
    step = np.zeros_like(x)  # largest |difference| to the right or below
    step[..., :-1] = np.abs(np.diff(x, axis=-1))
    step[..., :-1, :] = np.maximum(step[..., :-1, :], np.abs(np.diff(x, axis=-2)))
    lead = (1,) * (x.ndim - 2)  # never mix images of a stack
    near_edge = maximum_filter(step, size=lead + (2 * radius + 1,) * 2) >= edge
    return near_edge & (maximum_filter(step, size=lead + (3, 3)) <= flat)


def ringing_score(original: np.ndarray, decoded: np.ndarray, *,
                  mask: np.ndarray | None = None) -> float:
    """RMS error, in grey levels, on pixels that are flat in the original but near a strong edge.

    Parameters
    ----------
    original, decoded : numpy.ndarray
        Greyscale images (or stacks) of the same shape.
    mask : numpy.ndarray, keyword-only, optional
        ``ringing_mask(original)`` if already computed.

    Returns
    -------
    float
        ``sqrt(mean((decoded - original)^2))`` over :func:`ringing_mask`; NaN if it is empty.
        The original is flat there, so this error is energy JPEG put there: the ripples
        (Gibbs ringing) of coarsely quantized high frequencies next to an edge.

    Examples
    --------
    >>> step = np.zeros((32, 32), dtype=np.uint8); step[:, 13:] = 200
    >>> ringing_score(step, step), ringing_score(step, roundtrip(step, 10).decoded) > 2
    (0.0, True)
    """
    ref, tst = _check_pair(original, decoded)
    where = ringing_mask(ref) if mask is None else mask
    if not where.any():
        return math.nan
    error = tst.astype(np.float64)[where] - ref.astype(np.float64)[where]
    return float(np.sqrt(np.mean(error**2)))


@dataclass(frozen=True, eq=False)
class BlockPool:
    """Greyscale images and what :func:`block_stats` needs of them, computed once.

    Attributes
    ----------
    groups : tuple of numpy.ndarray
        uint8 stacks (k, H, W), H and W multiples of 8 (a photograph is a stack of one).
    blocks : numpy.ndarray
        uint8 (n_blocks, 8, 8): all their blocks, the samples of p_true.
    textured : numpy.ndarray
        bool (n_blocks,): block standard deviation >= :data:`TEXTURE_STD` grey levels.
    ringing_masks : tuple of numpy.ndarray
        :func:`ringing_mask` of each group.
    feature_counts : numpy.ndarray
        :func:`feature_histogram` of the groups.
    n_distinct : int
    entropy_bits : float
        Plug-in entropy of the block distribution.
    """

    groups: tuple[np.ndarray, ...]
    blocks: np.ndarray
    textured: np.ndarray
    ringing_masks: tuple[np.ndarray, ...]
    feature_counts: np.ndarray
    n_distinct: int
    entropy_bits: float


def block_pool(groups: Sequence[np.ndarray]) -> BlockPool:
    """Collect the blocks of greyscale images or stacks (sides multiples of 8) into a pool.

    Examples
    --------
    >>> pool = block_pool([np.zeros((16, 24), dtype=np.uint8)])
    >>> pool.blocks.shape, pool.n_distinct, pool.entropy_bits
    ((6, 8, 8), 1, 0.0)
    """
    stacks = tuple(_stack(g).astype(np.uint8) for g in groups)
    all_blocks = np.concatenate([blocks(stack) for stack in stacks])  # (n, 8, 8) uint8
    return BlockPool(
        groups=stacks, blocks=all_blocks,
        textured=all_blocks.reshape(len(all_blocks), -1).std(axis=1) >= TEXTURE_STD,
        ringing_masks=tuple(ringing_mask(stack) for stack in stacks),
        feature_counts=feature_histogram(stacks),
        n_distinct=len(block_counts(all_blocks)), entropy_bits=block_entropy_bits(all_blocks),
    )


@dataclass(frozen=True)
class BlockStats:
    """What JPEG at one quality does to the distribution of 8x8 luma blocks.

    Attributes
    ----------
    quality, n_blocks : int
    n_distinct_before, n_distinct_after : int
        Distinct original blocks, distinct decoded blocks (real libjpeg round trip).
    n_distinct_coefficients : int
        Distinct blocks of quantized DCT coefficients (the forward path).
    entropy_before_bits, entropy_after_bits, entropy_coefficients_bits : float
        Plug-in entropies of the three empirical block distributions.
    n_textured : int
        Original blocks with pixel standard deviation >= :data:`TEXTURE_STD`.
    flattened_fraction : float
        Fraction of the textured blocks whose AC coefficients all quantize to 0:
        each becomes a flat block, one grey level everywhere.
    smoothed_fraction : float
        Fraction of the textured blocks that lose at least 90% of their variance.
    n_distinct_textured_after : int
        How many distinct decoded blocks the textured blocks end up as.
    blocking_score, ringing_score : float
        Artifact scores of the decoded images, pooled over all images.
    mode_collapse_mass, hallucination_mass : float
        The definitions of notebook 01 applied to the (activity, step) feature histogram.
    """

    quality: int
    n_blocks: int
    n_distinct_before: int
    n_distinct_after: int
    n_distinct_coefficients: int
    entropy_before_bits: float
    entropy_after_bits: float
    entropy_coefficients_bits: float
    n_textured: int
    flattened_fraction: float
    smoothed_fraction: float
    n_distinct_textured_after: int
    blocking_score: float
    ringing_score: float
    mode_collapse_mass: float
    hallucination_mass: float


def _texture_loss(pool: BlockPool, after: np.ndarray, coefficients: np.ndarray
                  ) -> tuple[float, float, int]:
    """Flattened fraction, smoothed fraction, distinct decoded blocks: of textured blocks."""
    textured = pool.textured
    if not textured.any():
        return 0.0, 0.0, 0
    flat = ~coefficients[textured].reshape(-1, 64)[:, 1:].any(axis=1)  # all AC zero
    var_before = pool.blocks[textured].reshape(-1, 64).var(axis=1)
    var_after = after[textured].reshape(-1, 64).var(axis=1)
    smoothed = var_after <= var_before / 10
    return float(flat.mean()), float(smoothed.mean()), len(block_counts(after[textured]))


def block_stats(pool: BlockPool, quality: int, *, r: float = 10.0) -> BlockStats:
    """Push the blocks of ``pool`` through real JPEG at ``quality`` and measure the collapse.

    Parameters
    ----------
    pool : BlockPool
        From :func:`block_pool` or :func:`sample_block_pool`.
    quality : int
        1 to 100.
    r : float, keyword-only
        Factor of the mode-collapse and hallucination masses.

    Returns
    -------
    BlockStats

    Examples
    --------
    >>> img = np.kron(np.arange(16).reshape(4, 4) * 15, np.ones((8, 8))).astype(np.uint8)
    >>> s = block_stats(block_pool([img]), 50)
    >>> s.n_blocks, s.n_distinct_before, s.n_distinct_after <= s.n_distinct_before
    (16, 16, True)
    """
    from lossylab.distributions import hallucination_mass, mode_collapse_mass, normalize

    quality = _check_quality(quality)
    decoded = [roundtrip_stack(group, quality) for group in pool.groups]
    after = np.concatenate([blocks(group) for group in decoded])  # (n, 8, 8) uint8
    coefficients = np.concatenate([quantized_blocks(group, quality) for group in pool.groups])
    flattened, smoothed, n_textured_after = _texture_loss(pool, after, coefficients)
    p_true, p_model = normalize(pool.feature_counts), normalize(feature_histogram(decoded))
    ringing = ringing_score(np.concatenate([g.ravel() for g in pool.groups]),
                            np.concatenate([d.ravel() for d in decoded]),
                            mask=np.concatenate([m.ravel() for m in pool.ringing_masks]))
    return BlockStats(
        quality=quality, n_blocks=len(after),
        n_distinct_before=pool.n_distinct, n_distinct_after=len(block_counts(after)),
        n_distinct_coefficients=len(block_counts(coefficients)),
        entropy_before_bits=pool.entropy_bits, entropy_after_bits=block_entropy_bits(after),
        entropy_coefficients_bits=block_entropy_bits(coefficients),
        n_textured=int(pool.textured.sum()), flattened_fraction=flattened,
        smoothed_fraction=smoothed, n_distinct_textured_after=n_textured_after,
        blocking_score=blocking_score(*decoded), ringing_score=ringing,
        mode_collapse_mass=mode_collapse_mass(p_true, p_model, r=r),
        hallucination_mass=hallucination_mass(p_true, p_model, r=r),
    )
