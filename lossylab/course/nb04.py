"""Notebook 04: the photographs' round trips, and JPEG as a map between block distributions."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
from PIL import Image

from lossylab.blockstats import block_stats
from lossylab.course.common import RD_QUALITIES, photograph, sample_block_pool
from lossylab.course.exercises import Feedback, _close, _number_feedback
from lossylab.images import (
    RateDistortion,
    _check_image,
    _check_pair,
    _check_subsampling,
    png_bytes,
    rate_distortion,
    roundtrip,
    ssim,
)
from lossylab.jpeg import _check_quality


@cache
def photograph_png(name: str) -> bytes:
    """The lossless PNG of :func:`photograph` ``(name)``, cached (also what a widget shows)."""
    return png_bytes(photograph(name))


def photograph_png_n_bytes(name: str) -> int:
    """Size of the lossless PNG of :func:`photograph` ``(name)``."""
    return len(photograph_png(name))


_SSIM_CACHE: dict[tuple[str, int, str], float] = {}


def photograph_ssim(name: str, quality: int, subsampling: str = "4:2:0", *,
                    compute: bool = True) -> float | None:
    """SSIM of a photograph's JPEG round trip, cached (about 0.1 s the first time).

    With ``compute=False`` it returns the cached value or None, instantly: what a
    slider callback that must stay under 50 ms asks for.
    """
    key = (name, _check_quality(quality), _check_subsampling(subsampling))
    if key not in _SSIM_CACHE:
        if not compute:
            return None
        image = photograph(name)
        decoded = roundtrip(image, quality, subsampling=subsampling).decoded
        _SSIM_CACHE[key] = ssim(image, decoded, data_range=255)
    return _SSIM_CACHE[key]


@cache
def photograph_rate_distortion(name: str, subsampling: str = "4:2:0") -> RateDistortion:
    """:func:`rate_distortion` of a photograph at :data:`RD_QUALITIES`, cached (SSIM shared)."""
    image = photograph(name)
    rd = rate_distortion(image, RD_QUALITIES, subsampling=subsampling, with_ssim=False)
    scores = np.array([photograph_ssim(name, int(q), subsampling) for q in rd.qualities],
                      dtype=np.float64)
    return RateDistortion(rd.qualities, rd.n_bytes, rd.bpp, rd.psnr_db, scores)


def zoom(image: np.ndarray, *, window: tuple[slice, slice] | None = None, size: int = 64,
         factor: int = 4) -> np.ndarray:
    """Crop a window and enlarge it by pixel repetition (nearest neighbour), to see the 8x8 grid.

    Parameters
    ----------
    image : numpy.ndarray
        uint8, (H, W) or (H, W, 3).
    window : (slice, slice), keyword-only
        Rows and columns to crop; default: the central ``size`` x ``size`` square.
    size : int, keyword-only
        Side of the default window, in pixels.
    factor : int, keyword-only
        Each pixel becomes a ``factor`` x ``factor`` square.

    Returns
    -------
    numpy.ndarray
        uint8, (factor * h, factor * w[, 3]) for a crop of h x w pixels.

    Raises
    ------
    ValueError
        If ``factor`` is not a positive integer or the window is empty.

    Examples
    --------
    >>> zoom(np.arange(16, dtype=np.uint8).reshape(4, 4), size=2, factor=2)
    array([[ 5,  5,  6,  6],
           [ 5,  5,  6,  6],
           [ 9,  9, 10, 10],
           [ 9,  9, 10, 10]], dtype=uint8)
    """
    image = _check_image(image)
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or factor < 1:
        raise ValueError(f"factor must be a positive integer, got {factor!r}")
    if window is None:
        h, w = image.shape[:2]
        window = (slice(h // 2 - size // 2, h // 2 + size // 2),
                  slice(w // 2 - size // 2, w // 2 + size // 2))
    crop = image[window]
    if crop.size == 0:
        raise ValueError(f"window {window} is empty for an image of shape {image.shape}; "
                         "pick rows and columns inside the image")
    return np.repeat(np.repeat(crop, factor, axis=0), factor, axis=1)


def worst_error(original: np.ndarray, decoded: np.ndarray) -> np.ndarray:
    """Absolute error, worst channel, at half size (the worst of each 2x2): a small error map.

    Parameters
    ----------
    original, decoded : numpy.ndarray
        uint8, same shape, (H, W) or (H, W, 3).

    Returns
    -------
    numpy.ndarray
        uint8, (H // 2, W // 2) (or (H, W) if a side is below 2): grey levels of error.

    Raises
    ------
    ValueError
        If the shapes differ or the arrays are not uint8.

    Notes
    -----
    ``max(|x - x'|)`` over the channels and over each 2x2 square, in uint8 without
    overflow (``max(a, b) - min(a, b)``); elementwise maxima, because ``.max(axis=...)``
    is several times slower and this runs on every slider move.

    Examples
    --------
    >>> a = np.zeros((4, 4), np.uint8); b = a.copy(); b[1, 2] = 7
    >>> worst_error(a, b)
    array([[0, 7],
           [0, 0]], dtype=uint8)
    """
    original, decoded = _check_pair(original, decoded)
    if original.dtype != np.uint8 or decoded.dtype != np.uint8:
        raise ValueError(f"original and decoded must be uint8 arrays, got {original.dtype} and "
                         f"{decoded.dtype}; convert with np.clip(x, 0, 255).astype(np.uint8)")
    err = np.maximum(original, decoded) - np.minimum(original, decoded)  # uint8, no overflow
    if err.ndim == 3:
        err = np.maximum(np.maximum(err[..., 0], err[..., 1]), err[..., 2])
    if min(err.shape) >= 2:  # (H // 2, W // 2)
        err = err[: err.shape[0] // 2 * 2, : err.shape[1] // 2 * 2]
        err = np.maximum(np.maximum(err[0::2, 0::2], err[1::2, 0::2]),
                         np.maximum(err[0::2, 1::2], err[1::2, 1::2]))
    return err


def odd_image_files(image: np.ndarray) -> dict[str, bytes]:
    """Ten awkward uploads made from a corner of ``image``, to try :func:`load_image` on.

    Parameters
    ----------
    image : numpy.ndarray
        uint8 RGB, (H, W, 3) with H, W >= 64 (its top-left 64 x 64 corner is used).

    Returns
    -------
    dict of str to bytes
        File name to file contents: not a picture, empty, truncated, CMYK, 16-bit,
        palette with transparency, RGBA, EXIF-rotated, greyscale, one pixel.

    Raises
    ------
    ValueError
        If ``image`` is not RGB or smaller than 64 x 64.
    """
    image = _check_image(image)
    if image.ndim != 3 or min(image.shape[:2]) < 64:
        raise ValueError(f"image must be RGB, (H, W, 3) with H, W >= 64, got {image.shape}")
    corner = image[:64, :64]  # (64, 64, 3) uint8

    def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
        buffer = io.BytesIO()
        im.save(buffer, format=fmt, **kw)  # type: ignore[arg-type]
        return buffer.getvalue()

    photo = Image.fromarray(corner)
    rgba = Image.fromarray(np.dstack([corner, np.full((64, 64), 128, np.uint8)]), "RGBA")
    exif = photo.getexif()
    exif[0x0112] = 6  # EXIF orientation: rotate 90 degrees clockwise to display
    return {
        "notes.txt": b"not a picture at all", "empty.png": b"",
        "truncated.jpg": encode(photo, "JPEG")[:900],
        "cmyk.jpg": encode(photo.convert("CMYK"), "JPEG"),
        "16bit.png": encode(Image.fromarray(corner[..., 0].astype(np.uint16) * 257), "PNG"),
        "palette.png": encode(photo.convert("P"), "PNG", transparency=0),
        "rgba.png": encode(rgba, "PNG"),
        "rotated.jpg": encode(photo, "JPEG", exif=exif.tobytes()),
        "grey.png": encode(photo.convert("L"), "PNG"),
        "one_pixel.png": encode(Image.new("RGB", (1, 1), "red"), "PNG"),
    }


# --- 04 JPEG round trips ---------------------------------------------------------------


def _is_quality(answer: object) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= 100


def check_quality_for_psnr(answer: int) -> Feedback:
    """Notebook 04: the lowest JPEG quality at which "camera" reaches PSNR >= 35 dB."""
    from lossylab.course.common import photograph
    from lossylab.images import psnr_db, roundtrip

    if not _is_quality(answer):
        return Feedback(False, "Answer with an integer quality from 1 to 100.")
    image = photograph("camera")

    def psnr(quality: int) -> float:
        return psnr_db(image, roundtrip(image, quality).decoded, data_range=255)

    reached = psnr(answer)
    if reached < 35:
        return Feedback(False, f"At quality {answer} camera reaches only {reached:.2f} dB: go up.")
    if answer > 1 and psnr(answer - 1) >= 35:
        return Feedback(False, f"Quality {answer} reaches 35 dB, but so does a lower one: go down.")
    return Feedback(True, f"Quality {answer} is the first to reach 35 dB ({reached:.2f} dB).")


def check_png_ratio(answer: float) -> Feedback:
    """Notebook 04: how many times smaller than the PNG is astronaut's JPEG at quality 75."""
    from lossylab.course.common import photograph
    from lossylab.images import roundtrip

    expected = photograph_png_n_bytes("astronaut") / roundtrip(photograph("astronaut"), 75).n_bytes
    return _number_feedback(
        answer, expected, rel=0.01,
        right="That is the ratio: lossless PNG against JPEG at quality 75 (4:2:0).",
        hint="Divide the PNG's n_bytes (images.photograph_png_n_bytes) by the JPEG's "
        "n_bytes at quality 75 with the default 4:2:0 subsampling.",
    )


def check_distinct_blocks(answer: int) -> Feedback:
    """Notebook 04: distinct decoded blocks of the sample block pool at quality 20."""
    pass

    pool = sample_block_pool()
    expected = block_stats(pool, 20).n_distinct_after
    if _close(answer, expected, rel=0.0, abs_=0.5):
        return Feedback(True, f"Right: {pool.n_distinct:,} distinct blocks before, "
                        "and your number after.")
    hint = "Count distinct decoded blocks (block_stats(pool, 20).n_distinct_after, or np.unique)."
    if _close(answer, pool.n_distinct, rel=0.0, abs_=0.5):
        hint = "That is the count before JPEG; count the decoded blocks instead."
    return Feedback(False, hint)
