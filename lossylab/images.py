"""Real JPEG round trips, a careful image loader, and JPEG as a map between distributions.

The core idea. A JPEG encoder followed by its decoder is a channel p(x'|x) from
images to images. It is deterministic (the same pixels always give the same
bytes), so it pushes a distribution of images p_true forward to
``p_compressed(x') = sum_x p(x'|x) p_true(x)``: many images land on the same
x', and entropy can only drop. Everything here uses the *real* codec: the bytes
are written and read by libjpeg through Pillow (baseline, standard IJG tables,
no Huffman optimisation); SSIM comes from scikit-image, PSNR is written out in numpy.

Three parts, top to bottom:

1. round trips and their numbers: :func:`roundtrip`, :func:`png_bytes`,
   :func:`psnr_db`, :func:`ssim`, :func:`rate_distortion`, :func:`generation_loss`,
   and two small views for sliders (:func:`zoom`, :func:`worst_error`);
2. :func:`load_image`, which turns any upload into a uint8 array or refuses it
   with an :class:`ImageLoadError` that says what to do (try it on
   :func:`odd_image_files`);
3. the distribution view, on the 8x8 luma blocks of the sample photographs and
   of scikit-image's face set: distinct blocks and block entropy before and
   after (:func:`block_stats`), textures flattened (mode collapse), and two
   artifact scores for what JPEG invents (:func:`blocking_score`,
   :func:`ringing_score`).

What this version leaves out compared with real use: colour profiles (ICC) and
metadata are dropped; only baseline sequential JPEG is written; the block
distributions are *empirical* (plug-in) distributions of a few tens of thousands
of blocks, so their entropy can never exceed log2 of the number of blocks.

References
----------
ITU-T T.81 (1992), the JPEG standard. Independent JPEG Group, libjpeg.
Wang, Bovik, Sheikh and Simoncelli (2004), "Image quality assessment: from error
visibility to structural similarity", IEEE Trans. Image Processing 13(4).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

SUBSAMPLINGS = ("4:4:4", "4:2:2", "4:2:0")
DEFAULT_MAX_PIXELS = 4_000_000  # 4 megapixels: e.g. 2000x2000; a 12 MP phone photo is refused
PHOTOGRAPHS = ("astronaut", "camera", "coffee", "chelsea", "rocket")
RD_QUALITIES = tuple(range(5, 96, 10))  # 5, 15, ..., 95: SSIM costs ~0.1 s per point
BLOCK = 8

# --- 1. round trips ---------------------------------------------------------------------


def _check_image(image: object) -> np.ndarray:
    """Return ``image`` as a uint8 array (H, W) or (H, W, 3), or raise a helpful error."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(
            f"image must be a uint8 array, got dtype {array.dtype}; "
            "convert with np.clip(image, 0, 255).astype(np.uint8)"
        )
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)) or 0 in array.shape:
        raise ValueError(
            f"image must have shape (H, W) or (H, W, 3) with H, W >= 1, got {array.shape}; "
            "drop an alpha channel with image[..., :3] or use load_image"
        )
    return array


def _check_quality(quality: object) -> int:
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
        raise TypeError(f"quality must be an integer from 1 to 100, got {quality!r}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be from 1 to 100, got {quality}; 75 is Pillow's default")
    return int(quality)


def _check_subsampling(subsampling: object) -> str:
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(
            f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, got {subsampling!r}"
        )
    return str(subsampling)


@dataclass(frozen=True)
class RoundTrip:
    """One real JPEG encode and decode.

    Attributes
    ----------
    decoded : numpy.ndarray
        uint8, same shape as the input: what libjpeg decodes from :attr:`data`.
    data : bytes
        The JPEG file.
    n_bytes : int
        ``len(data)``, headers included.
    bpp : float
        Bits per pixel, ``8 * n_bytes / (height * width)``.
    quality : int
    subsampling : str
        Chroma subsampling used ("4:4:4", "4:2:2" or "4:2:0"; ignored for greyscale).
    """

    decoded: np.ndarray
    data: bytes
    n_bytes: int
    bpp: float
    quality: int
    subsampling: str


