"""Tests for lossylab.course.common and lossylab.course.nb04: caches that cannot be corrupted,
the odd uploads and the answers of notebook 04's exercises (and notebook 03's)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab import images
from lossylab.course import common, nb03
from lossylab.course import nb04 as course
from lossylab.images import roundtrip
from lossylab.jpeg import forward_coefficients, quant_tables

# --- every cache returns read-only results: writing raises, the next call is unchanged ----------


def test_photograph_cache_is_read_only() -> None:
    image = common.photograph("camera")
    before = image.copy()
    with pytest.raises(ValueError, match="read-only"):
        image[0, 0] = 255 - image[0, 0]
    assert common.photograph("camera") is image
    assert np.array_equal(common.photograph("camera"), before)


def test_sample_block_pool_cache_is_read_only() -> None:
    pool = common.sample_block_pool()
    assert pool.blocks.shape == (20_054, 8, 8)  # 18,254 blocks of the photographs, 1,800 of faces
    first_block = pool.blocks[0].copy()
    for array in (pool.blocks, pool.textured, pool.feature_counts, pool.groups[0],
                  pool.ringing_masks[-1]):
        with pytest.raises(ValueError, match="read-only"):
            array.flat[0] = 0
    assert common.sample_block_pool() is pool
    assert np.array_equal(common.sample_block_pool().blocks[0], first_block)


def test_photograph_png_cache_is_immutable_bytes() -> None:
    data = course._photograph_png("camera")
    assert isinstance(data, bytes)  # bytes cannot be written into
    with pytest.raises(TypeError):
        data[0] = 0  # type: ignore[index]
    decoded = np.asarray(Image.open(io.BytesIO(data)))
    assert np.array_equal(decoded, common.photograph("camera"))  # lossless
    assert course.photograph_png_n_bytes("camera") == len(data)


def test_photograph_rate_distortion_cache_is_read_only() -> None:
    rd = course.photograph_rate_distortion("camera")
    before = rd.psnr_db.copy()
    for array in (rd.qualities, rd.n_bytes, rd.bpp, rd.psnr_db, rd.ssim):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = -1
    with pytest.raises(AttributeError):
        rd.bpp = np.zeros(3)  # type: ignore[misc]
    again = course.photograph_rate_distortion("camera")
    assert again is rd and np.array_equal(again.psnr_db, before)
    assert rd.qualities.tolist() == list(common.RD_QUALITIES)


def test_photograph_ssim_is_cached_and_consistent() -> None:
    image = common.photograph("camera")
    assert course.photograph_ssim("camera", 50) == pytest.approx(
        images.ssim(image, roundtrip(image, 50).decoded, data_range=255))
    assert course.photograph_ssim("camera", 51, compute=False) is None  # not computed yet
    assert course.photograph_ssim("camera", 50, compute=False) == course.photograph_ssim(
        "camera", 50)
    rd = course.photograph_rate_distortion("camera")
    assert rd.ssim[4] == course.photograph_ssim("camera", 45)  # one SSIM per point, shared
    with pytest.raises(ValueError, match="quality must be from 1 to 100"):
        course.photograph_ssim("camera", 0)


# --- the self-checks of notebooks 03 and 04 ---------------------------------------------------


def test_exercise_checks_of_notebook_03() -> None:
    assert nb03.check("dc_step", int(quant_tables(30).luma[0, 0])).correct
    assert not nb03.check("dc_step", 16).correct
    assert int(quant_tables(75).luma[0, 0]) == 8
    assert nb03.check("flat_block_dc", 72).correct  # DC 8 * (200 - 128) = 576, over the step 8
    assert not nb03.check("flat_block_dc", 0).correct
    luma = forward_coefficients(common.photograph("astronaut"), 50).components[0].coefficients
    assert nb03.check("zero_fraction", float((luma == 0).mean())).correct
    assert not nb03.check("zero_fraction", 100 * float((luma == 0).mean())).correct
    assert "'dc_step', 'flat_block_dc', 'zero_fraction'" in nb03.check("dc", 8).message


def test_exercise_checks_of_notebook_04() -> None:
    right = 75  # found by scanning qualities 1..100 (Pillow 13.0.0, libjpeg-turbo), Nov 2026
    assert course.check("quality_for_psnr", right).correct
    assert not course.check("quality_for_psnr", right - 1).correct
    assert not course.check("quality_for_psnr", right + 1).correct
    assert str(right) not in course.check("quality_for_psnr", 10).message.split("only")[1]
    assert not course.check("quality_for_psnr", True).correct  # a bool is not a quality
    ratio = course.photograph_png_n_bytes("astronaut") / roundtrip(
        common.photograph("astronaut"), 75).n_bytes
    assert course.check("png_ratio", ratio).correct
    assert not course.check("png_ratio", ratio * 1.1).correct
    assert "course.photograph_png_n_bytes" in course.check("png_ratio", 1.0).message
    pool = common.sample_block_pool()
    assert not course.check("distinct_blocks", pool.n_distinct).correct
    assert "before JPEG" in course.check("distinct_blocks", pool.n_distinct).message
