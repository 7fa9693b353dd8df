"""Tests for lossylab.images: real JPEG round trips, PSNR/SSIM against scikit-image, the loader.

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

from lossylab import images
from lossylab.data import sample_image
from lossylab.images import ImageLoadError, load_image, roundtrip


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return sample_image("astronaut")[:128, :160]  # (128, 160, 3) uint8, a real photograph


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