def roundtrip(image: np.ndarray, quality: int, *, subsampling: str = "4:2:0") -> RoundTrip:
    """Encode ``image`` as a baseline JPEG with libjpeg (via Pillow) and decode it again.

    Parameters
    ----------
    image : numpy.ndarray
        uint8, (H, W) greyscale or (H, W, 3) RGB.
    quality : int
        1 (smallest file) to 100 (largest); the IJG scaling of the standard tables.
    subsampling : {"4:2:0", "4:2:2", "4:4:4"}, keyword-only
        Chroma subsampling for colour images.

    Returns
    -------
    RoundTrip

    Raises
    ------
    TypeError
        If ``image`` is not uint8 or ``quality`` is not an integer.
    ValueError
        If the shape, quality or subsampling is not allowed.

    Notes
    -----
    ``bpp = 8 * n_bytes / (H * W)``. The file is baseline sequential with the
    standard Huffman tables (``optimize=False``), as most cameras write it.

    Examples
    --------
    >>> flat = np.full((16, 16), 128, dtype=np.uint8)
    >>> rt = roundtrip(flat, 75)
    >>> rt.data[:2], rt.decoded.shape, bool((rt.decoded == 128).all())
    (b'\\xff\\xd8', (16, 16), True)
    >>> rt.bpp == 8 * rt.n_bytes / 256
    True
    """
    array = _check_image(image)
    quality = _check_quality(quality)
    subsampling = _check_subsampling(subsampling)
    buffer = io.BytesIO()
    Image.fromarray(array).save(
        buffer, format="JPEG", quality=quality, subsampling=subsampling,
        optimize=False, progressive=False,
    )
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as im:
        decoded = np.asarray(im.convert("L" if array.ndim == 2 else "RGB"))
    return RoundTrip(
        decoded=decoded, data=data, n_bytes=len(data),
        bpp=8 * len(data) / (array.shape[0] * array.shape[1]),
        quality=quality, subsampling=subsampling,
    )


