"""Tests for lossylab.jpeg, jpeg_decode and jpeg_entropy: forward path vs scipy and Pillow;
decoder vs Pillow; the scan estimate vs the real scan."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from lossylab import images, jpeg, jpeg_decode, jpeg_entropy
from lossylab.data import sample_image

QUALITIES = (5, 10, 25, 50, 75, 90, 95, 100)


def _crop(name: str, height: int, width: int) -> np.ndarray:
    """A small crop of a bundled photograph, from its centre (keeps the tests fast)."""
    image = sample_image(name)
    top = (image.shape[0] - height) // 2
    left = (image.shape[1] - width) // 2
    return np.ascontiguousarray(image[top : top + height, left : left + width])


def _decode(data: bytes, **kw) -> np.ndarray:
    """The whole decoder: read the file's coefficients, then back to pixels."""
    method = kw.pop("method", "libjpeg")
    return jpeg_decode.reconstruct(jpeg_decode.decode_coefficients(data, **kw), method=method)


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
    with pytest.raises(TypeError, match="quality must be an int"):
        jpeg.check_quality(True)  # type: ignore[arg-type]


def test_dct_matches_scipy() -> None:
    fft = pytest.importorskip("scipy.fft")
    blocks = np.random.default_rng(0).normal(scale=50, size=(3, 5, 8, 8))
    expected = fft.dctn(blocks, axes=(-2, -1), norm="ortho")
    np.testing.assert_allclose(jpeg.dct2(blocks), expected, atol=1e-9)
    np.testing.assert_allclose(jpeg.idct2(expected), blocks, atol=1e-9)



def _ordered(m: np.ndarray, x: np.ndarray) -> list[list[float]]:
    """``m @ x`` in Python floats, summed k = 0, 1, ... in order: IEEE, the same on every CPU."""
    m, x = m.tolist(), x.tolist()
    return [[sum((m[i][k] * x[k][j] for k in range(1, len(x))), m[i][0] * x[0][j])
             for j in range(len(x[0]))] for i in range(len(m))]


def test_float_dct_and_colours_do_not_depend_on_the_cpu() -> None:
    """No BLAS: every float is the ordered sum above, alone or in a stack (same bits anywhere)."""
    blocks = np.random.default_rng(1).integers(-128, 128, size=(4, 8, 8)).astype(np.float64)
    c = jpeg._dct_matrix()
    for block, coefficients in zip(blocks, jpeg.dct2(blocks), strict=True):
        expected = _ordered(np.array(_ordered(c, block)), c.T)  # (C B) C.T
        assert jpeg.dct2(block).tolist() == coefficients.tolist() == expected
        back = _ordered(np.array(_ordered(c.T, coefficients)), c)  # (C.T F) C
        assert jpeg.idct2(coefficients).tolist() == back
    rgb = np.random.default_rng(2).integers(0, 256, size=(6, 3)).astype(np.float64)
    expected = (np.array(_ordered(rgb, jpeg._RGB_TO_YCBCR.T)) + [0.0, 128.0, 128.0]).tolist()
    assert jpeg.rgb_to_ycbcr(rgb[None])[0].tolist() == expected
    expected = _ordered(rgb - [0.0, 128.0, 128.0], jpeg_decode._YCBCR_TO_RGB.T)  # rgb as YCbCr
    assert jpeg_decode._ycbcr_to_rgb(rgb[None], "float")[0].tolist() == expected

