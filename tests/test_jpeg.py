"""Tests for lossylab.jpeg: forward path vs scipy and Pillow; decoder vs Pillow."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab import jpeg
from lossylab.data import sample_image

QUALITIES = (5, 10, 25, 50, 75, 90, 95, 100)


def _crop(name: str, height: int, width: int) -> np.ndarray:
    """A small crop of a bundled photograph, from its centre (keeps the tests fast)."""
    image = sample_image(name)
    top = (image.shape[0] - height) // 2
    left = (image.shape[1] - width) // 2
    return np.ascontiguousarray(image[top : top + height, left : left + width])


def _pillow_jpeg(image: np.ndarray, quality: int, subsampling: str = "4:2:0", **kw) -> bytes:
    buffer = io.BytesIO()
    sub = {"4:4:4": 0, "4:2:0": 2}[subsampling]
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality, subsampling=sub, **kw)
    return buffer.getvalue()


# --- forward path --------------------------------------------------------------------------


@pytest.mark.parametrize("quality", QUALITIES)
def test_quant_tables_equal_pillows(quality: int) -> None:
    pillow = Image.open(io.BytesIO(_pillow_jpeg(_crop("astronaut", 16, 16), quality)))
    tables = jpeg.quant_tables(quality)
    # Pillow reports the DQT tables in natural (row-major) order.
    assert np.array_equal(np.reshape(pillow.quantization[0], (8, 8)), tables.luma)
    assert np.array_equal(np.reshape(pillow.quantization[1], (8, 8)), tables.chroma)


def test_quant_tables_are_baseline_and_monotone() -> None:
    previous = None
    for quality in range(1, 101):
        luma = jpeg.quant_tables(quality).luma
        assert luma.dtype == np.int32 and luma.min() >= 1 and luma.max() <= 255
        if previous is not None:
            assert np.all(luma <= previous)  # higher quality never quantizes more coarsely
        previous = luma
    assert np.all(jpeg.quant_tables(100).luma == 1)


@pytest.mark.parametrize("quality", [0, 101, -5])
def test_quant_tables_rejects_bad_quality(quality: int) -> None:
    with pytest.raises(ValueError, match="quality must be from 1 to 100"):
        jpeg.quant_tables(quality)


def test_quant_tables_rejects_float_quality() -> None:
    with pytest.raises(TypeError, match="quality must be an int"):
        jpeg.quant_tables(75.0)  # type: ignore[arg-type]


def test_dct_matches_scipy() -> None:
    fft = pytest.importorskip("scipy.fft")
    blocks = np.random.default_rng(0).normal(scale=50, size=(3, 5, 8, 8))
    expected = fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    np.testing.assert_allclose(jpeg.dct2(blocks), expected, atol=1e-9)
    np.testing.assert_allclose(jpeg.idct2(expected), blocks, atol=1e-9)


def test_dct_basis_is_orthonormal() -> None:
    c = jpeg.dct_matrix()
    np.testing.assert_allclose(c @ c.T, np.eye(8), atol=1e-12)
    assert np.all(c[0] > 0) and np.allclose(c[0], c[0, 0])  # row 0 is the flat (DC) vector


def test_zigzag_is_a_permutation_walking_antidiagonals() -> None:
    assert sorted(jpeg.ZIGZAG.tolist()) == list(range(64))
    assert jpeg.ZIGZAG[:10].tolist() == [0, 1, 8, 16, 9, 2, 3, 10, 17, 24]  # T.81 figure A.6
    rows, cols = np.divmod(jpeg.ZIGZAG, 8)
    assert np.all(np.diff(rows + cols) >= 0)  # frequency never decreases along the walk
    assert jpeg.ZIGZAG[-1] == 63


@pytest.mark.parametrize("shape", [(8, 8), (9, 17), (31, 1), (1, 1)])
def test_blockify_roundtrip_and_edge_padding(shape: tuple[int, int]) -> None:
    x = np.random.default_rng(1).integers(0, 256, size=shape)
    blocks = jpeg.blockify(x)
    assert blocks.shape == (-(-shape[0] // 8), -(-shape[1] // 8), 8, 8)
    assert np.array_equal(jpeg.unblockify(blocks, shape), x)
    full = jpeg.unblockify(blocks)
    assert np.all(full[shape[0] :, : shape[1]] == x[-1])  # bottom padding repeats the last row


def test_colour_conversion_roundtrip_and_known_values() -> None:
    rgb = np.random.default_rng(2).integers(0, 256, size=(5, 7, 3)).astype(np.uint8)
    np.testing.assert_allclose(jpeg.ycbcr_to_rgb(jpeg.rgb_to_ycbcr(rgb)), rgb, atol=1e-3)
    red = jpeg.rgb_to_ycbcr(np.array([[[255, 0, 0]]]))[0, 0]
    np.testing.assert_allclose(red, [76.245, 84.972, 255.5], atol=1e-3)  # JFIF 1.02 formulas


def test_colour_conversion_rejects_greyscale() -> None:
    with pytest.raises(ValueError, match=r"rgb must have shape \(height, width, 3\)"):
        jpeg.rgb_to_ycbcr(np.zeros((4, 4)))


@pytest.mark.parametrize("shape", [(16, 16), (15, 9), (1, 1)])
def test_subsample_then_upsample(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(3)
    flat = np.full(shape, 77, dtype=np.uint8)
    small = jpeg.subsample_420(flat)
    assert small.shape == (-(-shape[0] // 2), -(-shape[1] // 2))
    assert np.all(small == 77) and np.all(jpeg.upsample(small, shape) == 77)
    noisy = rng.integers(0, 256, size=shape).astype(np.uint8)
    mean = noisy.astype(float).mean()
    assert abs(jpeg.subsample_420(noisy).astype(float).mean() - mean) < 40  # an average


def test_quantize_rounds_half_away_from_zero() -> None:
    table = np.full((8, 8), 10)
    values = np.zeros((8, 8))
    values[0, :4] = [15.0, -15.0, 14.9, -25.0]
    assert jpeg.quantize(values, table)[0, :4].tolist() == [2, -2, 1, -3]


def test_forward_coefficients_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="subsampling must be one of"):
        jpeg.forward_coefficients(np.zeros((8, 8, 3), np.uint8), 75, subsampling="4:2:2")
    with pytest.raises(ValueError, match="image must be"):
        jpeg.forward_coefficients(np.zeros((8, 8, 4), np.uint8), 75)