def png_bytes(image: np.ndarray) -> bytes:
    """Encode ``image`` losslessly as PNG (Pillow, default compression level 6).

    The size of this file is the lossless yardstick the JPEG sizes are compared with.

    Examples
    --------
    >>> png_bytes(np.zeros((4, 4), dtype=np.uint8))[:4]
    b'\\x89PNG'
    """
    buffer = io.BytesIO()
    Image.fromarray(_check_image(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def _check_pair(reference: object, test: object) -> tuple[np.ndarray, np.ndarray]:
    ref, tst = np.asarray(reference), np.asarray(test)
    if ref.shape != tst.shape:
        raise ValueError(
            f"reference and test must have the same shape, got {ref.shape} and {tst.shape}"
        )
    return ref, tst


def _check_data_range(data_range: float) -> float:
    if not (isinstance(data_range, (int, float)) and data_range > 0):
        raise ValueError(
            f"data_range must be a positive number (255 for uint8), got {data_range!r}"
        )
    return float(data_range)


def psnr_db(reference: np.ndarray, test: np.ndarray, *, data_range: float) -> float:
    """Peak signal-to-noise ratio in decibels, ``inf`` for identical images.

    Parameters
    ----------
    reference, test : numpy.ndarray
        Same shape.
    data_range : float, keyword-only
        Distance between the smallest and largest possible value: 255 for uint8.

    Raises
    ------
    ValueError
        If the shapes differ or ``data_range`` is not positive.

    Notes
    -----
    ``PSNR = 10 log10(data_range^2 / MSE)``. Written out in numpy (uint8 images in
    integer arithmetic, about 5 times faster than ``skimage.metrics.peak_signal_noise_ratio``,
    which the tests use as the oracle), so that a slider can afford it.

    Examples
    --------
    >>> a = np.zeros((8, 8), dtype=np.uint8)
    >>> round(psnr_db(a, a + 1, data_range=255), 2)
    48.13
    """
    ref, tst = _check_pair(reference, test)
    data_range = _check_data_range(data_range)
    if ref.dtype == np.uint8 and tst.dtype == np.uint8:
        diff = (ref.astype(np.int16) - tst).ravel()  # exact; its square fits in int32
        mse = int(np.square(diff, dtype=np.int32).sum(dtype=np.int64)) / diff.size
    else:
        mse = float(np.mean((ref.astype(np.float64) - tst.astype(np.float64)) ** 2))
    if mse == 0:
        return math.inf
    return float(10 * np.log10(data_range**2 / mse))


def ssim(reference: np.ndarray, test: np.ndarray, *, data_range: float) -> float:
    """Structural similarity (scikit-image, 7x7 window); colour images average their channels.

    Parameters
    ----------
    reference, test : numpy.ndarray
        Same shape, (H, W) or (H, W, 3), both sides at least 7 pixels.
    data_range : float, keyword-only
        255 for uint8.

    Raises
    ------
    ValueError
        If the shapes differ, an image is smaller than 7x7, or ``data_range`` is not positive.

    Notes
    -----
    Per 7x7 window, ``SSIM = (2 mu_x mu_y + C1)(2 s_xy + C2)
    / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))``, averaged over the image
    (Wang et al. 2004). Costs about 0.1 s for a 512x512 RGB image.

    Examples
    --------
    >>> a = np.arange(64, dtype=np.uint8).reshape(8, 8)
    >>> ssim(a, a, data_range=255)
    1.0
    """
    from skimage.metrics import structural_similarity

    ref, tst = _check_pair(reference, test)
    data_range = _check_data_range(data_range)
    if min(ref.shape[:2]) < 7:
        raise ValueError(
            f"SSIM needs images of at least 7x7 pixels (its window), got {ref.shape[:2]}"
        )
    channel_axis = -1 if ref.ndim == 3 else None
    return float(structural_similarity(ref, tst, data_range=data_range, channel_axis=channel_axis))


@dataclass(frozen=True)
class RateDistortion:
    """Rate and distortion of one image at several qualities (arrays aligned with ``qualities``)."""

    qualities: np.ndarray
    n_bytes: np.ndarray
    bpp: np.ndarray
    psnr_db: np.ndarray
    ssim: np.ndarray  # NaN where not computed


def rate_distortion(
    image: np.ndarray,
    qualities: Sequence[int] = RD_QUALITIES,
    *,
    subsampling: str = "4:2:0",
    with_ssim: bool = True,
) -> RateDistortion:
    """Round-trip ``image`` at each quality and measure size, PSNR and (optionally) SSIM.

    Examples
    --------
    >>> from lossylab.data import sample_image
    >>> rd = rate_distortion(sample_image("camera")[:64, :64], [10, 90], with_ssim=False)
    >>> bool(rd.bpp[0] < rd.bpp[1] and rd.psnr_db[0] < rd.psnr_db[1])
    True
    """
    rows = []
    for quality in qualities:
        rt = roundtrip(image, quality, subsampling=subsampling)
        score = ssim(image, rt.decoded, data_range=255) if with_ssim else math.nan
        rows.append((rt.quality, rt.n_bytes, rt.bpp, psnr_db(image, rt.decoded, data_range=255),
                     score))
    q, n, b, p, s = (np.array(col) for col in zip(*rows, strict=True))
    return RateDistortion(qualities=q, n_bytes=n, bpp=b, psnr_db=p, ssim=s)


@dataclass(frozen=True)
class GenerationLoss:
    """Re-encoding a decoded JPEG again and again (arrays indexed by generation 1..n)."""

    decoded: tuple[np.ndarray, ...]
    n_bytes: np.ndarray
    psnr_db: np.ndarray  # against the original
    changed_fraction: np.ndarray  # fraction of pixel values that changed since the last generation


def generation_loss(
    image: np.ndarray, quality: int, n_generations: int, *, subsampling: str = "4:2:0",
    shift_px: int = 0,
) -> GenerationLoss:
    """Encode, decode, and encode the decoded image again, ``n_generations`` times.

    Parameters
    ----------
    image : numpy.ndarray
        uint8, (H, W) or (H, W, 3).
    quality : int
    n_generations : int
        At least 1.
    subsampling : str, keyword-only
    shift_px : int, keyword-only
        Move the 8x8 grid by this many pixels (down and right, cyclically) at every
        generation, as cropping a few pixels before re-saving would; 0 keeps it fixed.

    Returns
    -------
    GenerationLoss

    Notes
    -----
    With a fixed grid the decode-encode map is almost idempotent: after a few
    generations almost no pixel changes any more (``changed_fraction`` reaches 0).
    With a moving grid every generation quantizes new block contents and the
    loss keeps compounding.

    Examples
    --------
    >>> from lossylab.data import sample_image
    >>> g = generation_loss(sample_image("camera")[:64, :64], 50, 3)
    >>> len(g.decoded), bool(g.psnr_db[0] >= g.psnr_db[-1] - 0.5)
    (3, True)
    """
    if isinstance(n_generations, bool) or not isinstance(n_generations, (int, np.integer)) \
            or n_generations < 1:
        raise ValueError(f"n_generations must be a positive integer, got {n_generations!r}")
    original = _check_image(image)
    current, decoded, n_bytes, changed = original, [], [], []
    for generation in range(n_generations):
        offset = (generation * shift_px) % BLOCK
        rt = roundtrip(np.roll(current, offset, axis=(0, 1)), quality, subsampling=subsampling)
        new = np.roll(rt.decoded, -offset, axis=(0, 1))
        changed.append(float(np.mean(new != current)))
        decoded.append(new)
        n_bytes.append(rt.n_bytes)
        current = new
    psnr = [psnr_db(original, d, data_range=255) for d in decoded]
    return GenerationLoss(decoded=tuple(decoded), n_bytes=np.array(n_bytes),
                          psnr_db=np.array(psnr), changed_fraction=np.array(changed))


# Cached views of the bundled photographs, for sliders (each call after the first is free).


@cache
def photograph(name: str) -> np.ndarray:
    """A bundled photograph (see :data:`PHOTOGRAPHS`), cached and read-only."""
    from lossylab.data import sample_image

    image = sample_image(name)
    image.setflags(write=False)
    return image


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


# --- 2. loading any image ---------------------------------------------------------------


class ImageLoadError(ValueError):
    """The input could not be turned into an image; the message says why and what to do."""


@dataclass(frozen=True)
class LoadedImage:
    """An image ready for :func:`roundtrip`, with a record of what was done to it.

    Attributes
    ----------
    pixels : numpy.ndarray
        uint8, (H, W) greyscale or (H, W, 3) RGB, upright.
    notes : tuple of str
        Each conversion made, in plain words (e.g. "composited RGBA on white").
    format : str
        The file format Pillow detected ("PNG", "JPEG", ...).
    mode : str
        Pillow's mode of the file before conversion ("RGBA", "CMYK", "I;16", ...).
    """

    pixels: np.ndarray
    notes: tuple[str, ...]
    format: str
    mode: str


def _read_bytes(file_or_bytes: object) -> bytes:
    if isinstance(file_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(file_or_bytes)
    elif isinstance(file_or_bytes, (str, os.PathLike)):
        with open(file_or_bytes, "rb") as handle:
            data = handle.read()
    elif hasattr(file_or_bytes, "read"):
        data = file_or_bytes.read()  # type: ignore[union-attr]
        if not isinstance(data, bytes):
            raise TypeError("the file object must be opened in binary mode ('rb')")
    else:
        raise TypeError(
            "file_or_bytes must be bytes, a path, or a binary file object, "
            f"got {type(file_or_bytes).__name__}"
        )
    if not data:
        raise ImageLoadError("the file is empty (0 bytes): choose the file again or re-export it")
    return data


def _damaged(what: str, err: BaseException) -> ImageLoadError:
    return ImageLoadError(
        f"the {what} file is truncated or damaged and could not be read "
        f"({type(err).__name__}: {err}); re-export or re-download it"
    )


# Pillow's format parsers raise many exception types on damaged input (OSError, SyntaxError,
# ValueError, EOFError, struct.error, IndexError, ...). A loader that must never show a
# traceback turns every one of them into an ImageLoadError, hence the broad excepts below.


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily, refuse by header size, then decode; every failure an ImageLoadError."""
    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"the image is enormous (Pillow refused to open it), far above max_pixels="
            f"{max_pixels:,}: downscale it (e.g. to 1024x1024) and try again"
        ) from None
    except UnidentifiedImageError:
        raise ImageLoadError(
            f"this is not an image Pillow can read ({len(data):,} bytes starting "
            f"{data[:8]!r}): upload a JPEG, PNG, GIF, BMP, TIFF or WebP file"
        ) from None
    except Exception as err:  # a damaged header
        raise _damaged("image", err) from None
    width, height = im.size
    if width * height > max_pixels:
        raise ImageLoadError(
            f"the image is {width}x{height} = {width * height:,} pixels, above the limit of "
            f"max_pixels={max_pixels:,}; it was not decoded. Downscale it first, "
            "or pass a larger max_pixels if you have the memory"
        )
    try:
        im.load()
    except Exception as err:  # truncated or corrupt pixel data
        raise _damaged(im.format or "image", err) from None
    return im


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    try:
        orientation = im.getexif().get(0x0112, 1)  # EXIF Orientation tag
    except Exception:  # a damaged EXIF block: the pixels are still fine
        notes.append("EXIF data unreadable: orientation not applied")
        return im
    if orientation in (2, 3, 4, 5, 6, 7, 8):
        im = ImageOps.exif_transpose(im)
        notes.append(f"rotated/flipped upright following its EXIF orientation ({orientation})")
    return im


def _on_white(im: Image.Image, notes: list[str], what: str) -> Image.Image:
    rgba = im.convert("RGBA")
    low, _ = rgba.getchannel("A").getextrema()
    grey = im.mode in ("LA", "La")
    if low == 255:
        notes.append(f"{what}: fully opaque, transparency dropped")
    else:
        notes.append(f"{what}: composited on white (JPEG has no transparency)")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat = Image.alpha_composite(white, rgba)
    return flat.convert("L" if grey else "RGB")


def _sixteen_bit(im: Image.Image, notes: list[str]) -> Image.Image:
    values = np.asarray(im).astype(np.int64)  # (H, W)
    if values.min() < 0 or values.max() > 65535:
        raise ImageLoadError(
            f"the {im.mode} image has values from {values.min()} to {values.max()}, outside "
            "16-bit range; save it as an 8-bit PNG or JPEG"
        )
    notes.append(f"16-bit greyscale ({im.mode}) reduced to 8 bits")
    return Image.fromarray(np.round(values / 257).astype(np.uint8))


def _to_8bit(im: Image.Image, notes: list[str]) -> Image.Image:
    """Convert any Pillow mode to "L" or "RGB", recording what was done."""
    mode = im.mode
    if mode in ("L", "RGB"):
        notes.append("greyscale: kept as one channel" if mode == "L" else "RGB: used as is")
        return im
    if mode in ("RGBA", "RGBa", "LA", "La", "PA"):
        return _on_white(im, notes, f"{mode} image")
    if mode == "P":
        if "transparency" in im.info:
            return _on_white(im, notes, "palette image with transparency")
        notes.append("palette image expanded to RGB")
        return im.convert("RGB")
    if mode == "1":
        notes.append("1-bit black-and-white image converted to greyscale")
        return im.convert("L")
    if mode.startswith("I"):
        return _sixteen_bit(im, notes)
    if mode in ("CMYK", "YCbCr"):
        notes.append(f"{mode} converted to RGB (no colour profile applied: colours may shift)")
        return im.convert("RGB")
    raise ImageLoadError(
        f"images in Pillow mode {mode!r} are not supported; save it as an 8-bit RGB or "
        "greyscale PNG or JPEG"
    )


def load_image(
    file_or_bytes: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> LoadedImage:
    """Read any image file into an upright uint8 greyscale or RGB array, or refuse clearly.

    The pixel count is checked from the header *before* decoding (Pillow opens
    lazily), so an enormous image is refused without ever being held in memory.

    Parameters
    ----------
    file_or_bytes : bytes, path, or binary file object
        E.g. the ``content`` of an ``ipywidgets.FileUpload`` value.
    max_pixels : int, keyword-only
        Largest width * height accepted (4,000,000 by default).

    Returns
    -------
    LoadedImage
        ``.pixels`` plus ``.notes`` saying what was converted: CMYK to RGB, 16-bit
        to 8-bit, palette expanded, RGBA/LA composited on white, EXIF rotation
        applied, first frame of an animation taken.

    Raises
    ------
    ImageLoadError
        (a ValueError) for empty, non-image, truncated, too large or unsupported input.
    TypeError
        If ``file_or_bytes`` is of another type.

    Examples
    --------
    >>> loaded = load_image(png_bytes(np.zeros((20, 30), dtype=np.uint8)))
    >>> loaded.pixels.shape, loaded.format, loaded.notes
    ((20, 30), 'PNG', ('greyscale: kept as one channel',))
    >>> load_image(b"hello")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lossylab.images.ImageLoadError: this is not an image Pillow can read (5 bytes ...
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    data = _read_bytes(file_or_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check size ourselves
        im = _open(data, max_pixels)
    notes: list[str] = []
    n_frames = getattr(im, "n_frames", 1)
    if n_frames > 1:
        notes.append(f"animated image: the first of its {n_frames} frames is used")
    file_format, mode = im.format or "unknown", im.mode
    im = _to_8bit(_upright(im, notes), notes)
    pixels = np.array(im)  # (H, W) or (H, W, 3) uint8
    if min(pixels.shape[:2]) < 8:
        notes.append(f"tiny image ({pixels.shape[1]}x{pixels.shape[0]}): JPEG pads it to 8x8 "
                     "blocks; SSIM needs at least 7x7 and is not defined")
    return LoadedImage(pixels=pixels, notes=tuple(notes), format=file_format, mode=mode)


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
            "crop with lossylab.images.luma"
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


@cache
def sample_block_pool(names: tuple[str, ...] = PHOTOGRAPHS, *, with_faces: bool = True
                      ) -> BlockPool:
    """The p_true of notebook 04: luma blocks of the photographs and of the 200 faces, cached.

    With the defaults: 20,054 blocks, 18,254 from the five photographs, 1,800 from faces.
    """
    groups = [luma(photograph(name)) for name in names]
    return block_pool(groups + ([faces()] if with_faces else []))


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