def test_dct_basis_is_orthonormal() -> None:
    c = jpeg._dct_matrix()
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
    n_by, n_bx = -(-shape[0] // 8), -(-shape[1] // 8)
    assert blocks.shape == (n_by, n_bx, 8, 8)
    assert np.array_equal(jpeg_decode._unblockify(blocks, shape), x)
    full = jpeg_decode._unblockify(blocks, (8 * n_by, 8 * n_bx))
    assert np.all(full[shape[0] :, : shape[1]] == x[-1])  # bottom padding repeats the last row


def test_blockify_cuts_a_stack_image_by_image() -> None:
    stack = np.random.default_rng(5).integers(0, 256, size=(3, 16, 24))
    blocks = jpeg.blockify(stack)
    assert blocks.shape == (3, 2, 3, 8, 8)
    for k in range(3):
        assert np.array_equal(blocks[k], jpeg.blockify(stack[k]))
    assert np.array_equal(blocks[1, 1, 2], stack[1, 8:16, 16:24])
    with pytest.raises(ValueError, match="channel must be a non-empty array"):
        jpeg.blockify(np.zeros(8))


def test_colour_conversion_roundtrip_and_known_values() -> None:
    rgb = np.random.default_rng(2).integers(0, 256, size=(5, 7, 3)).astype(np.uint8)
    back = jpeg_decode._ycbcr_to_rgb(jpeg.rgb_to_ycbcr(rgb), "float")
    np.testing.assert_allclose(back, rgb, atol=1e-3)
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


# --- the file reader and decoder, against Pillow ----------------------------------------------

# (image, height, width, subsampling): odd sizes that are not multiples of 8 or 16 included.
CASES = [
    ("camera", 37, 50, "4:2:0"),  # greyscale (Pillow writes one component)
    ("camera", 64, 64, "4:2:0"),
    ("astronaut", 48, 64, "4:2:0"),
    ("astronaut", 37, 53, "4:2:0"),
    ("coffee", 45, 31, "4:4:4"),
    ("coffee", 33, 70, "4:2:0"),
    ("chelsea", 1, 1, "4:2:0"),
    ("chelsea", 17, 9, "4:4:4"),
]


def _agreement(decoded: jpeg.JPEGCoefficients, forward: jpeg.JPEGCoefficients) -> float:
    pairs = list(zip(decoded.components, forward.components, strict=True))
    equal = sum(int(np.sum(a.coefficients == b.coefficients)) for a, b in pairs)
    return equal / sum(a.coefficients.size for a, _ in pairs)


@pytest.mark.parametrize("name,height,width,subsampling", CASES)
@pytest.mark.parametrize("quality", [10, 50, 90])
def test_decoded_coefficients_match_forward_path(name, height, width, subsampling, quality):
    image = _crop(name, height, width)
    data = _pillow_jpeg(image, quality, subsampling)
    decoded = jpeg_decode.decode_coefficients(data)
    assert (decoded.height, decoded.width) == (height, width)
    expected = "grey" if image.ndim == 2 else subsampling
    assert decoded.subsampling == expected
    tables = jpeg.quant_tables(quality)
    assert np.array_equal(decoded.components[0].quant_table, tables.luma)
    if image.ndim == 3:
        assert np.array_equal(decoded.components[1].quant_table, tables.chroma)
    # the exact (float) forward path: >= 99% at qualities up to 90 (libjpeg's fixed-point DCT
    # breaks near-ties differently); libjpeg's arithmetic: every coefficient.
    exact = jpeg.forward_coefficients(image, quality, subsampling=subsampling)
    assert _agreement(decoded, exact) >= 0.99
    libjpeg = jpeg.forward_coefficients(image, quality, subsampling=subsampling, method="libjpeg")
    assert _agreement(decoded, libjpeg) == 1.0


@pytest.mark.parametrize("name,height,width,subsampling", CASES)
@pytest.mark.parametrize("quality", [5, 75, 95])
def test_decoded_pixels_match_pillow(name, height, width, subsampling, quality):
    image = _crop(name, height, width)
    data = _pillow_jpeg(image, quality, subsampling)
    pillow = np.asarray(Image.open(io.BytesIO(data)))
    ours = _decode(data)
    assert ours.shape == pillow.shape and ours.dtype == np.uint8
    assert np.array_equal(ours, pillow)  # libjpeg's arithmetic, fancy upsampling: bit-exact
    floating = _decode(data, method="float").astype(int)
    diff = np.abs(floating - pillow)
    assert diff.max() <= (2 if image.ndim == 2 else 3)
    assert np.mean(diff == 0) >= 0.9  # exact IDCT: off by one in a few percent of values


def test_decoder_reads_restart_markers() -> None:
    image = _crop("coffee", 40, 72)
    for options in ({"restart_marker_blocks": 3}, {"restart_marker_rows": 1}):
        data = _pillow_jpeg(image, 80, **options)
        assert b"\xff\xd0" in data and "DRI" in [s.name for s in jpeg_decode.read_segments(data)]
        assert jpeg_decode.decode_coefficients(data).restart_interval > 0
        assert np.array_equal(_decode(data), np.asarray(Image.open(io.BytesIO(data))))


def test_decoder_reads_optimized_huffman_tables() -> None:
    image = _crop("astronaut", 32, 40)
    data = _pillow_jpeg(image, 60, optimize=True)
    assert np.array_equal(_decode(data), np.asarray(Image.open(io.BytesIO(data))))


def test_read_segments_lists_markers_with_offsets() -> None:
    data = _pillow_jpeg(_crop("astronaut", 16, 16), 75)
    segments = jpeg_decode.read_segments(data)
    names = [s.name for s in segments]
    assert names == ["SOI", "APP0", "DQT", "DQT", "SOF0", "DHT", "DHT", "DHT", "DHT", "SOS", "EOI"]
    for segment, following in zip(segments, segments[1:], strict=False):
        assert segment.offset + segment.n_bytes == following.offset  # they tile the file
        assert data[segment.offset] == 0xFF and data[segment.offset + 1] == segment.marker & 0xFF
    assert segments[-1].offset + 2 == len(data)
    assert segments[2].length == 67  # one 8-bit table: 2 + 1 + 64


def test_progressive_file_is_refused_clearly() -> None:
    data = _pillow_jpeg(_crop("astronaut", 24, 24), 75, progressive=True)
    assert "SOF2" in [s.name for s in jpeg_decode.read_segments(data)]
    with pytest.raises(jpeg_decode.UnsupportedJPEGError, match="not supported: progressive JPEG"):
        _decode(data)
    with pytest.raises(ValueError, match="not supported: progressive JPEG"):
        jpeg_decode.decode_coefficients(data)


def test_arithmetic_coded_file_is_refused_clearly() -> None:
    data = bytearray(_pillow_jpeg(_crop("camera", 16, 16), 75))
    sof = next(s for s in jpeg_decode.read_segments(bytes(data)) if s.name == "SOF0")
    data[sof.offset + 1] = 0xC9  # relabel the frame as arithmetic-coded sequential (SOF9)
    with pytest.raises(ValueError, match="not supported: arithmetic-coded JPEG"):
        _decode(bytes(data))



def _rgb_stored_jpeg() -> bytes:
    """A JPEG whose components are R, G, B (Pillow's keep_rgb=True: Adobe APP14 transform 0)."""
    buffer = io.BytesIO()
    Image.fromarray(_crop("astronaut", 16, 24)).save(buffer, "JPEG", quality=75, keep_rgb=True)
    return buffer.getvalue()


def test_rgb_stored_file_is_refused_not_misdecoded() -> None:
    data = _rgb_stored_jpeg()
    segments = jpeg_decode.read_segments(data)
    adobe = next(s for s in segments if s.name == "APP14")
    assert adobe.payload[:5] == b"Adobe" and adobe.payload[11] == 0  # transform 0: no YCbCr
    assert Image.open(io.BytesIO(data)).mode == "RGB"  # libjpeg reads it as RGB
    with pytest.raises(jpeg_decode.UnsupportedJPEGError, match="Adobe APP14 transform 0"):
        _decode(data)
    without_adobe = data[: adobe.offset] + data[adobe.offset + adobe.n_bytes :]
    with pytest.raises(jpeg_decode.UnsupportedJPEGError, match="components R, G, B"):
        jpeg_decode.decode_coefficients(without_adobe)
    # components renamed 1, 2, 3 (the JFIF ids) with transform 0: still RGB, still refused
    sof, sos = b"\x03R\x11\x00G\x11\x00B\x11\x00", b"\x03R\x00G\x00B\x00"
    assert data.count(sof) == data.count(sos) == 1
    renamed = data.replace(sof, b"\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00")
    renamed = renamed.replace(sos, b"\x03\x01\x00\x02\x00\x03\x00")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(renamed))),
                          np.asarray(Image.open(io.BytesIO(data))))  # libjpeg: still RGB
    with pytest.raises(jpeg_decode.UnsupportedJPEGError, match="transform 0"):
        _decode(renamed)


