"""JPEG as a map between distributions of 8x8 blocks.

A greyscale JPEG codes each 8x8 block on its own, so the decoded block is a function of the
original: JPEG pushes the empirical distribution of luma blocks (p_true) forward, blocks merge,
and the number of distinct blocks and the plug-in entropy can only drop. :func:`block_stats`
measures that: distinct blocks and entropy before and after, textures flattened (mode
collapse), and what JPEG adds (:func:`blocking_score`, ringing near strong edges). Left out:
the distributions are empirical ones of a few tens of thousands of blocks; colour becomes luma.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lossylab import jpeg
from lossylab.distributions import entropy, hallucination_mass, mode_collapse_mass, normalize
from lossylab.images import roundtrip
from lossylab.jpeg import BLOCK, blockify, check_quality

__all__ = ["FEATURE_EDGES", "TEXTURE_STD", "BlockPool", "BlockStats", "aligned_block_distributions",
           "block_pool", "block_stats", "blocking_score", "blocks", "feature_histogram", "luma",
           "roundtrip_stack"]

FEATURE_EDGES = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, math.inf)  # grey levels
TEXTURE_STD = 8.0  # a block whose pixels' standard deviation is >= this is "textured"


def luma(image: np.ndarray) -> np.ndarray:
    """JFIF luma Y of an RGB image (or a uint8 greyscale image as is), cropped to multiples of 8.

    Returns uint8, (8 * (H // 8), 8 * (W // 8)).

    Examples
    --------
    >>> luma(np.full((10, 17, 3), 255, dtype=np.uint8)).shape
    (8, 16)
    """
    y = np.asarray(image)
    if y.ndim == 3:
        y = jpeg.to_samples(jpeg.rgb_to_ycbcr(y)[..., 0])  # rgb_to_ycbcr checks the shape
    elif y.ndim != 2 or y.dtype != np.uint8:
        raise ValueError(f"image must be uint8 greyscale (H, W) or RGB (H, W, 3), got "
                         f"{y.dtype} {y.shape}")
    return np.ascontiguousarray(y[: y.shape[0] // BLOCK * BLOCK, : y.shape[1] // BLOCK * BLOCK])


def blocks(images: np.ndarray) -> np.ndarray:
    """The 8x8 blocks of a greyscale image (H, W) or a stack (k, H, W), as one list.

    Sides must be multiples of 8 (crop with :func:`luma`); (n_blocks, 8, 8) in blockify's order.

    Examples
    --------
    >>> blocks(np.arange(16 * 8).reshape(16, 8)).shape
    (2, 8, 8)
    """
    x = np.asarray(images)
    if x.ndim not in (2, 3) or x.shape[-2] % BLOCK or x.shape[-1] % BLOCK:
        raise ValueError(
            f"images must be (H, W) or (k, H, W) with H, W multiples of 8, got {x.shape}; "
            "crop with lossylab.blockstats.luma")
    return blockify(x).reshape(-1, BLOCK, BLOCK)


def _quantized_blocks(images: np.ndarray, quality: int) -> np.ndarray:
    """int32 (n_blocks, 8, 8): ``round(DCT(block - 128) / Q_luma)``, JPEG's forward path."""
    table = jpeg.quant_tables(quality).luma
    return jpeg.quantize(jpeg.dct2(jpeg.level_shift(blocks(images))), table)


def roundtrip_stack(images: np.ndarray, quality: int) -> np.ndarray:
    """Real JPEG round trip of a stack of greyscale images (k, H, W), H and W multiples of 8.

    Coded as one tall image, which decodes exactly as k files would (blocks are coded apart).

    Examples
    --------
    >>> roundtrip_stack(np.zeros((3, 8, 16), dtype=np.uint8), 50).shape
    (3, 8, 16)
    """
    x = np.asarray(images)
    k, h, w = x.shape
    return roundtrip(x.reshape(k * h, w), quality).decoded.reshape(k, h, w)


def _rows(array: np.ndarray) -> np.ndarray:
    """View each block (or row) as one opaque item, so np.unique compares whole blocks."""
    flat = np.ascontiguousarray(array.reshape(len(array), -1))
    return flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()


def _block_counts(block_array: np.ndarray) -> np.ndarray:
    """How many times each distinct block occurs (int64, one entry per distinct block)."""
    return np.unique(_rows(block_array), return_counts=True)[1]


def _distinct_and_entropy(block_array: np.ndarray) -> tuple[int, float]:
    """Distinct blocks, and the plug-in entropy of their distribution in bits (one np.unique)."""
    counts = _block_counts(block_array)
    return len(counts), entropy(normalize(counts))


def aligned_block_distributions(before: np.ndarray, after: np.ndarray
                                ) -> tuple[np.ndarray, np.ndarray]:
    """Empirical p_true (of ``before``) and p_model (of ``after``) on their union of blocks.

    Two float64 probability vectors, one entry per distinct block of either (n, 8, 8) set.

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


def _block_features(images: np.ndarray) -> np.ndarray:
    """(n_blocks, 2) float64: interior activity and boundary step of each inner block."""
    # Column 0: mean |difference| of the 112 adjacent pixel pairs inside the block; column 1:
    # of the 16 pairs across its right and bottom boundaries (blocks with both neighbours).
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
    """Counts of (activity, step) block features on :data:`FEATURE_EDGES` bins, float64 (9, 9).

    Rows bin a block's activity (mean |difference| of adjacent pixels inside it), columns its
    boundary step (across its right and bottom edges); blocks with both neighbours only.

    Examples
    --------
    >>> float(feature_histogram([np.zeros((16, 24), dtype=np.uint8)])[0, 0])  # 1 x 2 blocks
    2.0
    """
    features = np.concatenate([_block_features(group) for group in groups])
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

    Mean |step| of adjacent pixels across boundaries minus inside blocks, pooled over
    greyscale images (sides > 8): about 0 for a photograph, positive when blocks show.

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


def _max_filter(x: np.ndarray, radius: int) -> np.ndarray:
    """Maximum over the (2 radius + 1)^2 square around each pixel, per image, edges clipped."""
    for axis in (-1, -2):
        pad = [(0, 0)] * x.ndim
        pad[axis] = (radius, radius)
        windows = sliding_window_view(np.pad(x, pad, mode="edge"), 2 * radius + 1, axis=axis)
        x = windows.max(axis=-1)
    return x


def _ringing_mask(original: np.ndarray, *, edge: float = 48.0, flat: float = 4.0,
                  radius: int = 3) -> np.ndarray:
    """bool, same shape: pixels flat in ``original`` but within ``radius`` of a strong edge."""
    # On a strong edge: the right or lower neighbour differs by >= edge. Flat: no pixel of the
    # 3x3 neighbourhood has a step above ``flat``.
    x = np.asarray(original, dtype=np.float64)
    step = np.zeros_like(x)  # largest |difference| to the right or below
    step[..., :-1] = np.abs(np.diff(x, axis=-1))
    step[..., :-1, :] = np.maximum(step[..., :-1, :], np.abs(np.diff(x, axis=-2)))
    return (_max_filter(step, radius) >= edge) & (_max_filter(step, 1) <= flat)


def _ringing_score(original: np.ndarray, decoded: np.ndarray, mask: np.ndarray) -> float:
    """RMS error (grey levels) on ``mask``, NaN if it is empty: the ripples JPEG put there."""
    # The original is flat on the mask, so the error there is energy JPEG added: the Gibbs
    # ringing of coarsely quantized high frequencies next to an edge.
    if not mask.any():
        return math.nan
    error = decoded.astype(np.float64)[mask] - original.astype(np.float64)[mask]
    return float(np.sqrt(np.mean(error**2)))


def _read_only(array: np.ndarray) -> np.ndarray:
    """``array``, no longer writeable (a pool may be shared by a cache)."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class BlockPool:
    """Greyscale images and what :func:`block_stats` needs of them, computed once (read-only).

    ``groups`` (uint8 stacks (k, H, W)), ``blocks`` (all of them, (n, 8, 8): the samples of
    p_true), ``textured`` (std >= :data:`TEXTURE_STD`), ``ringing_masks`` (per group: flat
    pixels near a strong edge), ``feature_counts`` (:func:`feature_histogram`), ``n_distinct``
    and ``entropy_bits`` (plug-in) of the blocks.
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
    stacks = tuple(_read_only(_stack(g).astype(np.uint8)) for g in groups)
    all_blocks = np.concatenate([blocks(stack) for stack in stacks])  # (n, 8, 8) uint8
    n_distinct, entropy_bits = _distinct_and_entropy(all_blocks)
    return BlockPool(
        groups=stacks, blocks=_read_only(all_blocks),
        textured=_read_only(all_blocks.reshape(len(all_blocks), -1).std(axis=1) >= TEXTURE_STD),
        ringing_masks=tuple(_read_only(_ringing_mask(stack)) for stack in stacks),
        feature_counts=_read_only(feature_histogram(stacks)),
        n_distinct=n_distinct, entropy_bits=entropy_bits)


@dataclass(frozen=True)
class BlockStats:
    """What JPEG at one quality does to the distribution of 8x8 luma blocks.

    Distinct blocks and plug-in entropies of the originals, the decoded blocks (real libjpeg)
    and the quantized coefficient blocks; of the ``n_textured`` blocks (std >=
    :data:`TEXTURE_STD`), the fractions ``flattened`` (all AC zero) and ``smoothed`` (>= 90%
    of the variance lost) and their distinct decoded blocks; the artifact scores (blocking;
    ringing: RMS error on flat pixels near strong edges); the masses of notebook 01 on the
    (activity, step) feature histogram.
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
    return float(flat.mean()), float(smoothed.mean()), len(_block_counts(after[textured]))


def block_stats(pool: BlockPool, quality: int, *, r: float = 10.0) -> BlockStats:
    """Push the blocks of ``pool`` through real JPEG at ``quality`` and measure the collapse.

    ``r`` (> 1) is the factor of the mode-collapse and hallucination masses.

    Examples
    --------
    >>> img = np.kron(np.arange(16).reshape(4, 4) * 15, np.ones((8, 8))).astype(np.uint8)
    >>> s = block_stats(block_pool([img]), 50)
    >>> s.n_blocks, s.n_distinct_before, s.n_distinct_after <= s.n_distinct_before
    (16, 16, True)
    """
    quality = check_quality(quality)
    decoded = [roundtrip_stack(group, quality) for group in pool.groups]
    after = np.concatenate([blocks(group) for group in decoded])  # (n, 8, 8) uint8
    coefficients = np.concatenate([_quantized_blocks(group, quality) for group in pool.groups])
    flattened, smoothed, n_textured_after = _texture_loss(pool, after, coefficients)
    (n_after, entropy_after), (n_coefs, entropy_coefs) = map(_distinct_and_entropy,
                                                              (after, coefficients))
    p_true, p_model = normalize(pool.feature_counts), normalize(feature_histogram(decoded))
    ringing = _ringing_score(np.concatenate([g.ravel() for g in pool.groups]),
                             np.concatenate([d.ravel() for d in decoded]),
                             np.concatenate([m.ravel() for m in pool.ringing_masks]))
    return BlockStats(
        quality=quality, n_blocks=len(after),
        n_distinct_before=pool.n_distinct, n_distinct_after=n_after,
        n_distinct_coefficients=n_coefs, entropy_before_bits=pool.entropy_bits,
        entropy_after_bits=entropy_after, entropy_coefficients_bits=entropy_coefs,
        n_textured=int(pool.textured.sum()), flattened_fraction=flattened,
        smoothed_fraction=smoothed, n_distinct_textured_after=n_textured_after,
        blocking_score=blocking_score(*decoded), ringing_score=ringing,
        mode_collapse_mass=mode_collapse_mass(p_true, p_model, r=r),
        hallucination_mass=hallucination_mass(p_true, p_model, r=r))
