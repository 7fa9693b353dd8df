"""Real JPEG round trips, their numbers, and a careful image loader.

A JPEG encoder followed by its decoder is a deterministic channel p(x'|x) from images to
images: it pushes p_true forward to ``p_compressed(x') = sum_x p(x'|x) p_true(x)``, many
images land on the same x', and entropy can only drop. Everything here uses the *real* codec,
libjpeg through Pillow (baseline, standard IJG tables, no Huffman optimisation): round trips
and their numbers (PSNR in numpy, SSIM from scikit-image), and :func:`load_image`, which turns
any upload into a uint8 array or refuses it with an :class:`ImageLoadError` that says what to
do. The same map on the distribution of 8x8 blocks is :mod:`lossylab.blockstats`.

What this version leaves out: colour profiles (ICC) and metadata are dropped; only baseline
sequential JPEG is written.

References
----------
ITU-T T.81 (1992), the JPEG standard. Independent JPEG Group, libjpeg. Wang, Bovik, Sheikh
and Simoncelli (2004), "Image quality assessment: from error visibility to structural
similarity", IEEE Trans. Image Processing 13(4).
"""

from __future__ import annotations

import io
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from lossylab import jpeg

__all__ = ["DEFAULT_MAX_PIXELS", "SUBSAMPLINGS", "ImageLoadError", "RateDistortion",
           "generation_loss", "load_image", "psnr_db", "rate_distortion", "roundtrip", "ssim"]

SUBSAMPLINGS = (*jpeg.SUBSAMPLINGS, "4:2:2")  # Pillow (libjpeg) also writes 4:2:2
DEFAULT_MAX_PIXELS = 4_000_000  # 4 megapixels: e.g. 2000x2000; a 12 MP phone photo is refused

# --- 1. round trips ---------------------------------------------------------------------

def _check_image(image: object) -> np.ndarray:
    """Return ``image`` as a uint8 array (H, W) or (H, W, 3), or raise a helpful error."""
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(
            f"image must be a uint8 array, got dtype {array.dtype}; "
            "convert with np.clip(image, 0, 255).astype(np.uint8)")
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] == 3)) or 0 in array.shape:
        raise ValueError(
            f"image must have shape (H, W) or (H, W, 3) with H, W >= 1, got {array.shape}; "
            "drop an alpha channel with image[..., :3] or use load_image")
    return array


@dataclass(frozen=True)
class _RoundTrip:
    """One real JPEG encode and decode (fields: see :func:`roundtrip`)."""

    decoded: np.ndarray
    data: bytes
    n_bytes: int
    bpp: float
    quality: int
    subsampling: str


def roundtrip(image: np.ndarray, quality: int, *, subsampling: str = "4:2:0") -> _RoundTrip:
    """Encode ``image`` as a baseline JPEG with libjpeg (via Pillow) and decode it again.

    Parameters
    ----------
    image : numpy.ndarray
        uint8, (H, W) greyscale or (H, W, 3) RGB (else a TypeError or ValueError).
    quality : int
        1 (smallest file) to 100 (largest), checked by :func:`lossylab.jpeg.check_quality`.
    subsampling : {"4:2:0", "4:4:4", "4:2:2"}, keyword-only
        Chroma subsampling for colour images (:data:`SUBSAMPLINGS`; else a ValueError).

    Returns
    -------
    round_trip
        ``.data`` (the JPEG file), ``.decoded`` (uint8, the input's shape: what libjpeg decodes
        from it), ``.n_bytes`` (``len(data)``, headers included), ``.bpp`` (bits per pixel,
        ``8 * n_bytes / (H * W)``), ``.quality`` and ``.subsampling``.

    Examples
    --------
    >>> rt = roundtrip(np.full((16, 16), 128, dtype=np.uint8), 75)
    >>> rt.data[:2], rt.decoded.shape, bool((rt.decoded == 128).all())
    (b'\\xff\\xd8', (16, 16), True)
    """
    array = _check_image(image)
    quality = jpeg.check_quality(quality)
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(
            f"subsampling must be one of {', '.join(SUBSAMPLINGS)}, got {subsampling!r}")
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=quality, subsampling=subsampling,
                                optimize=False, progressive=False)
    data = buffer.getvalue()
    with Image.open(io.BytesIO(data)) as im:
        decoded = np.asarray(im.convert("L" if array.ndim == 2 else "RGB"))
    return _RoundTrip(decoded=decoded, data=data, n_bytes=len(data),
                      bpp=8 * len(data) / (array.shape[0] * array.shape[1]),
                      quality=quality, subsampling=str(subsampling))