@pytest.mark.parametrize("transform", [1, 2, 7])
def test_adobe_marker_on_a_ycbcr_file(transform: int) -> None:
    image = _crop("coffee", 16, 24)
    data = _pillow_jpeg(image, 75)
    app14 = b"\xff\xee\x00\x0eAdobe\x00\x64\x00\x00\x00\x00" + bytes([transform])
    marked = data[:2] + app14 + data[2:]
    if transform == 1:  # YCbCr, as the file is: decoded exactly, as Pillow does
        assert np.array_equal(_decode(marked), np.asarray(Image.open(io.BytesIO(marked))))
    else:  # a transform this decoder cannot honour
        with pytest.raises(jpeg_decode.UnsupportedJPEGError, match=f"transform {transform}"):
            _decode(marked)
    grey = _pillow_jpeg(image[..., 0], 75)  # one component: no colour transform to honour
    pillow = np.asarray(Image.open(io.BytesIO(grey)))
    assert np.array_equal(_decode(grey[:2] + app14 + grey[2:]), pillow)

@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95])
def test_truncated_file_raises_clear_error(cut: float) -> None:
    data = _pillow_jpeg(_crop("coffee", 32, 32), 90)
    with pytest.raises(jpeg_decode.JPEGFormatError, match="truncated JPEG"):
        _decode(data[: int(len(data) * cut)])


