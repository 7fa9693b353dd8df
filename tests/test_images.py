"""Tests for lossylab.images: real JPEG round trips, the loader, the block-distribution view.

Every image file the loader sees is generated here with Pillow (in memory or in tmp_path).
"""

from __future__ import annotations

import io
import math
import struct
import zlib

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from lossylab import blockstats, images
from lossylab.course import common
from lossylab.course import nb04 as course
from lossylab.data import sample_image
from lossylab.images import ImageLoadError, load_image, roundtrip


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return sample_image("astronaut")[:128, :160]  # (128, 160, 3) uint8, a real photograph


@pytest.fixture(scope="module")
def small_pool() -> blockstats.BlockPool:
    # a crop of a photograph plus 30 faces: ~400 blocks, fast enough for every quality
    return blockstats.block_pool([blockstats.luma(sample_image("camera")[128:256, 128:256]),
                              blockstats.faces()[:30]])


def _encode(im: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, format=fmt, **params)
    return buffer.getvalue()


# --- round trips ------------------------------------------------------------------------


@pytest.mark.parametrize("quality", [1, 10, 50, 90, 100])
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:0"])
def test_roundtrip_matches_pillow(photo: np.ndarray, quality: int, subsampling: str) -> None:
    rt = roundtrip(photo, quality, subsampling=subsampling)
    expected = _encode(Image.fromarray(photo), "JPEG", quality=quality, subsampling=subsampling)
    assert rt.data == expected
    assert np.array_equal(rt.decoded, np.asarray(Image.open(io.BytesIO(expected))))
    assert rt.decoded.dtype == np.uint8 and rt.decoded.shape == photo.shape
    assert (rt.quality, rt.subsampling) == (quality, subsampling)


def test_roundtrip_greyscale_and_sizes(photo: np.ndarray) -> None:
    grey = photo[..., 1]
    rt = roundtrip(grey, 75)
    assert rt.decoded.shape == grey.shape
    assert rt.n_bytes == len(rt.data)
    assert rt.bpp == pytest.approx(8 * rt.n_bytes / grey.size)
    assert b"\xff\xc0" in rt.data and b"\xff\xc2" not in rt.data  # baseline, not progressive


def test_roundtrip_size_grows_with_quality(photo: np.ndarray) -> None:
    sizes = [roundtrip(photo, q).n_bytes for q in (10, 50, 90)]
    assert sizes[0] < sizes[1] < sizes[2]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"image": np.zeros((8, 8)), "quality": 50}, TypeError, "uint8"),
        ({"image": np.zeros((8, 8, 4), np.uint8), "quality": 50}, ValueError, "alpha"),
        ({"image": np.zeros((8, 8), np.uint8), "quality": 0}, ValueError, "1 to 100"),
        ({"image": np.zeros((8, 8), np.uint8), "quality": 50.0}, TypeError, "integer"),
        ({"image": np.zeros((8, 8), np.uint8), "quality": 50, "subsampling": "4:1:1"},
         ValueError, "4:2:0"),
    ],
)
def test_roundtrip_validates(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        roundtrip(**kwargs)


def test_png_is_lossless(photo: np.ndarray) -> None:
    data = images.png_bytes(photo)
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(data))), photo)


def test_psnr_matches_formula(photo: np.ndarray) -> None:
    decoded = roundtrip(photo, 30).decoded
    mse = np.mean((photo.astype(float) - decoded) ** 2)
    assert images.psnr_db(photo, decoded, data_range=255) == pytest.approx(
        10 * np.log10(255**2 / mse))
    assert images.psnr_db(photo, photo, data_range=255) == math.inf
    oracle = peak_signal_noise_ratio(photo, decoded, data_range=255)
    assert images.psnr_db(photo, decoded, data_range=255) == pytest.approx(oracle, rel=1e-12)
    floats = images.psnr_db(photo / 255, decoded / 255, data_range=1.0)
    assert floats == pytest.approx(peak_signal_noise_ratio(photo / 255, decoded / 255,
                                                           data_range=1.0))
    with pytest.raises(ValueError, match="data_range"):
        images.psnr_db(photo, decoded, data_range=0)
    with pytest.raises(ValueError, match="same shape"):
        images.psnr_db(photo, decoded[1:], data_range=255)