def _check_pair(reference: object, test: object, data_range: float
                ) -> tuple[np.ndarray, np.ndarray, float]:
    """Two arrays of the same shape and a positive ``data_range`` (a float), or a ValueError."""
    ref, tst = np.asarray(reference), np.asarray(test)
    if ref.shape != tst.shape:
        raise ValueError(
            f"reference and test must have the same shape, got {ref.shape} and {tst.shape}")
    if not (isinstance(data_range, (int, float)) and data_range > 0):
        raise ValueError(
            f"data_range must be a positive number (255 for uint8), got {data_range!r}")
    return ref, tst, float(data_range)


def psnr_db(reference: np.ndarray, test: np.ndarray, *, data_range: float) -> float:
    """Peak signal-to-noise ratio in decibels, ``inf`` for identical images.

    ``PSNR = 10 log10(data_range^2 / MSE)`` for two arrays of the same shape; ``data_range``
    (> 0, else a ValueError) is the largest possible value minus the smallest, 255 for uint8.
    In numpy (uint8 in integers, 5 times faster than scikit-image's), so a slider can afford it.

    Examples
    --------
    >>> a = np.zeros((8, 8), dtype=np.uint8)
    >>> round(psnr_db(a, a + 1, data_range=255), 2)
    48.13
    """
    ref, tst, data_range = _check_pair(reference, test, data_range)
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

    Per 7x7 window ``SSIM = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)
    (s_x^2 + s_y^2 + C2))``, averaged over the image (Wang et al. 2004), for two arrays of the
    same shape, sides >= 7 (else a ValueError); ``data_range`` is 255 for uint8. About 0.1 s
    for 512x512 RGB.

    Examples
    --------
    >>> a = np.arange(64, dtype=np.uint8).reshape(8, 8)
    >>> ssim(a, a, data_range=255)
    1.0
    """
    from skimage.metrics import structural_similarity
    ref, tst, data_range = _check_pair(reference, test, data_range)
    if min(ref.shape[:2]) < 7:
        raise ValueError(
            f"SSIM needs images of at least 7x7 pixels (its window), got {ref.shape[:2]}")
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


def rate_distortion(image: np.ndarray, qualities: Sequence[int] = tuple(range(5, 96, 10)), *,
                    subsampling: str = "4:2:0", with_ssim: bool = True) -> RateDistortion:
    """Round-trip ``image`` at each quality and measure size, PSNR and (optionally) SSIM.

    ``image`` is uint8 (H, W) or (H, W, 3); SSIM costs about 0.1 s per point, and without it
    (``with_ssim=False``) ``.ssim`` is NaN. Returns a :class:`RateDistortion`.

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
class _GenerationLoss:
    """Re-encoding a decoded JPEG again and again (fields: see :func:`generation_loss`)."""

    decoded: tuple[np.ndarray, ...]
    n_bytes: np.ndarray
    psnr_db: np.ndarray
    changed_fraction: np.ndarray