@pytest.mark.parametrize("data", [b"", b"GIF89a....", b"\xff\xd8", bytes(100),
                                  b"\xff\xd8\xff\xdb\x00\x02\xff\xd9", b"\xff\xd8\xff\xc0\x00"])
def test_garbage_raises_clear_error(data: bytes) -> None:
    with pytest.raises(ValueError, match="JPEG"):
        _decode(data)


def test_non_bytes_input_raises_type_error() -> None:
    with pytest.raises(TypeError, match="data must be bytes"):
        jpeg_decode.read_segments("photo.jpg")  # type: ignore[arg-type]


def test_corrupted_bytes_never_raise_anything_but_value_error() -> None:
    data = _pillow_jpeg(_crop("coffee", 24, 40), 70)
    rng = np.random.default_rng(7)
    outcomes = set()
    for _ in range(80):
        damaged = bytearray(data)
        for index in rng.integers(2, len(data), size=3):
            damaged[index] = int(rng.integers(0, 256))
        try:
            _decode(bytes(damaged))
            outcomes.add("decoded")
        except ValueError:
            outcomes.add("refused")
    assert "refused" in outcomes  # and no other exception type escaped


def test_max_pixels_refuses_before_decoding() -> None:
    data = _pillow_jpeg(_crop("camera", 64, 64), 75)
    with pytest.raises(ValueError, match="more than max_pixels=1,000"):
        _decode(data, max_pixels=1000)


def test_libjpeg_method_matches_float_closely() -> None:
    rng = np.random.default_rng(4)
    blocks = rng.integers(-128, 128, size=(20, 8, 8)).astype(float)
    assert np.abs(jpeg.dct2(blocks, method="libjpeg") - jpeg.dct2(blocks)).max() < 0.25
    coefs = np.rint(jpeg.dct2(blocks))
    assert np.abs(jpeg.idct2(coefs, method="libjpeg") - jpeg.idct2(coefs)).max() <= 1
    with pytest.raises(ValueError, match="method must be one of"):
        jpeg.dct2(blocks, method="fast")


