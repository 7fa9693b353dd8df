"""Real JPEG round trips and their numbers, the Gaussian bound, and a careful image loader.

A JPEG encoder followed by its decoder is a deterministic channel p(x'|x): it pushes p_true
forward, many images land on the same x', and entropy can only drop. Everything here uses the
*real* codec, libjpeg through Pillow (baseline, standard tables): round trips, PSNR and SSIM,
the R(D) of a Gaussian model (:func:`gaussian_rd`), and :func:`load_image`, which turns any
upload into a uint8 array or refuses it with an :class:`ImageLoadError` that says what to do.
Left out: colour profiles and metadata are dropped; only baseline JPEG is written.

References: ITU-T T.81 (1992). Wang et al. (2004), "Image quality assessment: from error
visibility to structural similarity". Cover and Thomas, "Elements of Information Theory",
10.3.3 (reverse water-filling).
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
           "gaussian_rd", "generation_loss", "load_image", "psnr_db", "rate_distortion",
           "roundtrip", "ssim"]

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

    ``image``: uint8, (H, W) or (H, W, 3) (else a TypeError or ValueError); ``quality`` 1 to
    100; ``subsampling`` of :data:`SUBSAMPLINGS`. Returns ``.data`` (the file), ``.decoded``,
    ``.n_bytes`` (headers included), ``.bpp`` (``8 n_bytes / (H W)``), ``.quality`` and
    ``.subsampling``.

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

    ``PSNR = 10 log10(data_range^2 / MSE)`` for two arrays of one shape; ``data_range`` > 0
    (255 for uint8). Exact integer sums for uint8, fast enough for a slider.

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

    Per 7x7 window ``(2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2
    + C2))``, averaged; sides >= 7 (else a ValueError). About 0.1 s for 512x512 RGB.

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

    SSIM costs about 0.1 s per point; with ``with_ssim=False`` ``.ssim`` is NaN.

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


@dataclass(frozen=True, eq=False)
class _GaussianRD:
    """The rate-distortion function of a Gaussian model (fields: see :func:`gaussian_rd`)."""

    variances: np.ndarray
    n_channels: int
    bpp: np.ndarray
    psnr_db: np.ndarray

    def psnr_at(self, bpp: object) -> np.ndarray:
        """The model's best PSNR at ``bpp`` bits per pixel."""
        return np.interp(np.asarray(bpp, dtype=np.float64), self.bpp, self.psnr_db)


def gaussian_rd(image: np.ndarray) -> _GaussianRD:
    """R(D) of a Gaussian model of an image's 8x8 DCT coefficients, by reverse water-filling.

    Each DCT coefficient of the image's whole 8x8 blocks (for colour, R, G, B are rotated into
    uncorrelated channels at each frequency, which keeps the MSE) is an independent Gaussian
    of variance ``s_i``. For a level ``t``: ``D = mean_i min(t, s_i)`` per value and ``R =
    sum_i max(0, log2(s_i / t) / 2)`` bits per block of 64 pixels. The Gaussian is the hardest
    source with these variances: a coder that uses more than the variances can beat it.

    Returns ``.variances`` (descending), ``.n_channels``, the curve ``.bpp`` and ``.psnr_db``
    (0.01 to 12 bpp) and ``.psnr_at(bpp)`` (interpolated).

    Examples
    --------
    >>> rd = gaussian_rd(np.random.default_rng(0).integers(0, 256, (64, 64), dtype=np.uint8))
    >>> round(float(rd.psnr_at(2.0) - rd.psnr_at(1.0)), 2)  # 6.02 dB per bit per sample
    6.02
    """
    array = _check_image(image)
    planes = array[..., None] if array.ndim == 2 else array  # (h, w, c)
    h, w = planes.shape[0] // jpeg.BLOCK * jpeg.BLOCK, planes.shape[1] // jpeg.BLOCK * jpeg.BLOCK
    if h == 0 or w == 0:
        raise ValueError(f"image must hold at least one 8x8 block, got {array.shape}")
    blocks = jpeg.blockify(np.moveaxis(planes[:h, :w], -1, 0))  # (c, n_by, n_bx, 8, 8)
    # libjpeg's DCT is 8 times an integer: the sums below are exact, in any order, on any CPU
    x = np.rint(8 * jpeg.dct2(blocks, method="libjpeg")).astype(np.int64)
    x = x.reshape(x.shape[0], -1, 64)  # (c, n_blocks, 64)
    n = x.shape[1]
    sums = x.sum(axis=1)  # (c, 64)
    products = np.stack([[(x[a] * x[b]).sum(axis=0) for b in range(len(x))]
                         for a in range(len(x))])  # (c, c, 64)
    cov = (n * products - sums[:, None] * sums[None]) / (64.0 * n * n)
    return _water_filling(np.linalg.eigvalsh(np.moveaxis(cov, -1, 0)).ravel(), len(x))


def _water_filling(variances: np.ndarray, n_channels: int) -> _GaussianRD:
    """Reverse water-filling over independent Gaussians (64 * n_channels per 8x8 block)."""
    variances = np.sort(np.asarray(variances, dtype=np.float64))[::-1]
    s = np.maximum(variances, 1e-9)
    levels = np.geomspace(s[0], s[0] * 1e-12, 1200)  # from almost no rate to very high
    distortion = np.minimum(levels[:, None], s).mean(axis=1)
    bits = np.maximum(0.0, 0.5 * np.log2(s / levels[:, None])).sum(axis=1) / 64
    keep = (bits >= 0.01) & (bits <= 12)
    variances.setflags(write=False)
    return _GaussianRD(variances, n_channels, bits[keep],
                       10 * np.log10(255.0**2 / distortion[keep]))


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

    With a fixed grid the map is almost idempotent (``changed_fraction`` reaches 0);
    ``shift_px`` moves the 8x8 grid by that many pixels (cyclically) at every generation, as
    cropping before re-saving would, and the loss compounds. Returns, per generation 1..n,
    ``.decoded`` (a tuple), ``.n_bytes``, ``.psnr_db`` (against the original) and
    ``.changed_fraction`` (of values changed since the generation before).

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