def generation_loss(image: np.ndarray, quality: int, n_generations: int, *,
                    subsampling: str = "4:2:0", shift_px: int = 0) -> _GenerationLoss:
    """Encode, decode, and encode the decoded image again, ``n_generations`` (>= 1) times.

    With a fixed grid the decode-encode map is almost idempotent: after a few generations
    almost no pixel changes (``changed_fraction`` reaches 0). ``shift_px`` moves the 8x8 grid
    by that many pixels (down and right, cyclically) at every generation, as cropping before
    re-saving would: every generation then quantizes new block contents, and the loss compounds.

    Returns
    -------
    generations
        Per generation 1..n: ``.decoded`` (a tuple of images), and arrays ``.n_bytes``,
        ``.psnr_db`` (against the original) and ``.changed_fraction`` (of pixel values changed
        since the generation before).

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
        offset = (generation * shift_px) % jpeg.BLOCK
        rt = roundtrip(np.roll(current, offset, axis=(0, 1)), quality, subsampling=subsampling)
        new = np.roll(rt.decoded, -offset, axis=(0, 1))
        changed.append(float(np.mean(new != current)))
        decoded.append(new)
        n_bytes.append(rt.n_bytes)
        current = new
    psnr = [psnr_db(original, d, data_range=255) for d in decoded]
    return _GenerationLoss(decoded=tuple(decoded), n_bytes=np.array(n_bytes),
                           psnr_db=np.array(psnr), changed_fraction=np.array(changed))


# --- 2. loading any image ---------------------------------------------------------------

class ImageLoadError(ValueError):
    """The input could not be turned into an image; the message says why and what to do."""


@dataclass(frozen=True)
class _LoadedImage:
    """An image ready for :func:`roundtrip` (fields: see :func:`load_image`)."""

    pixels: np.ndarray
    notes: tuple[str, ...]
    format: str
    mode: str


def _read_bytes(file_or_bytes: object) -> bytes:
    """The bytes of an upload, a path or a binary file; empty input is an ImageLoadError."""
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
        raise TypeError("file_or_bytes must be bytes, a path, or a binary file object, "
                        f"got {type(file_or_bytes).__name__}")
    if not data:
        raise ImageLoadError("the file is empty (0 bytes): choose the file again or re-export it")
    return data


def _damaged(what: str, err: BaseException) -> ImageLoadError:
    """The error for a file Pillow could not parse."""
    return ImageLoadError(
        f"the {what} file is truncated or damaged and could not be read "
        f"({type(err).__name__}: {err}); re-export or re-download it")


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily, refuse by header size, then decode; every failure an ImageLoadError."""
    # Pillow's parsers raise many exception types on damaged input (OSError, SyntaxError,
    # EOFError, struct.error, IndexError, ...): a loader that must never show a traceback
    # turns every one into an ImageLoadError, hence the broad excepts.
    try:
        im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:
        raise ImageLoadError(
            f"the image is enormous (Pillow refused to open it), far above max_pixels="
            f"{max_pixels:,}: downscale it (e.g. to 1024x1024) and try again") from None
    except UnidentifiedImageError:
        raise ImageLoadError(
            f"this is not an image Pillow can read ({len(data):,} bytes starting "
            f"{data[:8]!r}): upload a JPEG, PNG, GIF, BMP, TIFF or WebP file") from None
    except Exception as err:  # a damaged header
        raise _damaged("image", err) from None
    width, height = im.size
    if width * height > max_pixels:
        raise ImageLoadError(
            f"the image is {width}x{height} = {width * height:,} pixels, above the limit of "
            f"max_pixels={max_pixels:,}; it was not decoded. Downscale it first, "
            "or pass a larger max_pixels if you have the memory")
    try:
        im.load()
    except Exception as err:  # truncated or corrupt pixel data
        raise _damaged(im.format or "image", err) from None
    return im


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation, if any."""
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
    """Composite an image with transparency on white ("L" or "RGB")."""
    rgba = im.convert("RGBA")
    low, _ = rgba.getchannel("A").getextrema()
    if low == 255:
        notes.append(f"{what}: fully opaque, transparency dropped")
    else:
        notes.append(f"{what}: composited on white (JPEG has no transparency)")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("L" if im.mode in ("LA", "La") else "RGB")


def _sixteen_bit(im: Image.Image, notes: list[str]) -> Image.Image:
    """16-bit greyscale to 8 bits (divide by 257, round)."""
    values = np.asarray(im).astype(np.int64)  # (H, W)
    if values.min() < 0 or values.max() > 65535:
        raise ImageLoadError(
            f"the {im.mode} image has values from {values.min()} to {values.max()}, outside "
            "16-bit range; save it as an 8-bit PNG or JPEG")
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
        "greyscale PNG or JPEG")


def load_image(file_or_bytes: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO,
               *, max_pixels: int = DEFAULT_MAX_PIXELS) -> _LoadedImage:
    """Read any image file into an upright uint8 greyscale or RGB array, or refuse clearly.

    Parameters
    ----------
    file_or_bytes : bytes, path, or binary file object
        E.g. the ``content`` of an ``ipywidgets.FileUpload`` value (else a TypeError).
    max_pixels : int, keyword-only
        Largest width * height accepted, checked from the header *before* decoding (Pillow
        opens lazily): an enormous image is refused without ever being held in memory.

    Returns
    -------
    loaded
        ``.pixels`` (uint8, (H, W) or (H, W, 3) RGB, upright), ``.notes`` (each conversion, in
        plain words: CMYK to RGB, 16-bit to 8-bit, palette expanded, transparency composited on
        white, EXIF rotation, first frame), ``.format`` ("PNG", "JPEG", ...) and ``.mode``
        (Pillow's mode of the file before conversion: "RGBA", "CMYK", "I;16", ...).

    Raises
    ------
    ImageLoadError
        (a ValueError) for empty, non-image, truncated, too large or unsupported input.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (30, 20)).save(buffer, format="PNG")
    >>> loaded = load_image(buffer.getvalue())
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
    return _LoadedImage(pixels=pixels, notes=tuple(notes), format=file_format, mode=mode)