def test_ssim_matches_skimage_and_orders_qualities(photo: np.ndarray) -> None:
    low, high = (roundtrip(photo, q).decoded for q in (10, 90))
    expected = structural_similarity(photo, low, data_range=255, channel_axis=-1)
    assert images.ssim(photo, low, data_range=255) == pytest.approx(expected)
    assert images.ssim(photo, low, data_range=255) < images.ssim(photo, high, data_range=255) < 1
    assert images.ssim(photo, photo, data_range=255) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="7x7"):
        images.ssim(photo[:5, :5], photo[:5, :5], data_range=255)


def test_rate_distortion_is_monotone(photo: np.ndarray) -> None:
    rd = images.rate_distortion(photo, [10, 40, 80], with_ssim=True)
    assert np.all(np.diff(rd.bpp) > 0) and np.all(np.diff(rd.psnr_db) > 0)
    assert np.all(np.diff(rd.ssim) > 0)
    assert np.array_equal(rd.qualities, [10, 40, 80])


def test_photograph_cache_is_read_only_and_consistent() -> None:
    image = common.photograph("camera")
    assert not image.flags.writeable
    assert course.photograph_ssim("camera", 50) == pytest.approx(
        images.ssim(image, roundtrip(image, 50).decoded, data_range=255))
    assert course.photograph_png_n_bytes("camera") == len(images.png_bytes(image))
    assert course.photograph_ssim("camera", 51, compute=False) is None  # not computed yet
    assert course.photograph_ssim("camera", 50, compute=False) == course.photograph_ssim(
        "camera", 50)


def test_generation_loss_converges(photo: np.ndarray) -> None:
    g = images.generation_loss(photo, 50, 6)
    assert len(g.decoded) == 6 and g.psnr_db.shape == (6,)
    assert g.psnr_db[0] == pytest.approx(images.psnr_db(photo, roundtrip(photo, 50).decoded,
                                                        data_range=255))
    assert g.changed_fraction[-1] < g.changed_fraction[0]  # the map is almost idempotent
    assert g.psnr_db[-1] <= g.psnr_db[0] + 0.1
    moving = images.generation_loss(photo, 50, 6, shift_px=1)
    assert moving.psnr_db[0] == pytest.approx(g.psnr_db[0])  # generation 1 is the same
    assert moving.psnr_db[-1] < g.psnr_db[-1] - 1  # a moving grid keeps losing
    with pytest.raises(ValueError, match="n_generations"):
        images.generation_loss(photo, 50, 0)


# --- load_image: one test per odd input ---------------------------------------------------


def test_every_refusal_is_a_value_error() -> None:
    assert issubclass(ImageLoadError, ValueError)


def test_not_an_image() -> None:
    with pytest.raises(ImageLoadError, match="not an image"):
        load_image(b"%PDF-1.4 this is a document, not a picture")