def test_decoding_a_photograph_is_fast_enough() -> None:
    import time

    data = _pillow_jpeg(sample_image("astronaut"), 75)  # 512x512 colour, 4:2:0
    start = time.perf_counter()
    jpeg_decode.decode_coefficients(data)
    assert time.perf_counter() - start < 5.0  # ~0.3 s on an idle core; generous for CI


@pytest.mark.parametrize("quality", [10, 50, 95])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:0"])
def test_scan_estimate_accounts_for_the_scan_bytes(quality: int, subsampling: str) -> None:
    data = _pillow_jpeg(_crop("astronaut", 64, 96), quality, subsampling)
    sos = next(s for s in jpeg_decode.read_segments(data) if s.name == "SOS")
    scan = data[sos.offset + 2 + sos.length : sos.offset + sos.n_bytes]
    estimate = jpeg_entropy.scan_estimate(jpeg_decode.decode_coefficients(data))
    assert estimate.huffman_bits is not None
    # the file's code lengths + raw bits + one stuffed byte per 0xFF = the scan, to a byte
    coded = (estimate.huffman_bits + estimate.extra_bits) / 8 + scan.count(b"\xff\x00")
    assert abs(coded - len(scan)) <= 1
    # no prefix code beats the empirical entropy of its symbols
    assert estimate.entropy_bits <= estimate.huffman_bits
    assert estimate.n_bytes < len(scan)


def test_scan_estimate_without_tables() -> None:
    estimate = jpeg_entropy.scan_estimate(jpeg.forward_coefficients(_crop("camera", 32, 32), 50))
    assert estimate.huffman_bits is None and estimate.n_symbols >= 2 * 16
    assert estimate.entropy_bits > 0 and estimate.extra_bits > 0