def _read_bytes(source: object) -> bytes:
    """The bytes of an upload, a path or a binary file; empty input is an ImageLoadError."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            source = handle.read()
    elif hasattr(source, "read"):
        source = source.read()  # type: ignore[union-attr]
        if not isinstance(source, bytes):
            raise TypeError("the file object must be opened in binary mode ('rb')")
    if not isinstance(source, (bytes, bytearray, memoryview)):
        raise TypeError("file_or_bytes must be bytes, a path, or a binary file object, "
                        f"got {type(source).__name__}")
    if not source:
        raise ImageLoadError("the file is empty (0 bytes): choose the file again or re-export it")
    return bytes(source)


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily, refuse by header size, then decode; every failure an ImageLoadError."""
    # Pillow's parsers raise many exception types on damaged input (OSError, SyntaxError,
    # EOFError, struct.error, IndexError, ...): hence the broad excepts.
    def damaged(what: str, err: BaseException) -> ImageLoadError:
        return ImageLoadError(f"the {what} file is truncated or damaged and could not be read "
                              f"({type(err).__name__}: {err}); re-export or re-download it")
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
        raise damaged("image", err) from None
    width, height = im.size
    if width * height > max_pixels:
        raise ImageLoadError(
            f"the image is {width}x{height} = {width * height:,} pixels, above the limit of "
            f"max_pixels={max_pixels:,}; it was not decoded. Downscale it first, "
            "or pass a larger max_pixels if you have the memory")
    try:
        im.load()
    except Exception as err:  # truncated or corrupt pixel data
        raise damaged(im.format or "image", err) from None
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


def _to_8bit(im: Image.Image, notes: list[str]) -> Image.Image:
    """Convert any Pillow mode to "L" or "RGB", recording what was done."""
    mode = im.mode
    if mode in ("L", "RGB"):
        notes.append("greyscale: kept as one channel" if mode == "L" else "RGB: used as is")
        return im
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or (mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        what = "palette image with transparency" if mode == "P" else f"{mode} image"
        notes.append(f"{what}: fully opaque, transparency dropped"
                     if rgba.getchannel("A").getextrema()[0] == 255
                     else f"{what}: composited on white (JPEG has no transparency)")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L" if mode in ("LA", "La") else "RGB")
    if mode.startswith("I"):  # 16-bit greyscale: divide by 257, round
        values = np.asarray(im).astype(np.int64)  # (H, W)
        if values.min() < 0 or values.max() > 65535:
            raise ImageLoadError(
                f"the {mode} image has values from {values.min()} to {values.max()}, outside "
                "16-bit range; save it as an 8-bit PNG or JPEG")
        notes.append(f"16-bit greyscale ({mode}) reduced to 8 bits")
        return Image.fromarray(np.round(values / 257).astype(np.uint8))
    conversions = {"P": ("RGB", "palette image expanded to RGB"),
                   "1": ("L", "1-bit black-and-white image converted to greyscale"),
                   "CMYK": ("RGB", "CMYK converted to RGB (no colour profile applied: colours "
                            "may shift)"),
                   "YCbCr": ("RGB", "YCbCr converted to RGB (no colour profile applied: "
                             "colours may shift)")}
    if mode not in conversions:
        raise ImageLoadError(f"images in Pillow mode {mode!r} are not supported; save it as an "
                             "8-bit RGB or greyscale PNG or JPEG")
    notes.append(conversions[mode][1])
    return im.convert(conversions[mode][0])


def load_image(file_or_bytes: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO,
               *, max_pixels: int = DEFAULT_MAX_PIXELS) -> _LoadedImage:
    """Read any image file into an upright uint8 greyscale or RGB array, or refuse clearly.

    ``file_or_bytes``: bytes (e.g. a ``FileUpload``'s content), a path or a binary file (else a
    TypeError); ``max_pixels``: largest width * height, checked from the header *before*
    decoding. Returns ``.pixels`` (uint8, upright), ``.notes`` (each conversion, in words),
    ``.format`` and ``.mode`` (Pillow's, before); an :class:`ImageLoadError` (a ValueError) for
    empty, non-image, truncated, too large or unsupported input.

    Examples
    --------
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (30, 20)).save(buffer, format="PNG")
    >>> loaded = load_image(buffer.getvalue())
    >>> loaded.pixels.shape, loaded.format, loaded.notes
    ((20, 30), 'PNG', ('greyscale: kept as one channel',))
    """
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int) or max_pixels < 1:
        raise ValueError(f"max_pixels must be a positive integer, got {max_pixels!r}")
    data = _read_bytes(file_or_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we check size ourselves
        im = _open(data, max_pixels)
    n_frames = getattr(im, "n_frames", 1)
    notes = [f"animated image: the first of its {n_frames} frames is used"] if n_frames > 1 else []
    file_format, mode = im.format or "unknown", im.mode
    pixels = np.array(_to_8bit(_upright(im, notes), notes))  # (H, W) or (H, W, 3) uint8
    if min(pixels.shape[:2]) < 8:
        notes.append(f"tiny image ({pixels.shape[1]}x{pixels.shape[0]}): JPEG pads it to 8x8 "
                     "blocks; SSIM needs at least 7x7 and is not defined")
    return _LoadedImage(pixels=pixels, notes=tuple(notes), format=file_format, mode=mode)