def test_empty() -> None:
    with pytest.raises(ImageLoadError, match="empty"):
        load_image(b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated(photo: np.ndarray, fmt: str) -> None:
    data = _encode(Image.fromarray(photo), fmt)
    with pytest.raises(ImageLoadError, match="truncated or damaged"):
        load_image(data[: len(data) // 2])


@pytest.mark.parametrize("data", [b"\xff\xd8\xff\xe0\x00\x03", b"\x89PNG\r\n\x1a\n\x00"])
def test_damaged_header(data: bytes) -> None:
    # Pillow's Image.open raises OSError("Truncated File Read") on the first one
    with pytest.raises(ImageLoadError, match="truncated or damaged|not an image"):
        load_image(data)


def test_cmyk() -> None:
    data = _encode(Image.new("CMYK", (16, 8), (0, 255, 255, 0)), "JPEG", quality=95)
    loaded = load_image(data)
    assert loaded.mode == "CMYK" and loaded.pixels.shape == (8, 16, 3)
    assert any("CMYK" in note for note in loaded.notes)
    red = loaded.pixels.reshape(-1, 3).mean(axis=0)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60  # C=0, M=Y=255 is red


def test_sixteen_bit() -> None:
    values = np.linspace(0, 65535, 64).astype(np.uint16).reshape(8, 8)
    loaded = load_image(_encode(Image.fromarray(values), "PNG"))
    assert loaded.mode.startswith("I") and loaded.pixels.dtype == np.uint8
    assert np.array_equal(loaded.pixels, np.round(values / 257).astype(np.uint8))
    assert any("16-bit" in note for note in loaded.notes)


def test_palette_with_transparency() -> None:
    im = Image.new("P", (4, 4), 0)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    im.putpixel((0, 0), 1)  # one red pixel, the rest is palette index 0 = transparent
    loaded = load_image(_encode(im, "PNG", transparency=0))
    assert loaded.mode == "P" and loaded.pixels.shape == (4, 4, 3)
    assert loaded.pixels[0, 0].tolist() == [255, 0, 0]
    assert loaded.pixels[3, 3].tolist() == [255, 255, 255]  # transparent became white
    assert any("composited on white" in note for note in loaded.notes)


def test_rgba_composited_on_white() -> None:
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    rgba[0, 0] = [0, 0, 0, 0]  # fully transparent black -> white
    rgba[0, 1] = [0, 0, 0, 128]  # half transparent black -> mid grey
    loaded = load_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert loaded.pixels[0, 0].tolist() == [255, 255, 255]
    assert 120 <= loaded.pixels[0, 1, 0] <= 130
    assert loaded.pixels[1, 1].tolist() == [0, 0, 0]
    assert any("composited on white" in note for note in loaded.notes)


def test_opaque_rgba_says_so() -> None:
    loaded = load_image(_encode(Image.new("RGBA", (4, 4), (9, 9, 9, 255)), "PNG"))
    assert loaded.pixels[0, 0].tolist() == [9, 9, 9]
    assert any("fully opaque" in note for note in loaded.notes)


def test_exif_rotated() -> None:
    pattern = np.zeros((16, 32, 3), dtype=np.uint8)  # wide, white on its left half
    pattern[:, :16] = 255
    im = Image.fromarray(pattern)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    loaded = load_image(_encode(im, "JPEG", exif=exif.tobytes(), quality=95))
    assert loaded.pixels.shape == (32, 16, 3)  # now tall
    assert loaded.pixels[2, 8].mean() > 200 and loaded.pixels[-3, 8].mean() < 50  # white on top
    assert any("EXIF orientation (6)" in note for note in loaded.notes)


def test_greyscale_stays_one_channel() -> None:
    grey = np.arange(64, dtype=np.uint8).reshape(8, 8)
    loaded = load_image(_encode(Image.fromarray(grey), "PNG"))
    assert np.array_equal(loaded.pixels, grey)
    assert loaded.notes == ("greyscale: kept as one channel",)


def test_one_by_one() -> None:
    loaded = load_image(_encode(Image.new("RGB", (1, 1), (10, 200, 30)), "PNG"))
    assert loaded.pixels.shape == (1, 1, 3)
    assert any("tiny image" in note for note in loaded.notes)
    rt = roundtrip(loaded.pixels, 90)
    assert rt.decoded.shape == (1, 1, 3) and rt.bpp == 8 * rt.n_bytes


def _png_with_size(width: int, height: int) -> bytes:
    """A 1x1 PNG whose header claims another size (valid CRC): decoding it would fail."""
    data = bytearray(_encode(Image.new("L", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))  # IHDR's CRC
    return bytes(data)


def test_enormous_refused_from_header_before_decoding() -> None:
    # 3000x3000 decoded would be 9 MB, but the file holds 1 pixel: if it were decoded,
    # the error would be "truncated"; the size message proves the header check came first
    with pytest.raises(ImageLoadError, match="3000x3000 = 9,000,000 pixels, above the limit"):
        load_image(_png_with_size(3000, 3000))
    assert load_image(_png_with_size(1, 1)).pixels.shape == (1, 1)


def test_decompression_bomb_refused() -> None:
    with pytest.raises(ImageLoadError, match="enormous"):
        load_image(_png_with_size(30_000, 30_000))  # 900 MP: Pillow refuses on open


def test_max_pixels_is_honoured() -> None:
    data = _encode(Image.new("L", (10, 10)), "PNG")
    with pytest.raises(ImageLoadError, match="max_pixels=99"):
        load_image(data, max_pixels=99)
    assert load_image(data, max_pixels=100).pixels.shape == (10, 10)
    with pytest.raises(ValueError, match="max_pixels must be a positive integer"):
        load_image(data, max_pixels=0)


def test_accepts_path_file_and_memoryview(tmp_path) -> None:
    data = _encode(Image.new("RGB", (5, 3), (1, 2, 3)), "PNG")
    path = tmp_path / "x.png"
    path.write_bytes(data)
    for source in (path, str(path), io.BytesIO(data), memoryview(data), bytearray(data)):
        assert load_image(source).pixels.shape == (3, 5, 3)
    with pytest.raises(TypeError, match="file_or_bytes"):
        load_image(12345)  # type: ignore[arg-type]


# --- the block-distribution view ----------------------------------------------------------


def test_blocks_match_jpeg_blockify() -> None:
    from lossylab.jpeg import blockify

    x = np.arange(16 * 24).reshape(16, 24)
    assert np.array_equal(blockstats.blocks(x), blockify(x).reshape(-1, 8, 8))
    with pytest.raises(ValueError, match="multiples of 8"):
        blockstats.blocks(np.zeros((10, 16)))


def test_stack_roundtrip_equals_separate_files() -> None:
    faces = blockstats.faces()[:20]
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
    assert len(blockstats.block_counts(pairs)) == small_pool.n_distinct  # x determines x'


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
    assert blockstats.ringing_score(step, step) == 0.0
    assert math.isnan(blockstats.ringing_score(ramp, ramp))  # no strong edge: undefined
    with pytest.raises(ValueError, match="> 8"):
        blockstats.blocking_score(np.zeros((8, 8)))


def test_feature_histogram_counts_every_inner_block() -> None:
    # 8 x 10 blocks -> 7 x 9 with neighbours
    image = blockstats.luma(sample_image("camera")[:64, :80])
    counts = blockstats.feature_histogram([image])
    assert counts.shape == (9, 9) and counts.sum() == 63
    flat = blockstats.block_features(np.full((32, 32), 7, dtype=np.uint8))
    assert flat.shape == (9, 2) and not flat.any()


def test_quantized_blocks_of_flat_grey() -> None:
    from lossylab.jpeg import quant_tables

    flat = np.full((8, 8), 200, dtype=np.uint8)
    coefficients = blockstats.quantized_blocks(flat, 50)
    # DC = 8 * (200 - 128) = 576, divided by Q[0, 0] = 16 -> 36; all AC zero
    assert coefficients[0, 0, 0] == round(576 / quant_tables(50).luma[0, 0]) == 36
    assert not coefficients[0].ravel()[1:].any()


# --- the self-checks of notebook 04 (lossylab.exercises, section 04) ---------------------


def test_exercise_checks_of_notebook_04() -> None:

    right = 75  # found by scanning qualities 1..100 (Pillow 13.0.0, libjpeg-turbo), Nov 2026
    assert course.check_quality_for_psnr(right).correct
    assert not course.check_quality_for_psnr(right - 1).correct
    assert not course.check_quality_for_psnr(right + 1).correct
    assert str(right) not in course.check_quality_for_psnr(10).message.split("only")[1]
    ratio = course.photograph_png_n_bytes("astronaut") / roundtrip(
        common.photograph("astronaut"), 75).n_bytes
    assert course.check_png_ratio(ratio).correct
    assert not course.check_png_ratio(ratio * 1.1).correct
    assert not course.check_distinct_blocks(common.sample_block_pool().n_distinct).correct