def test_decoder_equals_pillow_on_random_images() -> None:
    """Property test: for any small image, quality and subsampling, decode == Pillow's decode."""
    hypothesis = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hypothesis.settings(max_examples=20, deadline=None, derandomize=True)
    @hypothesis.given(st.integers(1, 24), st.integers(1, 24), st.booleans(), st.integers(0, 2**32),
                      st.integers(1, 100), st.sampled_from(["4:4:4", "4:2:0"]))
    def check(height, width, colour, seed, quality, subsampling) -> None:
        shape = (height, width, 3) if colour else (height, width)
        # smooth random images (a random walk) look more like photographs than white noise
        steps = np.random.default_rng(seed).integers(-12, 13, size=shape)
        image = np.clip(128 + np.cumsum(np.cumsum(steps, axis=0), axis=1) // 4, 0, 255)
        image = image.astype(np.uint8)
        data = _pillow_jpeg(image, quality, subsampling)
        assert np.array_equal(_decode(data), np.asarray(Image.open(io.BytesIO(data))))
        forward = jpeg.forward_coefficients(image, quality, subsampling=subsampling,
                                            method="libjpeg")
        assert _agreement(jpeg_decode.decode_coefficients(data), forward) == 1.0

    check()


def test_cached_huffman_tables_cannot_be_changed() -> None:
    data = _pillow_jpeg(_crop("camera", 16, 16), 75)
    tables = jpeg_decode.decode_coefficients(data).huffman_tables
    lookup = jpeg_decode._huffman_lookup(*tables[("DC", 0)])
    assert isinstance(lookup, tuple) and len(lookup) == 1 << 16
    with pytest.raises(TypeError):
        lookup[0] = 1  # type: ignore[index]
    assert jpeg_decode._huffman_lookup(*tables[("DC", 0)]) is lookup


def test_zigzag_is_read_only() -> None:
    with pytest.raises(ValueError, match="read-only"):
        jpeg.ZIGZAG[0] = 5
    assert jpeg.ZIGZAG[:3].tolist() == [0, 1, 8]


def test_one_list_of_subsamplings() -> None:
    from lossylab import images

    assert jpeg.SUBSAMPLINGS == ("4:2:0", "4:4:4")
    assert set(jpeg.SUBSAMPLINGS) < set(images.SUBSAMPLINGS)  # Pillow also writes 4:2:2
    for subsampling in jpeg.SUBSAMPLINGS:
        coefs = jpeg.forward_coefficients(_crop("astronaut", 16, 16), 75, subsampling=subsampling)
        assert coefs.subsampling == subsampling


# --- the Gaussian model's rate-distortion function (notebook 04) -------------------------


def _luma_variances(image: np.ndarray) -> np.ndarray:
    """Variance of each of the 64 DCT coefficients of an image's luma, exact DCT, natural order."""
    from lossylab.blockstats import luma

    y = luma(image).astype(np.float64)
    y = y[: y.shape[0] // 8 * 8, : y.shape[1] // 8 * 8]
    return jpeg.dct2(jpeg.blockify(y)).reshape(-1, 64).var(axis=0)


def _quantized_gaussian(variance: float, step: float) -> tuple[float, float]:
    """Entropy (bits) and MSE of round(X / step) * step for X ~ N(0, variance), exactly."""
    from scipy.special import ndtr

    sigma = np.sqrt(variance)
    k = np.arange(-int(8 * sigma / step) - 2, int(8 * sigma / step) + 3)
    lo, hi = (k - 0.5) * step / sigma, (k + 0.5) * step / sigma
    pdf = lambda z: np.exp(-z * z / 2) / np.sqrt(2 * np.pi)  # noqa: E731
    mass = ndtr(hi) - ndtr(lo)
    z2 = mass + lo * pdf(lo) - hi * pdf(hi)  # integral of z^2 phi(z) over each bin
    z1 = pdf(lo) - pdf(hi)
    centre = k * step / sigma
    mse = variance * float(np.sum(z2 - 2 * centre * z1 + centre**2 * mass))
    p = mass[mass > 0]
    return float(-np.sum(p * np.log2(p))), mse


def _jpeg_on_gaussian(variances: np.ndarray, table: np.ndarray) -> tuple[float, float]:
    """(bits per pixel, PSNR) of JPEG's quantizer with ideal entropy coding on the model."""
    pairs = [_quantized_gaussian(v, q) for v, q in zip(variances, table.ravel(), strict=True)]
    bits, mse = (np.array(column) for column in zip(*pairs, strict=True))
    return float(bits.sum() / 64), float(10 * np.log10(255**2 / mse.mean()))


@pytest.mark.parametrize("name", ["astronaut", "camera", "coffee", "chelsea", "rocket"])
def test_every_jpeg_quality_on_the_gaussian_model_is_on_the_feasible_side(name: str) -> None:
    """R(D) is a theorem for the Gaussian model: JPEG's quantizer on it can never beat it."""
    from lossylab.images import _water_filling

    variances = _luma_variances(sample_image(name))
    bound, doubled = _water_filling(variances, 1), _water_filling(2 * variances, 1)
    points = [_jpeg_on_gaussian(variances, jpeg.quant_tables(q).luma) for q in range(1, 101)]
    margins = np.array([bound.psnr_at(bpp) - psnr for bpp, psnr in points])
    assert margins.min() > 0, f"quality {margins.argmin() + 1} beats R(D) by {-margins.min()} dB"
    # not vacuous: a bound for twice the variances (half a bit more per coefficient) is beaten
    assert any(psnr > doubled.psnr_at(bpp) for bpp, psnr in points)


def test_gaussian_rd_uses_the_dct_variances_and_has_the_6_db_slope() -> None:
    camera = sample_image("camera")
    rd = images.gaussian_rd(camera)
    np.testing.assert_allclose(rd.variances, np.sort(_luma_variances(camera))[::-1], rtol=2e-3)
    assert rd.n_channels == 1 and np.all(np.diff(rd.bpp) > 0) and np.all(np.diff(rd.psnr_db) > 0)
    assert rd.psnr_at(9.0) - rd.psnr_at(8.0) == pytest.approx(20 * np.log10(2), abs=1e-3)
    colour = images.gaussian_rd(sample_image("astronaut"))
    assert colour.n_channels == 3 and len(colour.variances) == 192
    assert colour.psnr_at(9.0) - colour.psnr_at(8.0) == pytest.approx(20 * np.log10(2) / 3,
                                                                      abs=1e-3)
    with pytest.raises(ValueError, match="at least one 8x8 block"):
        images.gaussian_rd(np.zeros((4, 40), np.uint8))


# --- notebook 03: the three lossy steps and the file editor ------------------------------


def test_lossy_steps_colour_rounding_and_the_subsampling_ceiling() -> None:
    from lossylab.course import nb03

    image = sample_image("astronaut")
    steps = nb03.lossy_steps(image)
    psnr = lambda mse: 10 * np.log10(255**2 / mse)  # noqa: E731
    assert steps.colour_changed == pytest.approx(0.291, abs=5e-4)
    assert psnr(steps.colour_mse) == pytest.approx(53.49, abs=0.01)
    assert psnr(steps.subsampled_mse) == pytest.approx(40.36, abs=0.01)
    # the ceiling: no quality passes it, and quality 100 lands just below
    assert np.all(steps.jpeg_mse >= steps.subsampled_mse)
    assert 0 < psnr(steps.subsampled_mse) - psnr(steps.jpeg_mse[99]) < 0.2
    assert sum(steps.shares(75)) == pytest.approx(steps.jpeg_mse[74])
    # the quality-75 error equals our own encoder and decoder's (libjpeg arithmetic)
    ours = jpeg_decode.reconstruct(jpeg.forward_coefficients(image, 75, method="libjpeg"))
    assert np.mean((ours.astype(float) - image) ** 2) == pytest.approx(steps.jpeg_mse[74])
    with pytest.raises(ValueError, match="must be RGB"):
        nb03.lossy_steps(np.zeros((8, 8), np.uint8))


def test_edit_file_changes_one_byte_or_one_bit_and_decodes_or_refuses() -> None:
    from lossylab.course import nb03

    data = _pillow_jpeg(sample_image("astronaut")[100:164, 200:264], 50)
    same = nb03.edit_file(data, dqt=(0, 5, int(jpeg.quant_tables(50).luma.ravel()[jpeg.ZIGZAG[5]])))
    assert same.data == data and same.message.startswith("decoded: inf dB")
    edit = nb03.edit_file(data, dqt=(1, 0, 99))
    assert sum(a != b for a, b in zip(edit.data, data, strict=True)) == 1
    coefs = jpeg_decode.decode_coefficients(edit.data)
    assert int(coefs.components[1].quant_table[0, 0]) == 99 and edit.decoded is not None
    flipped = nb03.edit_file(data, flip_bit=77)
    diff = [a ^ b for a, b in zip(flipped.data, data, strict=True) if a != b]
    assert diff == [0x80 >> (77 % 8)]
    zeroed = nb03.edit_file(data, zero_position=0)
    assert zeroed.decoded is not None and "dB" in zeroed.message
    outcomes = [nb03.edit_file(data, flip_bit=int(b)) for b in range(0, edit.n_scan_bits, 41)]
    refused = [o for o in outcomes if o.decoded is None]
    assert refused and all(o.message.startswith("refused: ") for o in refused)
    assert any(o.decoded is not None and "dB" in o.message for o in outcomes)
    for bad in ({"dqt": (2, 0, 1)}, {"dqt": (0, 64, 1)}, {"zero_position": 64},
                {"flip_bit": edit.n_scan_bits}):
        with pytest.raises(ValueError):
            nb03.edit_file(data, **bad)  # type: ignore[arg-type]
