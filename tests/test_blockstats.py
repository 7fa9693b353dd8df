"""Tests for lossylab.blockstats: JPEG as a map between distributions of 8x8 blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossylab import blockstats
from lossylab.data import face_blocks, sample_image
from lossylab.images import roundtrip
from lossylab.jpeg import blockify, quant_tables


@pytest.fixture(scope="module")
def small_pool() -> blockstats.BlockPool:
    # a crop of a photograph plus 30 faces: ~400 blocks, fast enough for every quality
    faces = np.ascontiguousarray(face_blocks()[:30, :24, :24])
    return blockstats.block_pool([blockstats.luma(sample_image("camera")[128:256, 128:256]),
                                  faces])


def test_blocks_is_blockify_flattened() -> None:
    x = np.arange(16 * 24).reshape(16, 24)
    assert np.array_equal(blockstats.blocks(x), blockify(x).reshape(-1, 8, 8))
    stack = np.random.default_rng(0).integers(0, 256, size=(4, 16, 8)).astype(np.uint8)
    expected = np.concatenate([blockify(image).reshape(-1, 8, 8) for image in stack])
    assert np.array_equal(blockstats.blocks(stack), expected)  # image by image, row by row
    assert np.array_equal(blockstats.blocks(stack)[3], stack[1, 8:16, :])
    with pytest.raises(ValueError, match="multiples of 8"):
        blockstats.blocks(np.zeros((10, 16)))


def test_luma_is_jfif_y_cropped() -> None:
    rgb = sample_image("astronaut")[:20, :30]
    y = blockstats.luma(rgb)
    assert y.shape == (16, 24) and y.dtype == np.uint8
    expected = np.floor(rgb[:16, :24] @ np.array([0.299, 0.587, 0.114]) + 0.5)
    assert np.abs(y.astype(int) - expected).max() <= 1
    grey = sample_image("camera")[:17, :9]
    assert np.array_equal(blockstats.luma(grey), grey[:16, :8])
    with pytest.raises(ValueError, match="uint8 greyscale"):
        blockstats.luma(np.zeros((16, 16)))


def test_stack_roundtrip_equals_separate_files() -> None:
    faces = np.ascontiguousarray(face_blocks()[:20, :24, :24])
    separate = np.stack([roundtrip(face, 20).decoded for face in faces])
    assert np.array_equal(blockstats.roundtrip_stack(faces, 20), separate)


@pytest.mark.parametrize("quality", [5, 30, 75, 100])
def test_jpeg_never_adds_distinct_blocks_or_entropy(small_pool: blockstats.BlockPool,
                                                    quality: int) -> None:
    s = blockstats.block_stats(small_pool, quality)
    assert s.n_distinct_after <= s.n_distinct_before  # a function of the block: many-to-one
    assert s.entropy_after_bits <= s.entropy_before_bits + 1e-12
    assert s.entropy_before_bits <= math.log2(s.n_blocks) + 1e-12
    # the decoded block is (nearly) a one-to-one image of the quantized coefficient block
    assert abs(s.n_distinct_coefficients - s.n_distinct_after) <= 0.02 * s.n_blocks


def test_decoded_block_is_a_function_of_the_original_block(small_pool) -> None:
    decoded = np.concatenate([blockstats.blocks(blockstats.roundtrip_stack(g, 20))
                              for g in small_pool.groups])
    p_before, p_pair = blockstats.aligned_block_distributions(
        small_pool.blocks, small_pool.blocks)  # identical sets align exactly
    assert np.array_equal(p_before, p_pair)
    pairs = np.concatenate([small_pool.blocks, decoded], axis=1)  # (n, 16, 8): (x, x')
    assert len(blockstats._block_counts(pairs)) == small_pool.n_distinct  # x determines x'


def test_block_entropy_drops_as_quality_falls(small_pool: blockstats.BlockPool) -> None:
    stats = [blockstats.block_stats(small_pool, q) for q in (90, 50, 20, 5)]
    entropies = [s.entropy_coefficients_bits for s in stats]
    assert all(a > b for a, b in zip(entropies, entropies[1:], strict=False))
    assert stats[-1].flattened_fraction > stats[0].flattened_fraction
    assert stats[-1].mode_collapse_mass > stats[0].mode_collapse_mass


def test_artifact_scores_grow_as_quality_falls(small_pool: blockstats.BlockPool) -> None:
    before = blockstats.blocking_score(*small_pool.groups)
    assert abs(before) < 2.0  # a boundary is nothing special (-1.6 on this small sample)
    low, high = (blockstats.block_stats(small_pool, q) for q in (5, 90))
    assert low.blocking_score > high.blocking_score + 2 > before + 2
    assert low.ringing_score > high.ringing_score
    assert low.hallucination_mass > high.hallucination_mass


def test_blocking_and_ringing_on_known_images() -> None:
    tiles = np.kron(np.arange(4).reshape(2, 2) * 10, np.ones((8, 8))).astype(np.uint8)
    assert blockstats.blocking_score(tiles) == pytest.approx(15.0)
    ramp = np.tile(np.arange(32, dtype=np.uint8) * 4, (32, 1))  # smooth: no boundary excess
    assert blockstats.blocking_score(ramp) == pytest.approx(0.0)
    step = np.zeros((32, 32), dtype=np.uint8)
    step[:, 13:] = 200
    mask = blockstats._ringing_mask(step)
    assert mask.any() and not mask[:, 12:14].any()  # near the edge, not on it
    assert blockstats._ringing_score(step, step, mask) == 0.0
    assert blockstats._ringing_score(step, roundtrip(step, 10).decoded, mask) > 2
    assert math.isnan(blockstats._ringing_score(ramp, ramp, blockstats._ringing_mask(ramp)))
    with pytest.raises(ValueError, match="> 8"):
        blockstats.blocking_score(np.zeros((8, 8)))


@pytest.mark.parametrize("shape", [(32, 40), (3, 24, 16), (1, 9, 7), (5, 5)])
@pytest.mark.parametrize("radius", [1, 3])
def test_max_filter_equals_scipy(shape: tuple[int, ...], radius: int) -> None:
    ndimage = pytest.importorskip("scipy.ndimage")  # a test oracle only, not a dependency
    x = np.random.default_rng(radius).normal(size=shape)
    size = (1,) * (len(shape) - 2) + (2 * radius + 1,) * 2
    assert np.array_equal(blockstats._max_filter(x, radius),
                          ndimage.maximum_filter(x, size=size))


def test_ringing_masks_equal_scipy_on_the_photographs() -> None:
    ndimage = pytest.importorskip("scipy.ndimage")

    def scipy_mask(x: np.ndarray) -> np.ndarray:  # the previous implementation, verbatim
        x = np.asarray(x, dtype=np.float64)
        step = np.zeros_like(x)
        step[..., :-1] = np.abs(np.diff(x, axis=-1))
        step[..., :-1, :] = np.maximum(step[..., :-1, :], np.abs(np.diff(x, axis=-2)))
        lead = (1,) * (x.ndim - 2)
        near_edge = ndimage.maximum_filter(step, size=lead + (7, 7)) >= 48.0
        return near_edge & (ndimage.maximum_filter(step, size=lead + (3, 3)) <= 4.0)

    faces = np.ascontiguousarray(face_blocks()[:, :24, :24])
    for group in (blockstats.luma(sample_image(name)) for name in ("camera", "coffee")):
        assert np.array_equal(blockstats._ringing_mask(group[None]), scipy_mask(group[None]))
    assert np.array_equal(blockstats._ringing_mask(faces), scipy_mask(faces))


def test_feature_histogram_counts_every_inner_block() -> None:
    # 8 x 10 blocks -> 7 x 9 with neighbours
    image = blockstats.luma(sample_image("camera")[:64, :80])
    counts = blockstats.feature_histogram([image])
    assert counts.shape == (9, 9) and counts.sum() == 63
    flat = blockstats._block_features(np.full((32, 32), 7, dtype=np.uint8))
    assert flat.shape == (9, 2) and not flat.any()


def test_quantized_blocks_of_flat_grey() -> None:
    flat = np.full((8, 8), 200, dtype=np.uint8)
    coefficients = blockstats._quantized_blocks(flat, 50)
    # DC = 8 * (200 - 128) = 576, divided by Q[0, 0] = 16 -> 36; all AC zero
    assert coefficients[0, 0, 0] == round(576 / quant_tables(50).luma[0, 0]) == 36
    assert not coefficients[0].ravel()[1:].any()


def test_a_pool_is_read_only(small_pool: blockstats.BlockPool) -> None:
    arrays = [*small_pool.groups, small_pool.blocks, small_pool.textured,
              *small_pool.ringing_masks, small_pool.feature_counts]
    for array in arrays:
        with pytest.raises(ValueError, match="read-only"):
            array.flat[0] = 1
    with pytest.raises(AttributeError):
        small_pool.n_distinct = 0  # type: ignore[misc]
