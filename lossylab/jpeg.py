"""JPEG opened up: the forward path step by step, and a baseline decoder in numpy.

A JPEG encoder (ITU-T T.81, with the JFIF colour conventions) does six things:

1. convert RGB to YCbCr (luma Y, two chroma channels Cb, Cr);
2. subsample the chroma 2x2 (4:2:0): the eye sees colour at a coarser scale than brightness;
3. shift levels to -128..127 and cut each channel into 8x8 blocks;
4. take the 2-D DCT of every block, ``F = C @ B @ C.T`` with the orthonormal DCT-II matrix C;
5. quantize: ``round(F / Q)``, with tables Q scaled by the *quality* (the IJG formula);
6. code the quantized coefficients losslessly: zig-zag order, run-lengths of zeros,
   Huffman codes.

Only step 5 (and, less, 1-2) loses information: JPEG is a deterministic, many-to-one
channel p(x'|x). Steps 1-5 are the small public functions below; :func:`decode_coefficients`
undoes step 6 by reading a real file's bytes (its segments, tables and Huffman-coded scan),
and :func:`decode` turns the coefficients back into pixels.

The lesson functions use the exact formulas (``method="float"``). libjpeg computes the same
things in fixed point; ``method="libjpeg"`` reproduces its integer arithmetic (the "islow"
DCTs, the colour tables) so that our coefficients and pixels can equal Pillow's exactly,
where the exact formulas differ from them by rounding (one in a few hundred coefficients
at quality 75; 1 to 3 grey levels in about 2% of pixel values).

What this version leaves out, compared with libjpeg: progressive, lossless, hierarchical and
arithmetic-coded files (they raise :class:`UnsupportedJPEGError`), 12-bit samples, CMYK and
Adobe colour transforms, chroma subsampling other than 4:4:4 and 4:2:0, the encoder's
Huffman stage (we estimate its size with :func:`scan_estimate` instead), and speed: the
Huffman decoder is pure Python with 16-bit lookup tables, clear rather than fast (about
0.3 s for a 512x512 colour photograph at quality 75; libjpeg takes a millisecond or two).

References
----------
ITU-T Recommendation T.81 (1992), "Digital compression and coding of continuous-tone still
images" (the JPEG standard). E. Hamilton (1992), "JPEG File Interchange Format, version 1.02".
G. K. Wallace (1991), "The JPEG still picture compression standard", CACM 34(4).
The Independent JPEG Group's libjpeg and libjpeg-turbo: jcparam.c (quality scaling),
jfdctint.c and jidctint.c (the fixed-point DCTs), jccolor.c and jdcolor.c (colour), jcsample.c
and jdsample.c (down- and "fancy" upsampling). C. Loeffler, A. Ligtenberg and G. Moschytz
(1989), "Practical fast 1-D DCT algorithms with 11 multiplications", ICASSP.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

# Real round trips and the safe loader live in lossylab.images; they are re-exported here so
# that ``lossylab.jpeg.roundtrip`` works. lossylab.images imports this module only inside its
# functions, so this top-level import is not circular.
from lossylab.images import RoundTrip, load_image, roundtrip

__all__ = [
    "BLOCK",
    "ZIGZAG",
    "JPEGCoefficients",
    "JPEGFormatError",
    "Component",
    "QuantTables",
    "RoundTrip",
    "ScanEstimate",
    "Segment",
    "UnsupportedJPEGError",
    "blockify",
    "coefficient_agreement",
    "dct2",
    "dct_matrix",
    "decode",
    "decode_coefficients",
    "dequantize",
    "forward_coefficients",
    "idct2",
    "level_shift",
    "load_image",
    "quant_tables",
    "quality_scale",
    "quantize",
    "read_segments",
    "reconstruct",
    "rgb_to_ycbcr",
    "roundtrip",
    "scan_estimate",
    "subsample_420",
    "to_samples",
    "unblockify",
    "unlevel_shift",
    "upsample",
    "ycbcr_to_rgb",
]

BLOCK = 8


class JPEGFormatError(ValueError):
    """The bytes are not a well-formed JPEG file (truncated, corrupt, or not a JPEG at all)."""


class UnsupportedJPEGError(ValueError):
    """A valid JPEG that this teaching decoder does not read (e.g. a progressive one)."""

# --- 1. colour: RGB <-> YCbCr (JFIF, full range 0..255) ---------------------------------

# Rows give Y, Cb, Cr as weights of R, G, B (JFIF 1.02); Cb and Cr are then offset by 128.
_RGB_TO_YCBCR = np.array(
    [
        [0.299, 0.587, 0.114],
        [-0.168736, -0.331264, 0.5],
        [0.5, -0.418688, -0.081312],
    ]
)
_YCBCR_OFFSET = np.array([0.0, 128.0, 128.0])
_YCBCR_TO_RGB = np.array(
    [
        [1.0, 0.0, 1.402],
        [1.0, -0.344136, -0.714136],
        [1.0, 1.772, 0.0],
    ]
)


def _check_rgb(image: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(image)
    if array.ndim != 3 or array.shape[-1] != 3:
        raise ValueError(
            f"{name} must have shape (height, width, 3), got {array.shape}; "
            "for a greyscale image skip the colour conversion"
        )
    return array.astype(np.float64)


def rgb_to_ycbcr(rgb: np.ndarray, *, method: str = "float") -> np.ndarray:
    """Convert RGB to JFIF YCbCr (full range).

    Parameters
    ----------
    rgb : numpy.ndarray
        Shape (height, width, 3), values 0..255 (any real dtype).
    method : {"float", "libjpeg"}
        ``"float"``: the exact formulas, no rounding. ``"libjpeg"``: libjpeg's 16-bit
        fixed-point arithmetic on integer input, giving the integers libjpeg stores.

    Returns
    -------
    numpy.ndarray
        float64, shape (height, width, 3): Y, Cb, Cr, each in 0..255.

    Notes
    -----
    ``Y = 0.299 R + 0.587 G + 0.114 B``,
    ``Cb = 128 - 0.168736 R - 0.331264 G + 0.5 B``,
    ``Cr = 128 + 0.5 R - 0.418688 G - 0.081312 B``.

    Examples
    --------
    >>> rgb_to_ycbcr(np.array([[[255, 255, 255]]])).round(3).tolist()
    [[[255.0, 128.0, 128.0]]]
    """
    rgb = _check_rgb(rgb, "rgb")
    if _check_method(method) == "libjpeg":
        return _rgb_to_ycbcr_libjpeg(rgb)
    return rgb @ _RGB_TO_YCBCR.T + _YCBCR_OFFSET


def ycbcr_to_rgb(ycbcr: np.ndarray, *, method: str = "float") -> np.ndarray:
    """Convert JFIF YCbCr back to RGB.

    Parameters
    ----------
    ycbcr : numpy.ndarray
        Shape (height, width, 3): Y, Cb, Cr in 0..255.
    method : {"float", "libjpeg"}
        ``"float"``: exact, no rounding or clipping (round and clip with :func:`to_samples`).
        ``"libjpeg"``: libjpeg's fixed-point tables on integer input, clipped to 0..255.

    Returns
    -------
    numpy.ndarray
        float64, shape (height, width, 3).

    Examples
    --------
    >>> rgb = np.array([[[200.0, 30.0, 90.0]]])
    >>> np.allclose(ycbcr_to_rgb(rgb_to_ycbcr(rgb)), rgb, atol=1e-3)
    True
    """
    ycbcr = _check_rgb(ycbcr, "ycbcr")
    if _check_method(method) == "libjpeg":
        return _ycbcr_to_rgb_libjpeg(ycbcr)
    return (ycbcr - _YCBCR_OFFSET) @ _YCBCR_TO_RGB.T


def to_samples(values: np.ndarray) -> np.ndarray:
    """Round to the nearest integer (halves up) and clip to 0..255, as uint8 samples.

    Examples
    --------
    >>> to_samples(np.array([-3.0, 12.5, 300.0])).tolist()
    [0, 13, 255]
    """
    return np.clip(np.floor(np.asarray(values, dtype=np.float64) + 0.5), 0, 255).astype(np.uint8)


# --- 2. chroma subsampling and upsampling -------------------------------------------------


def _check_plane(channel: np.ndarray, name: str) -> np.ndarray:
    array = np.asarray(channel)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (height, width), got {array.shape}")
    return array


def subsample_420(channel: np.ndarray) -> np.ndarray:
    """Average each 2x2 square of a channel (4:2:0 chroma subsampling), as libjpeg does.

    Parameters
    ----------
    channel : numpy.ndarray
        uint8, shape (height, width); odd sizes are padded by repeating the last row/column.

    Returns
    -------
    numpy.ndarray
        uint8, shape (ceil(height / 2), ceil(width / 2)).

    Notes
    -----
    ``out[i, j] = (x[2i, 2j] + x[2i, 2j+1] + x[2i+1, 2j] + x[2i+1, 2j+1] + b_j) // 4`` with
    the bias ``b_j`` alternating 1, 2, 1, 2 along a row (libjpeg's ``h2v2_downsample``): the
    halves are rounded down and up in turn, so the average is not biased either way.

    Examples
    --------
    >>> subsample_420(np.array([[0, 2, 9], [1, 3, 9]], dtype=np.uint8)).tolist()
    [[1, 9]]
    """
    x = _check_plane(channel, "channel").astype(np.int32)
    x = np.pad(x, ((0, x.shape[0] % 2), (0, x.shape[1] % 2)), mode="edge")
    sums = x[0::2, 0::2] + x[0::2, 1::2] + x[1::2, 0::2] + x[1::2, 1::2]
    bias = 1 + np.arange(sums.shape[1]) % 2  # 1, 2, 1, 2, ...
    return ((sums + bias) >> 2).astype(np.uint8)


def upsample(channel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Double a subsampled chroma channel in both directions with libjpeg's "fancy" filter.

    Parameters
    ----------
    channel : numpy.ndarray
        uint8, shape (ceil(height / 2), ceil(width / 2)).
    shape : tuple of int
        The full-resolution (height, width) to return.

    Returns
    -------
    numpy.ndarray
        uint8, shape ``shape``.

    Notes
    -----
    Each output sample sits a quarter of an input sample away from its nearest input sample,
    so it is the triangle-filter (bilinear) mix ``(9 a + 3 b + 3 c + d) / 16`` of the four
    nearest inputs, nearest first; edges repeat the last sample. We use this (libjpeg's
    default ``h2v2_fancy_upsample``, with its exact integer rounding) rather than repeating
    each sample 2x2 because it is what Pillow does when it decodes, and it avoids blocky colour.
    Like libjpeg, a channel at most 2 samples wide is simply repeated 2x2.

    Examples
    --------
    >>> upsample(np.array([[0, 160, 160]], dtype=np.uint8), (2, 6)).tolist()
    [[0, 40, 120, 160, 160, 160], [0, 40, 120, 160, 160, 160]]
    """
    x = _check_plane(channel, "channel")
    height, width = shape
    if 2 * x.shape[0] < height or 2 * x.shape[1] < width:
        raise ValueError(f"shape {shape} is more than twice the channel's shape {x.shape}")
    if x.shape[1] <= 2:  # libjpeg (jdsample.c) has no fancy filter for such narrow channels
        return np.repeat(np.repeat(x, 2, axis=0), 2, axis=1)[:height, :width].astype(np.uint8)
    c = np.pad(x.astype(np.int32), 1, mode="edge")
    near = 3 * c[1:-1]
    # (2n, w+2): column sums for even output rows (row above) and odd rows (row below)
    col = np.empty((2 * (c.shape[0] - 2), c.shape[1]), dtype=np.int32)
    col[0::2] = near + c[:-2]
    col[1::2] = near + c[2:]
    out = np.empty((col.shape[0], 2 * (c.shape[1] - 2)), dtype=np.int32)
    out[:, 0::2] = (3 * col[:, 1:-1] + col[:, :-2] + 8) >> 4
    out[:, 1::2] = (3 * col[:, 1:-1] + col[:, 2:] + 7) >> 4
    return out[:height, :width].astype(np.uint8)


# --- 3. level shift and 8x8 blocks --------------------------------------------------------


def level_shift(samples: np.ndarray) -> np.ndarray:
    """Map samples 0..255 to -128..127 (float64), so that a flat grey block has DC near 0."""
    return np.asarray(samples, dtype=np.float64) - 128.0


def unlevel_shift(values: np.ndarray) -> np.ndarray:
    """Undo :func:`level_shift`, round and clip to uint8 samples."""
    return to_samples(np.asarray(values, dtype=np.float64) + 128.0)


def blockify(channel: np.ndarray) -> np.ndarray:
    """Cut a channel into 8x8 blocks, padding the right and bottom edges by repetition.

    Parameters
    ----------
    channel : numpy.ndarray
        Shape (height, width), any dtype.

    Returns
    -------
    numpy.ndarray
        Shape (ceil(height / 8), ceil(width / 8), 8, 8), same dtype: ``blocks[by, bx]`` is
        the block whose top-left pixel is ``channel[8 by, 8 bx]``.

    Examples
    --------
    >>> blockify(np.zeros((20, 9))).shape
    (3, 2, 8, 8)
    """
    x = _check_plane(channel, "channel")
    pad = ((0, -x.shape[0] % BLOCK), (0, -x.shape[1] % BLOCK))
    x = np.pad(x, pad, mode="edge")
    n_by, n_bx = x.shape[0] // BLOCK, x.shape[1] // BLOCK
    return x.reshape(n_by, BLOCK, n_bx, BLOCK).swapaxes(1, 2).copy()


def unblockify(blocks: np.ndarray, shape: tuple[int, int] | None = None) -> np.ndarray:
    """Put 8x8 blocks back together, the inverse of :func:`blockify`.

    Parameters
    ----------
    blocks : numpy.ndarray
        Shape (n_by, n_bx, 8, 8).
    shape : tuple of int, optional
        Crop the result to this (height, width); default: keep the padded size.

    Returns
    -------
    numpy.ndarray
        Shape (8 n_by, 8 n_bx), or ``shape``.

    Examples
    --------
    >>> x = np.arange(20 * 9).reshape(20, 9)
    >>> bool(np.array_equal(unblockify(blockify(x), x.shape), x))
    True
    """
    b = np.asarray(blocks)
    if b.ndim != 4 or b.shape[2:] != (BLOCK, BLOCK):
        raise ValueError(f"blocks must have shape (n_by, n_bx, 8, 8), got {b.shape}")
    n_by, n_bx = b.shape[:2]
    full = b.swapaxes(1, 2).reshape(n_by * BLOCK, n_bx * BLOCK)
    return full if shape is None else full[: shape[0], : shape[1]]


# --- 4. the 2-D DCT ------------------------------------------------------------------------


def dct_matrix() -> np.ndarray:
    """The orthonormal 8-point DCT-II matrix C (float64, shape (8, 8)).

    Notes
    -----
    ``C[k, n] = a_k cos((2n + 1) k pi / 16)`` with ``a_0 = sqrt(1/8)`` and ``a_k = sqrt(2/8)``
    otherwise. Row k is the k-th cosine basis vector; C is orthogonal, ``C @ C.T = I``.

    Examples
    --------
    >>> c = dct_matrix()
    >>> bool(np.allclose(c @ c.T, np.eye(8)))
    True
    """
    k = np.arange(BLOCK)[:, None]
    n = np.arange(BLOCK)[None, :]
    scale = np.where(k == 0, np.sqrt(1 / BLOCK), np.sqrt(2 / BLOCK))
    return scale * np.cos((2 * n + 1) * k * np.pi / (2 * BLOCK))


_C = dct_matrix()


def dct2(blocks: np.ndarray, *, method: str = "float") -> np.ndarray:
    """2-D DCT of 8x8 blocks: ``F = C @ B @ C.T`` (float64, same shape (..., 8, 8)).

    ``F[0, 0]`` (the DC coefficient) is 8 times the block's mean; ``F[u, v]`` measures the
    cosine pattern with u half-cycles down and v across. With ``method="libjpeg"`` the
    blocks are rounded to integers and transformed in libjpeg's 13-bit fixed point (its
    "islow" DCT), which agrees with the exact one to about 1/8.

    Examples
    --------
    >>> round(float(dct2(np.full((8, 8), 10.0))[0, 0]), 9)
    80.0
    """
    if _check_method(method) == "libjpeg":
        return _fdct_islow(np.asarray(blocks, dtype=np.float64))
    return _C @ np.asarray(blocks, dtype=np.float64) @ _C.T


def idct2(coefficients: np.ndarray, *, method: str = "float") -> np.ndarray:
    """Inverse 2-D DCT of 8x8 blocks: ``B = C.T @ F @ C`` (float64, same shape).

    With ``method="libjpeg"`` the coefficients are rounded to integers and the result is
    libjpeg's fixed-point ("islow") inverse DCT, rounded to integers.

    Examples
    --------
    >>> b = np.arange(64.0).reshape(8, 8)
    >>> bool(np.allclose(idct2(dct2(b)), b))
    True
    """
    if _check_method(method) == "libjpeg":
        return _idct_islow(np.asarray(coefficients, dtype=np.float64))
    return _C.T @ np.asarray(coefficients, dtype=np.float64) @ _C


# --- 5. quantization -----------------------------------------------------------------------

# T.81 Annex K, tables K.1 and K.2, natural (row-major) order: the base tables at quality 50.
_BASE_LUMA = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ]
)
_BASE_CHROMA = np.array(
    [
        [17, 18, 24, 47, 99, 99, 99, 99],
        [18, 21, 26, 66, 99, 99, 99, 99],
        [24, 26, 56, 99, 99, 99, 99, 99],
        [47, 66, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
    ]
)


@dataclass(frozen=True, eq=False)
class QuantTables:
    """The two quantization tables of a quality: int32 (8, 8) arrays in natural order."""

    luma: np.ndarray
    chroma: np.ndarray


def _check_quality(quality: int) -> int:
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
        raise TypeError(f"quality must be an int from 1 to 100, got {type(quality).__name__}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be from 1 to 100 (as in Pillow), got {quality}")
    return int(quality)


def quality_scale(quality: int) -> int:
    """The IJG percentage that scales the base tables: 5000/q below 50, else 200 - 2q.

    Examples
    --------
    >>> quality_scale(50), quality_scale(75), quality_scale(10)
    (100, 50, 500)
    """
    q = _check_quality(quality)
    return 5000 // q if q < 50 else 200 - 2 * q


def quant_tables(quality: int) -> QuantTables:
    """The quantization tables libjpeg (and so Pillow) uses at a quality from 1 to 100.

    Parameters
    ----------
    quality : int
        1 (worst) to 100 (best), as in ``PIL.Image.save(..., quality=...)``.

    Returns
    -------
    QuantTables
        ``.luma`` and ``.chroma``: int32 (8, 8) arrays in natural (row-major) order.

    Raises
    ------
    TypeError, ValueError
        If ``quality`` is not an int from 1 to 100.

    Notes
    -----
    ``Q = clip((Q50 * s + 50) // 100, 1, 255)`` with ``s`` from :func:`quality_scale` and
    Q50 the example tables of T.81 Annex K; 255 is the limit of 8-bit (baseline) tables.

    References
    ----------
    IJG libjpeg, ``jcparam.c``: ``jpeg_quality_scaling`` and ``jpeg_add_quant_table``.

    Examples
    --------
    >>> int(quant_tables(50).luma[0, 0]), int(quant_tables(75).luma[0, 0])
    (16, 8)
    >>> int(quant_tables(100).chroma.max()), int(quant_tables(1).luma.min())
    (1, 255)
    """
    scale = quality_scale(quality)

    def scaled(base: np.ndarray) -> np.ndarray:
        return np.clip((base * scale + 50) // 100, 1, 255).astype(np.int32)

    return QuantTables(luma=scaled(_BASE_LUMA), chroma=scaled(_BASE_CHROMA))


def quantize(coefficients: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Quantize DCT coefficients: ``round(F / Q)``, halves away from zero (int32).

    Parameters
    ----------
    coefficients : numpy.ndarray
        Shape (..., 8, 8), from :func:`dct2`.
    table : numpy.ndarray
        Shape (8, 8), positive, natural order.

    Returns
    -------
    numpy.ndarray
        int32, same shape as ``coefficients``.

    Examples
    --------
    >>> quantize(np.full((8, 8), 25.0), np.full((8, 8), 10))[0, :3].tolist()
    [3, 3, 3]
    """
    ratio = np.asarray(coefficients, dtype=np.float64) / np.asarray(table, dtype=np.float64)
    return (np.sign(ratio) * np.floor(np.abs(ratio) + 0.5)).astype(np.int32)


def dequantize(quantized: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Multiply quantized coefficients back by the table: ``F' = q Q`` (float64)."""
    return np.asarray(quantized, dtype=np.float64) * np.asarray(table, dtype=np.float64)


# --- 6. zig-zag order ----------------------------------------------------------------------


def _zigzag() -> np.ndarray:
    # Walk the anti-diagonals s = i + j; odd ones go down-left (i rising), even ones up-right.
    cells = [(i, j) for i in range(BLOCK) for j in range(BLOCK)]
    cells.sort(key=lambda ij: (ij[0] + ij[1], ij[0] if (ij[0] + ij[1]) % 2 else ij[1]))
    return np.array([i * BLOCK + j for i, j in cells])


ZIGZAG: np.ndarray = _zigzag()
"""``ZIGZAG[k]`` is the natural (row-major) index of the k-th coefficient in zig-zag order:
``block.reshape(64)[ZIGZAG]`` lists a block from low to high frequency (0, 1, 8, 16, 9, ...)."""


# --- libjpeg's integer arithmetic (to match Pillow bit for bit) ---------------------------
# libjpeg computes the DCT in 13-bit fixed point (the "islow" method, after Loeffler, Ligtenberg
# and Moschytz 1989) and converts colours with 16-bit fixed-point tables. The results differ
# from the exact formulas above by rounding only, but at high qualities (quantization steps of
# 1 or 2) those roundings change a few percent of coefficients and pixels by one. The
# ``method="libjpeg"`` options below reproduce libjpeg's arithmetic (jfdctint.c, jidctint.c,
# jccolor.c, jdcolor.c) so that comparisons with Pillow can be exact.

_METHODS = ("float", "libjpeg")
_FIX = {  # round(x * 2**13) for the islow DCT's constants
    "0.298631336": 2446, "0.390180644": 3196, "0.541196100": 4433, "0.765366865": 6270,
    "0.899976223": 7373, "1.175875602": 9633, "1.501321110": 12299, "1.847759065": 15137,
    "1.961570560": 16069, "2.053119869": 16819, "2.562915447": 20995, "3.072711026": 25172,
}


def _check_method(method: str) -> str:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return method


def _descale(x: np.ndarray, n: int) -> np.ndarray:
    return (x + (1 << (n - 1))) >> n  # divide by 2**n, rounding halves up


def _odd_part(t0: Any, t1: Any, t2: Any, t3: Any) -> tuple[Any, Any, Any, Any]:
    """The rotation shared by libjpeg's forward and inverse islow DCTs (inputs in 1/2**13)."""
    f = _FIX
    z1, z2, z3, z4 = t0 + t3, t1 + t2, t0 + t2, t1 + t3
    z5 = (z3 + z4) * f["1.175875602"]
    z1, z2 = z1 * -f["0.899976223"], z2 * -f["2.562915447"]
    z3, z4 = z3 * -f["1.961570560"] + z5, z4 * -f["0.390180644"] + z5
    return (t0 * f["0.298631336"] + z1 + z3, t1 * f["2.053119869"] + z2 + z4,
            t2 * f["3.072711026"] + z2 + z3, t3 * f["1.501321110"] + z1 + z4)


def _fdct_islow_1d(d: np.ndarray, first: bool) -> np.ndarray:
    """One pass of jfdctint.c along the last axis (int64); pass 1 keeps 2 extra bits."""
    x = [d[..., i] for i in range(BLOCK)]
    t0, t1, t2, t3 = x[0] + x[7], x[1] + x[6], x[2] + x[5], x[3] + x[4]
    t7, t6, t5, t4 = x[0] - x[7], x[1] - x[6], x[2] - x[5], x[3] - x[4]
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    shift = 11 if first else 15
    out = [None] * BLOCK
    out[0] = (t10 + t11) << 2 if first else _descale(t10 + t11, 2)
    out[4] = (t10 - t11) << 2 if first else _descale(t10 - t11, 2)
    z1 = (t12 + t13) * _FIX["0.541196100"]
    out[2] = _descale(z1 + t13 * _FIX["0.765366865"], shift)
    out[6] = _descale(z1 - t12 * _FIX["1.847759065"], shift)
    o7, o5, o3, o1 = _odd_part(t4, t5, t6, t7)
    out[7], out[5], out[3], out[1] = (_descale(v, shift) for v in (o7, o5, o3, o1))
    return np.stack(out, axis=-1)


def _idct_islow_1d(d: np.ndarray, first: bool) -> np.ndarray:
    """One pass of jidctint.c along the last axis (int64)."""
    x = [d[..., i] for i in range(BLOCK)]
    z1 = (x[2] + x[6]) * _FIX["0.541196100"]
    t2, t3 = z1 - x[6] * _FIX["1.847759065"], z1 + x[2] * _FIX["0.765366865"]
    t0, t1 = (x[0] + x[4]) << 13, (x[0] - x[4]) << 13
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    o0, o1, o2, o3 = _odd_part(x[7], x[5], x[3], x[1])
    shift = 11 if first else 18
    out = [t10 + o3, t11 + o2, t12 + o1, t13 + o0, t13 - o0, t12 - o1, t11 - o2, t10 - o3]
    return np.stack([_descale(v, shift) for v in out], axis=-1)


def _fdct_islow(blocks: np.ndarray) -> np.ndarray:
    x = np.rint(blocks).astype(np.int64)
    rows = _fdct_islow_1d(x, first=True)
    cols = _fdct_islow_1d(rows.swapaxes(-1, -2), first=False).swapaxes(-1, -2)
    return cols / 8.0  # libjpeg's DCT output is 8 times the orthonormal one


def _idct_islow(coefficients: np.ndarray) -> np.ndarray:
    x = np.rint(coefficients).astype(np.int64)
    cols = _idct_islow_1d(x.swapaxes(-1, -2), first=True).swapaxes(-1, -2)
    return _idct_islow_1d(cols, first=False).astype(np.float64)


def _rgb_to_ycbcr_libjpeg(rgb: np.ndarray) -> np.ndarray:
    r, g, b = (np.rint(rgb[..., i]).astype(np.int64) for i in range(3))
    half, offset = 1 << 15, 128 << 16
    y = (19595 * r + 38470 * g + 7471 * b + half) >> 16
    cb = (-11059 * r - 21709 * g + 32768 * b + offset + half - 1) >> 16
    cr = (32768 * r - 27439 * g - 5329 * b + offset + half - 1) >> 16
    return np.stack([y, cb, cr], axis=-1).astype(np.float64)


def _ycbcr_to_rgb_libjpeg(ycbcr: np.ndarray) -> np.ndarray:
    y, cb, cr = (np.rint(ycbcr[..., i]).astype(np.int64) for i in range(3))
    cb, cr, half = cb - 128, cr - 128, 1 << 15
    r = y + ((91881 * cr + half) >> 16)
    g = y + ((-22554 * cb - 46802 * cr + half) >> 16)
    b = y + ((116130 * cb + half) >> 16)
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.float64)


# --- the whole forward path ----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Component:
    """One colour component of a JPEG image, as quantized DCT coefficients.

    Attributes
    ----------
    component_id : int
        The id in the file (1, 2, 3 for Y, Cb, Cr in JFIF).
    h_sampling, v_sampling : int
        Sampling factors (2, 2 for the luma of a 4:2:0 image; 1, 1 otherwise).
    quant_table : numpy.ndarray
        int32 (8, 8), natural order.
    coefficients : numpy.ndarray
        int32 (n_by, n_bx, 8, 8), quantized, natural order, one entry per block that holds
        image pixels (the component's ``ceil(size / 8)`` blocks each way).
    """

    component_id: int
    h_sampling: int
    v_sampling: int
    quant_table: np.ndarray
    coefficients: np.ndarray


@dataclass(frozen=True, eq=False)
class JPEGCoefficients:
    """Everything a baseline JPEG holds before Huffman coding.

    Attributes
    ----------
    height, width : int
        Image size in pixels.
    components : tuple of Component
        One (greyscale) or three (Y, Cb, Cr).
    restart_interval : int
        MCUs between restart markers (0: none).
    huffman_tables : dict
        ``{("DC" or "AC", table_id): (counts, symbols)}`` as read from the file (empty when
        made by :func:`forward_coefficients`): ``counts[i]`` codes of length i + 1.
    """

    height: int
    width: int
    components: tuple[Component, ...]
    restart_interval: int = 0
    huffman_tables: dict[tuple[str, int], tuple[tuple[int, ...], bytes]] | None = None

    @property
    def subsampling(self) -> str:
        """``"grey"``, ``"4:4:4"`` or ``"4:2:0"`` (``"other"`` for anything else)."""
        if len(self.components) == 1:
            return "grey"
        factors = [(c.h_sampling, c.v_sampling) for c in self.components]
        if all(f == factors[1] for f in factors[1:]):
            ratio = (factors[0][0] // factors[1][0], factors[0][1] // factors[1][1])
            return {(1, 1): "4:4:4", (2, 2): "4:2:0"}.get(ratio, "other")
        return "other"


def coefficient_agreement(a: JPEGCoefficients, b: JPEGCoefficients) -> float:
    """Fraction of quantized coefficients that are equal in two codings of one image.

    Parameters
    ----------
    a, b : JPEGCoefficients
        With the same components and block grids (e.g. a file's, from
        :func:`decode_coefficients`, and ours, from :func:`forward_coefficients`).

    Returns
    -------
    float
        Equal coefficients over all coefficients of all components, in [0, 1].

    Raises
    ------
    ValueError
        If the components or their block grids differ.

    Examples
    --------
    >>> grey = np.full((16, 16, 3), 128, dtype=np.uint8)
    >>> coefficient_agreement(forward_coefficients(grey, 75), forward_coefficients(grey, 75))
    1.0
    """
    shapes_a = [c.coefficients.shape for c in a.components]
    shapes_b = [c.coefficients.shape for c in b.components]
    if shapes_a != shapes_b:
        raise ValueError(f"a and b must have the same components and block grids, got "
                         f"{shapes_a} and {shapes_b}; code the same image with the same "
                         "subsampling")
    n_equal = sum(int(np.sum(x.coefficients == y.coefficients))
                  for x, y in zip(a.components, b.components, strict=True))
    return n_equal / sum(c.coefficients.size for c in a.components)


_SUBSAMPLINGS = ("4:4:4", "4:2:0")


def forward_coefficients(
    image: np.ndarray, quality: int, *, subsampling: str = "4:2:0", method: str = "float"
) -> JPEGCoefficients:
    """Run steps 1-5 of the encoder: the quantized DCT coefficients libjpeg would write.

    Parameters
    ----------
    image : numpy.ndarray
        uint8, (height, width) greyscale or (height, width, 3) RGB.
    quality : int
        1 to 100, as in Pillow.
    subsampling : {"4:2:0", "4:4:4"}
        Chroma subsampling (ignored for greyscale).
    method : {"float", "libjpeg"}
        Exact colour conversion and DCT (the formulas), or libjpeg's fixed-point ones
        (identical to what Pillow writes, coefficient for coefficient).

    Returns
    -------
    JPEGCoefficients
        With ``huffman_tables=None`` (nothing has been entropy-coded).

    Raises
    ------
    ValueError
        If the image shape or ``subsampling`` is not one of the above.

    Examples
    --------
    >>> coefs = forward_coefficients(np.full((20, 30), 200, dtype=np.uint8), 75)
    >>> coefs.components[0].coefficients.shape, int(coefs.components[0].coefficients[0, 0, 0, 0])
    ((3, 4, 8, 8), 72)
    """
    if subsampling not in _SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {_SUBSAMPLINGS}, got {subsampling!r}")
    tables = quant_tables(quality)
    array = np.asarray(image)
    if array.ndim == 2:
        planes, factor = [array], 1
    elif array.ndim == 3 and array.shape[2] == 3:
        ycc = to_samples(rgb_to_ycbcr(array, method=method))  # (h, w, 3) uint8, as libjpeg
        planes = [ycc[..., 0], ycc[..., 1], ycc[..., 2]]
        factor = 2 if subsampling == "4:2:0" else 1
        if factor == 2:
            # libjpeg repeats the last column out to whole chroma blocks *before* averaging
            width = 16 * -(-array.shape[1] // 16)
            planes[1:] = [subsample_420(np.pad(p, ((0, 0), (0, width - p.shape[1])), "edge"))
                          for p in planes[1:]]
    else:
        raise ValueError(
            f"image must be (height, width) or (height, width, 3) uint8, got shape {array.shape}"
        )
    components = []
    for index, plane in enumerate(planes):
        table = tables.luma if index == 0 else tables.chroma
        blocks = level_shift(blockify(plane))  # (n_by, n_bx, 8, 8) float64
        sampling = factor if index == 0 else 1
        quantized = quantize(dct2(blocks, method=method), table)
        components.append(Component(index + 1, sampling, sampling, table, quantized))
    return JPEGCoefficients(array.shape[0], array.shape[1], tuple(components))


# --- reading a real file: segments -----------------------------------------------------------

_MARKER_NAMES = {
    0xD8: "SOI", 0xD9: "EOI", 0xDA: "SOS", 0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI",
    0xFE: "COM", 0xCC: "DAC", 0xDC: "DNL", 0xDE: "DHP", 0xDF: "EXP",
    **{0xC0 + n: f"SOF{n}" for n in (0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 14, 15)},
    **{0xE0 + n: f"APP{n}" for n in range(16)},
    **{0xD0 + n: f"RST{n}" for n in range(8)},
}
_STANDALONE = {0xD8, 0xD9, 0x01, *range(0xD0, 0xD8)}  # markers without a length field


@dataclass(frozen=True)
class Segment:
    """One marker segment of a JPEG file.

    Attributes
    ----------
    name : str
        ``"SOI"``, ``"APP0"``, ``"DQT"``, ``"SOF0"``, ``"DHT"``, ``"SOS"``, ``"EOI"``, ...
    marker : int
        The marker code, e.g. 0xFFD8.
    offset : int
        Byte offset of the marker's 0xFF in the file.
    length : int
        The segment's length field (it counts itself, not the 2 marker bytes); 0 for markers
        without one (SOI, EOI).
    n_bytes : int
        Bytes the segment spans in the file, marker included; for SOS this includes the
        entropy-coded scan data that follows the header.
    payload : bytes
        The bytes after the length field (for SOS: the header only).
    """

    name: str
    marker: int
    offset: int
    length: int
    n_bytes: int
    payload: bytes = b""

    def __repr__(self) -> str:
        return f"Segment({self.name}, offset={self.offset}, length={self.length})"


def _check_bytes(data: bytes) -> bytes:
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes (a JPEG file's content), got {type(data).__name__}")
    if len(data) < 4 or data[:2] != b"\xff\xd8":
        raise JPEGFormatError(
            f"not a JPEG file: it does not start with the SOI marker FF D8 "
            f"(first bytes: {data[:4].hex(' ') or 'none'}); pass the bytes of a .jpg file"
        )
    return data


def _scan_end(data: bytes, start: int) -> int:
    """Offset of the first marker after entropy-coded data starting at ``start``."""
    pos = start
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the scan starting at byte {start} runs to the end of the "
                f"data ({len(data)} bytes) without an end marker; the file is incomplete"
            )
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos += 1  # a stuffed 0xFF, a restart marker, or a fill byte: still in the scan
            continue
        return pos


def read_segments(data: bytes) -> tuple[Segment, ...]:
    """List the marker segments of a JPEG file, from SOI to EOI.

    Parameters
    ----------
    data : bytes
        The content of a JPEG file.

    Returns
    -------
    tuple of Segment
        In file order; RST markers inside a scan are part of the SOS segment.

    Raises
    ------
    JPEGFormatError
        (a ValueError) if the data is not a JPEG, is truncated, or is malformed.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (8, 8)).save(buffer, format="JPEG")
    >>> [s.name for s in read_segments(buffer.getvalue())]
    ['SOI', 'APP0', 'DQT', 'SOF0', 'DHT', 'DHT', 'SOS', 'EOI']
    """
    data = _check_bytes(data)
    segments = [Segment("SOI", 0xFFD8, 0, 0, 2)]
    pos = 2
    while True:
        while pos < len(data) and data[pos] == 0xFF and pos + 1 < len(data) \
                and data[pos + 1] == 0xFF:
            pos += 1  # fill bytes before a marker
        if pos + 2 > len(data):
            raise JPEGFormatError(
                f"truncated JPEG: the data ends at byte {len(data)} before the EOI marker "
                "(FF D9); the file is incomplete, re-download or re-save it"
            )
        if data[pos] != 0xFF:
            raise JPEGFormatError(
                f"corrupt JPEG: expected a marker (FF xx) at byte {pos}, "
                f"found {data[pos:pos + 2].hex(' ')}"
            )
        code = data[pos + 1]
        name = _MARKER_NAMES.get(code, f"0xFF{code:02X}")
        if code == 0xD9:
            segments.append(Segment("EOI", 0xFFD9, pos, 0, 2))
            return tuple(segments)
        if code in _STANDALONE:
            raise JPEGFormatError(f"corrupt JPEG: unexpected marker {name} at byte {pos}")
        if pos + 4 > len(data):
            raise JPEGFormatError(f"truncated JPEG: segment {name} at byte {pos} has no length")
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            raise JPEGFormatError(
                f"truncated JPEG: segment {name} at byte {pos} declares {length} bytes "
                f"but only {len(data) - pos - 2} remain"
            )
        payload = data[pos + 4 : end]
        if code == 0xDA:
            end = _scan_end(data, end)
        segments.append(Segment(name, 0xFF00 | code, pos, length, end - pos, payload))
        pos = end


# --- reading a real file: tables and frame header ------------------------------------------


def _parse_dqt(payload: bytes, tables: dict[int, np.ndarray]) -> None:
    pos = 0
    while pos < len(payload):
        precision, table_id = payload[pos] >> 4, payload[pos] & 15
        size = 64 * (2 if precision else 1)
        if precision > 1 or table_id > 3 or pos + 1 + size > len(payload):
            raise JPEGFormatError(f"corrupt JPEG: bad DQT table (precision {precision}, "
                                  f"id {table_id}, {len(payload) - pos - 1} bytes left)")
        dtype = ">u2" if precision else "u1"
        values = np.frombuffer(payload, dtype=dtype, count=64, offset=pos + 1)
        natural = np.empty(64, dtype=np.int32)
        natural[ZIGZAG] = values  # the file stores tables in zig-zag order
        tables[table_id] = natural.reshape(BLOCK, BLOCK)
        pos += 1 + size


HuffmanTables = dict[tuple[str, int], tuple[tuple[int, ...], bytes]]


def _parse_dht(payload: bytes, tables: HuffmanTables) -> None:
    pos = 0
    while pos < len(payload):
        if pos + 17 > len(payload):
            raise JPEGFormatError("corrupt JPEG: a DHT segment ends inside a table header")
        table_class, table_id = payload[pos] >> 4, payload[pos] & 15
        counts = tuple(payload[pos + 1 : pos + 17])
        n_codes = sum(counts)
        if table_class > 1 or table_id > 3 or n_codes > 256 or pos + 17 + n_codes > len(payload):
            raise JPEGFormatError(f"corrupt JPEG: bad DHT table (class {table_class}, "
                                  f"id {table_id}, {n_codes} codes)")
        symbols = payload[pos + 17 : pos + 17 + n_codes]
        tables[("DC" if table_class == 0 else "AC", table_id)] = (counts, symbols)
        pos += 17 + n_codes


@functools.lru_cache(maxsize=32)
def _huffman_lookup(counts: tuple[int, ...], symbols: bytes) -> list[int]:
    """A 65536-entry table: the next 16 bits -> ``(code length << 8) | symbol`` (0: no code).

    Codes are canonical (T.81 Annex C): within a length they count up, and moving to the next
    length appends a 0 bit. Cached: most files carry the same four standard tables. The
    decoder only reads the list, never changes it.
    """
    lookup = np.zeros(1 << 16, dtype=np.int32)
    code, index = 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            if code >= 1 << length:
                raise JPEGFormatError("corrupt JPEG: a DHT table has more codes than fit")
            first = code << (16 - length)
            lookup[first : first + (1 << (16 - length))] = (length << 8) | symbols[index]
            code, index = code + 1, index + 1
        code <<= 1
    return lookup.tolist()


_UNSUPPORTED_SOF = {
    0xC2: "progressive JPEG", 0xC3: "lossless JPEG", 0xC5: "hierarchical JPEG",
    0xC6: "hierarchical progressive JPEG", 0xC7: "hierarchical lossless JPEG",
    0xC9: "arithmetic-coded JPEG", 0xCA: "arithmetic-coded progressive JPEG",
    0xCB: "arithmetic-coded lossless JPEG", 0xCD: "arithmetic-coded hierarchical JPEG",
    0xCE: "arithmetic-coded hierarchical JPEG", 0xCF: "arithmetic-coded hierarchical JPEG",
}


@dataclass(frozen=True)
class _Frame:
    height: int
    width: int
    components: tuple[tuple[int, int, int, int], ...]  # (id, h, v, quant table id)


def _parse_sof(segment: Segment) -> _Frame:
    code = segment.marker & 0xFF
    if code in _UNSUPPORTED_SOF:
        what = _UNSUPPORTED_SOF[code]
        raise UnsupportedJPEGError(
            f"not supported: {what} ({segment.name}); this decoder reads baseline "
            "Huffman-coded files only. Re-save it as baseline, e.g. with Pillow: "
            "Image.open(f).save(out, 'JPEG', progressive=False)"
        )
    p = segment.payload
    if len(p) < 6 or len(p) < 6 + 3 * p[5]:
        raise JPEGFormatError(f"corrupt JPEG: the {segment.name} header is too short")
    precision, height, width, n = p[0], int.from_bytes(p[1:3], "big"), \
        int.from_bytes(p[3:5], "big"), p[5]
    if precision != 8:
        raise UnsupportedJPEGError(f"not supported: {precision}-bit samples (only 8-bit)")
    if height == 0 or width == 0:
        raise UnsupportedJPEGError(f"not supported: image size {width}x{height} (DNL marker)")
    if n not in (1, 3):
        raise UnsupportedJPEGError(
            f"not supported: {n} colour components (only greyscale and YCbCr; CMYK is not read)"
        )
    comps = tuple((p[6 + 3 * i], p[7 + 3 * i] >> 4, p[7 + 3 * i] & 15, p[8 + 3 * i])
                  for i in range(n))
    if any(not 1 <= h <= 4 or not 1 <= v <= 4 or t > 3 for _, h, v, t in comps):
        raise JPEGFormatError(f"corrupt JPEG: bad sampling factors or table ids {comps}")
    return _Frame(height, width, comps)


# --- reading a real file: the Huffman-coded scan -------------------------------------------


def _bit_windows(chunk: bytes) -> tuple[list[int], int]:
    """Unstuff a scan interval and return, for every byte offset, the 32 bits starting there.

    With these windows, reading n <= 16 bits at any bit position is one list look-up and a
    shift, instead of a Python loop over bits. Zeros pad the end so that a corrupt stream
    reads zeros (and is caught by the length check) rather than an IndexError.
    """
    raw = chunk.replace(b"\xff\x00", b"\xff")  # byte stuffing: FF 00 in the file means FF
    b = np.frombuffer(raw + bytes(1024), dtype=np.uint8).astype(np.int64)
    windows = (b[:-3] << 24) | (b[1:-2] << 16) | (b[2:-1] << 8) | b[3:]
    return windows.tolist(), 8 * len(raw)


def _decode_interval(chunk: bytes, jobs: list[tuple[list[int], int, int, list[int], list[int]]],
                     n_components: int) -> None:
    """Decode the blocks ``jobs`` (store, base, component slot, DC and AC look-ups) in order.

    This is the one long function of the module: it is the inner loop, kept flat for speed.
    For each block, T.81 F.2.2: a DC size category s, then s raw bits giving the difference
    from the previous block's DC; then AC symbols (run << 4 | size): skip ``run`` zeros,
    read ``size`` bits; 0x00 ends the block (EOB), 0xF0 skips 16 zeros (ZRL).
    """
    w, n_bits = _bit_windows(chunk)
    preds = [0] * n_components
    pos = 0
    for store, base, slot, dc_lut, ac_lut in jobs:
        entry = dc_lut[(w[pos >> 3] >> (16 - (pos & 7))) & 0xFFFF]
        if not entry:
            raise JPEGFormatError("corrupt JPEG: an invalid Huffman code in the scan (DC)")
        pos += entry >> 8
        s = entry & 0xFF
        if s:
            if s > 11:
                raise JPEGFormatError(f"corrupt JPEG: DC size category {s} > 11")
            v = (w[pos >> 3] >> (32 - s - (pos & 7))) & ((1 << s) - 1)
            pos += s
            preds[slot] += v - (1 << s) + 1 if v < 1 << (s - 1) else v
        store[base] = preds[slot]
        k = 1
        while k < 64:
            entry = ac_lut[(w[pos >> 3] >> (16 - (pos & 7))) & 0xFFFF]
            if not entry:
                raise JPEGFormatError("corrupt JPEG: an invalid Huffman code in the scan (AC)")
            pos += entry >> 8
            s = entry & 15
            if s:
                k += (entry >> 4) & 15
                if k > 63 or s > 10:
                    raise JPEGFormatError("corrupt JPEG: AC coefficients run past the block")
                v = (w[pos >> 3] >> (32 - s - (pos & 7))) & ((1 << s) - 1)
                pos += s
                store[base + k] = v - (1 << s) + 1 if v < 1 << (s - 1) else v
                k += 1
            elif entry & 0xF0 == 0xF0:
                k += 16  # ZRL: sixteen zeros
            else:
                break  # EOB: the rest of the block is zero
        if pos > n_bits:
            raise JPEGFormatError(
                "truncated JPEG: the scan data ends in the middle of a block; "
                "the file is incomplete"
            )


def _split_restarts(scan: bytes, restart_interval: int) -> list[bytes]:
    if not restart_interval:
        return [scan]
    import re

    return re.split(rb"\xff[\xd0-\xd7]", scan)


def _mcu_grid(frame: _Frame) -> tuple[int, int, int, int]:
    """(MCU rows, MCU cols, max h, max v) of an interleaved scan over the whole frame."""
    h_max = max(c[1] for c in frame.components)
    v_max = max(c[2] for c in frame.components)
    return (-(-frame.height // (8 * v_max)), -(-frame.width // (8 * h_max)), h_max, v_max)


def _component_blocks(frame: _Frame, h: int, v: int) -> tuple[int, int]:
    """(rows, cols) of 8x8 blocks that hold pixels of a component with factors h, v."""
    _, _, h_max, v_max = _mcu_grid(frame)
    comp_height = -(-frame.height * v // v_max)
    comp_width = -(-frame.width * h // h_max)
    return -(-comp_height // 8), -(-comp_width // 8)


def _scan_jobs(frame: _Frame, scan: list[tuple[int, list[int], list[int]]],
               stores: list[list[int]], grid_cols: list[int]) -> tuple[list[Any], int]:
    """The blocks of a scan in coding order, and how many blocks make one MCU."""
    jobs: list[Any] = []
    if len(scan) == 1:  # non-interleaved: one block per MCU, only the blocks with pixels
        index, dc, ac = scan[0]
        _, h, v, _ = frame.components[index]
        rows, cols = _component_blocks(frame, h, v)
        for row in range(rows):
            for col in range(cols):
                jobs.append((stores[index], (row * grid_cols[index] + col) * 64, 0, dc, ac))
        return jobs, 1
    mcu_rows, mcu_cols, _, _ = _mcu_grid(frame)
    for my in range(mcu_rows):
        for mx in range(mcu_cols):
            for slot, (index, dc, ac) in enumerate(scan):
                _, h, v, _ = frame.components[index]
                for by in range(v):
                    for bx in range(h):
                        base = ((my * v + by) * grid_cols[index] + mx * h + bx) * 64
                        jobs.append((stores[index], base, slot, dc, ac))
    return jobs, sum(frame.components[i][1] * frame.components[i][2] for i, _, _ in scan)


def _decode_scan(data: bytes, segment: Segment, frame: _Frame, tables: HuffmanTables,
                 stores: list[list[int]], grid_cols: list[int], restart_interval: int) -> None:
    p = segment.payload
    n = p[0] if p else 0
    if n == 0 or len(p) < 4 + 2 * n:
        raise JPEGFormatError("corrupt JPEG: the SOS header is too short")
    ids = [c[0] for c in frame.components]
    scan = []
    for i in range(n):
        cid, dc_id, ac_id = p[1 + 2 * i], p[2 + 2 * i] >> 4, p[2 + 2 * i] & 15
        if cid not in ids or ("DC", dc_id) not in tables or ("AC", ac_id) not in tables:
            raise JPEGFormatError(f"corrupt JPEG: scan component {cid} has no frame component "
                                  f"or no Huffman table (DC {dc_id}, AC {ac_id})")
        scan.append((ids.index(cid), _huffman_lookup(*tables[("DC", dc_id)]),
                     _huffman_lookup(*tables[("AC", ac_id)])))
    if (p[1 + 2 * n], p[2 + 2 * n], p[3 + 2 * n]) != (0, 63, 0):
        raise UnsupportedJPEGError("not supported: progressive JPEG (spectral selection in SOS)")
    jobs, per_mcu = _scan_jobs(frame, scan, stores, grid_cols)
    chunks = _split_restarts(data[segment.offset + 2 + segment.length :
                                  segment.offset + segment.n_bytes], restart_interval)
    step = per_mcu * restart_interval if restart_interval else len(jobs)
    if len(chunks) < -(-len(jobs) // step):
        raise JPEGFormatError(f"truncated JPEG: the scan has {len(chunks)} restart intervals, "
                              f"the image needs {-(-len(jobs) // step)}")
    for i, start in enumerate(range(0, len(jobs), step)):
        _decode_interval(chunks[i], jobs[start : start + step], n)


MAX_PIXELS = 16_000_000  # the pure-Python decoder needs ~20 bytes and ~1 us per pixel


def decode_coefficients(data: bytes, *, max_pixels: int = MAX_PIXELS) -> JPEGCoefficients:
    """Read a baseline JPEG's quantized DCT coefficients (undo the Huffman coding only).

    Parameters
    ----------
    data : bytes
        A JPEG file: baseline (SOF0) or extended sequential (SOF1) Huffman-coded, 8-bit,
        greyscale or YCbCr, interleaved or not, with or without restart markers.
    max_pixels : int
        Refuse images with more pixels than this (before allocating anything for them).

    Returns
    -------
    JPEGCoefficients
        Per component: the quantization table it uses and its coefficients, int32
        (n_by, n_bx, 8, 8) in natural order (blocks that only pad the last MCU are dropped).

    Raises
    ------
    UnsupportedJPEGError
        For progressive, lossless, hierarchical or arithmetic-coded files, 12-bit samples, or
        neither 1 nor 3 components. A ValueError.
    JPEGFormatError
        If the data is not a JPEG, is truncated, or is corrupt. A ValueError.
    ValueError
        If the image has more than ``max_pixels`` pixels.

    Notes
    -----
    The coefficient ``q[u, v]`` of a block stands for the DCT value ``q[u, v] * Q[u, v]``;
    DC values are coded as differences from the previous block of the same component.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("L", (16, 8), color=200).save(buffer, format="JPEG", quality=75)
    >>> coefs = decode_coefficients(buffer.getvalue())
    >>> coefs.components[0].coefficients.shape, int(coefs.components[0].coefficients[0, 0, 0, 0])
    ((1, 2, 8, 8), 72)
    """
    quant: dict[int, np.ndarray] = {}
    huffman: HuffmanTables = {}
    frame, restart_interval, stores, grid_cols, n_scans = None, 0, [], [], 0
    for segment in read_segments(data):
        if segment.name == "DQT":
            _parse_dqt(segment.payload, quant)
        elif segment.name == "DHT":
            _parse_dht(segment.payload, huffman)
        elif segment.name == "DRI":
            if len(segment.payload) < 2:
                raise JPEGFormatError("corrupt JPEG: the DRI segment is too short")
            restart_interval = int.from_bytes(segment.payload[:2], "big")
        elif segment.name.startswith("SOF"):
            if frame is not None:
                raise JPEGFormatError("corrupt JPEG: more than one frame header (SOF)")
            frame = _parse_sof(segment)
            if frame.height * frame.width > max_pixels:
                raise ValueError(
                    f"the JPEG is {frame.width}x{frame.height} pixels, more than max_pixels="
                    f"{max_pixels:,}; this teaching decoder is slow: crop or shrink the image "
                    "first, or pass a larger max_pixels"
                )
            mcu_rows, mcu_cols, _, _ = _mcu_grid(frame)
            grid_cols = [mcu_cols * h for _, h, _, _ in frame.components]
            stores = [[0] * (mcu_rows * v * cols * 64)
                      for (_, _, v, _), cols in zip(frame.components, grid_cols, strict=True)]
        elif segment.name == "SOS":
            if frame is None:
                raise JPEGFormatError("corrupt JPEG: a scan (SOS) before the frame header (SOF)")
            _decode_scan(data, segment, frame, huffman, stores, grid_cols, restart_interval)
            n_scans += 1
    if frame is None or n_scans == 0:
        raise JPEGFormatError("corrupt JPEG: no frame header (SOF) or no scan (SOS) in the data")
    return _assemble(frame, quant, huffman, stores, grid_cols, restart_interval)


def _assemble(frame: _Frame, quant: dict[int, np.ndarray], huffman: HuffmanTables,
              stores: list[list[int]], grid_cols: list[int], restart_interval: int
              ) -> JPEGCoefficients:
    components = []
    for (cid, h, v, table_id), store, cols in zip(frame.components, stores, grid_cols,
                                                   strict=True):
        if table_id not in quant:
            raise JPEGFormatError(f"corrupt JPEG: component {cid} uses a missing DQT table")
        zigzag = np.array(store, dtype=np.int32).reshape(-1, cols, 64)
        natural = np.empty_like(zigzag)
        natural[..., ZIGZAG] = zigzag
        rows, n_cols = _component_blocks(frame, h, v)
        blocks = natural[:rows, :n_cols].reshape(rows, n_cols, BLOCK, BLOCK)
        components.append(Component(cid, h, v, quant[table_id], blocks))
    return JPEGCoefficients(frame.height, frame.width, tuple(components), restart_interval,
                            dict(huffman))


# --- back to pixels --------------------------------------------------------------------------


def reconstruct(coefficients: JPEGCoefficients, *, method: str = "libjpeg") -> np.ndarray:
    """Turn quantized coefficients into pixels: dequantize, inverse DCT, upsample, to RGB.

    Parameters
    ----------
    coefficients : JPEGCoefficients
        From :func:`decode_coefficients` or :func:`forward_coefficients`.
    method : {"libjpeg", "float"}
        Inverse DCT and colour conversion in libjpeg's fixed point (matches Pillow's pixels
        exactly but for rare rounding cases) or with the exact formulas (within a grey level
        or two of Pillow).

    Returns
    -------
    numpy.ndarray
        uint8, (height, width) for greyscale, (height, width, 3) RGB for colour.

    Raises
    ------
    UnsupportedJPEGError
        For chroma subsampling other than 4:4:4 and 4:2:0.

    Notes
    -----
    Per block ``B = C.T @ (q * Q) @ C + 128``, rounded and clipped to 0..255. 4:2:0 chroma
    is doubled with :func:`upsample` (libjpeg's "fancy" triangle filter, the one Pillow uses),
    then :func:`ycbcr_to_rgb`.
    """
    c = coefficients
    if c.subsampling not in ("grey", "4:4:4", "4:2:0"):
        factors = [(comp.h_sampling, comp.v_sampling) for comp in c.components]
        raise UnsupportedJPEGError(
            f"not supported: chroma sampling factors {factors}; this decoder reads greyscale, "
            "4:4:4 and 4:2:0. Re-save with Pillow's subsampling=0 or 2."
        )
    h_max = max(comp.h_sampling for comp in c.components)
    v_max = max(comp.v_sampling for comp in c.components)
    planes = []
    for comp in c.components:
        shape = (-(-c.height * comp.v_sampling // v_max), -(-c.width * comp.h_sampling // h_max))
        dct = dequantize(comp.coefficients, comp.quant_table)
        pixels = unlevel_shift(idct2(dct, method=method))  # (n_by, n_bx, 8, 8) uint8
        plane = unblockify(pixels, shape)  # (component height, width) uint8
        if shape != (c.height, c.width):
            plane = upsample(plane, (c.height, c.width))
        planes.append(plane)
    if len(planes) == 1:
        return planes[0]
    return to_samples(ycbcr_to_rgb(np.stack(planes, axis=-1), method=method))


def decode(data: bytes, *, method: str = "libjpeg", max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode a baseline JPEG file to pixels, in numpy: the whole decoder in one call.

    Parameters
    ----------
    data : bytes
        The content of a baseline, Huffman-coded JPEG file (greyscale or YCbCr, 4:4:4 or
        4:2:0).
    method : {"libjpeg", "float"}
        See :func:`reconstruct`.
    max_pixels : int
        See :func:`decode_coefficients`.

    Returns
    -------
    numpy.ndarray
        uint8, (height, width) or (height, width, 3) RGB.

    Raises
    ------
    UnsupportedJPEGError, JPEGFormatError
        See :func:`decode_coefficients` (both are ValueErrors).

    Notes
    -----
    ``decode(data) == reconstruct(decode_coefficients(data))``. Chroma is upsampled with
    libjpeg's "fancy" (triangle filter) upsampling, not by repeating each sample 2x2,
    because that is what Pillow does (and it avoids blocky colour edges); with it and
    ``method="libjpeg"`` our pixels equal Pillow's. With ``method="float"`` (the exact
    inverse DCT) about 98% of values are equal and the rest differ by 1 to 3 grey levels.

    Examples
    --------
    >>> import io
    >>> from PIL import Image
    >>> buffer = io.BytesIO()
    >>> Image.new("RGB", (9, 5), color=(200, 30, 90)).save(buffer, format="JPEG")
    >>> pixels = decode(buffer.getvalue())
    >>> pixels.shape, pixels.dtype.name
    ((5, 9, 3), 'uint8')
    """
    return reconstruct(decode_coefficients(data, max_pixels=max_pixels), method=method)


# --- how many bytes should the scan take? ---------------------------------------------------


def _mcu_order(blocks: np.ndarray) -> np.ndarray:
    """Blocks of a 2x2-sampled luma in the order an interleaved scan codes them.

    The grid is padded to whole MCUs as libjpeg does: each extra block repeats its
    neighbour's DC and has no AC.
    """
    n_by, n_bx = blocks.shape[:2]
    padded = np.pad(blocks, ((0, n_by % 2), (0, n_bx % 2), (0, 0), (0, 0)), mode="edge")
    padded[n_by:, :, :, :] *= 0
    padded[:, n_bx:, :, :] *= 0
    padded[n_by:, :, 0, 0] = padded[n_by - 1 : n_by, :, 0, 0]
    padded[:, n_bx:, 0, 0] = padded[:, n_bx - 1 : n_bx, 0, 0]
    rows, cols = padded.shape[0] // 2, padded.shape[1] // 2
    return padded.reshape(rows, 2, cols, 2, 8, 8).transpose(0, 2, 1, 3, 4, 5)


def _block_symbols(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The symbols T.81 codes for one component's blocks: (DC symbols, AC symbols, extra bits).

    DC: the size category of the difference from the previous block in coding order. AC: for
    each non-zero coefficient in zig-zag order, ``run << 4 | size`` (a ZRL 0xF0 for each 16
    zeros of a longer run), and an EOB 0x00 unless the block ends with a non-zero.
    """
    zz = blocks.reshape(-1, 64)[:, ZIGZAG].astype(np.int64)  # (n_blocks, 64)
    size = np.frexp(np.abs(zz).astype(np.float64))[1]  # bits to write |v|: 0 for v = 0
    dc_diff = np.diff(zz[:, 0], prepend=0)
    dc_size = np.frexp(np.abs(dc_diff).astype(np.float64))[1]
    rows, cols = np.nonzero(zz[:, 1:])  # AC non-zeros, row-major: blocks in order
    first = np.r_[True, rows[1:] != rows[:-1]]
    prev = np.where(first, -1, np.r_[-1, cols[:-1]])
    run = cols - prev - 1
    ac = (run % 16) << 4 | size[rows, cols + 1]
    n_zrl = int(np.sum(run // 16))
    ends_nonzero = np.zeros(len(zz), dtype=bool)
    ends_nonzero[rows[cols == 62]] = True
    n_eob = int(np.sum(~ends_nonzero))
    symbols = np.concatenate([ac, np.full(n_zrl, 0xF0), np.zeros(n_eob, dtype=np.int64)])
    return dc_size, symbols, int(size[:, 1:].sum() + dc_size.sum())


def _entropy_bits(symbols: np.ndarray) -> float:
    """``n * H`` of the empirical distribution of ``symbols``: ``-sum_s c_s log2(c_s / n)``."""
    counts = np.unique(symbols, return_counts=True)[1].astype(np.float64)
    return float(-np.sum(counts * np.log2(counts / counts.sum()))) if counts.size else 0.0


def _code_lengths(counts: tuple[int, ...], symbols: bytes) -> dict[int, int]:
    lengths = [length for length, n in enumerate(counts, start=1) for _ in range(n)]
    return dict(zip(symbols, lengths, strict=True))


@dataclass(frozen=True)
class ScanEstimate:
    """How many bits the entropy-coded scan needs, by three accounts.

    Attributes
    ----------
    n_symbols : int
        Huffman-coded symbols (DC size categories, AC run/size pairs, EOB, ZRL).
    entropy_bits : float
        Their empirical entropy: each table's symbols cost ``-log2`` of their frequency.
    extra_bits : int
        The raw bits after the symbols that give the coefficients' values.
    huffman_bits : int or None
        The symbols' cost with the file's own Huffman tables (None without tables).
    """

    n_symbols: int
    entropy_bits: float
    extra_bits: int
    huffman_bits: int | None

    @property
    def n_bytes(self) -> float:
        """The entropy estimate of the scan's size: ``(entropy_bits + extra_bits) / 8``."""
        return (self.entropy_bits + self.extra_bits) / 8


def scan_estimate(coefficients: JPEGCoefficients) -> ScanEstimate:
    """Estimate the size of the Huffman-coded scan from the quantized coefficients.

    Parameters
    ----------
    coefficients : JPEGCoefficients
        From :func:`decode_coefficients` or :func:`forward_coefficients`.

    Returns
    -------
    ScanEstimate

    Notes
    -----
    JPEG codes four streams of symbols (DC and AC, luma and chroma, each with its own
    table). For a stream with counts ``c_s`` (total n), no code whose lengths depend only on
    the symbol can beat the empirical entropy ``-sum_s c_s log2(c_s / n)`` bits. The
    magnitude bits after each symbol are written raw. Blocks are taken in the scan's
    order (2x2 MCUs for 4:2:0 luma, with the padding blocks libjpeg adds); restart
    intervals are ignored. ``huffman_bits`` assumes the usual JFIF assignment: tables 0 for
    luma, 1 for chroma.

    Examples
    --------
    >>> flat = forward_coefficients(np.full((16, 16), 128, dtype=np.uint8), 75)
    >>> estimate = scan_estimate(flat)  # 4 blocks: DC size 0 and an EOB each
    >>> estimate.n_symbols, estimate.entropy_bits, estimate.extra_bits
    (8, 0.0, 0)
    """
    streams: dict[tuple[str, int], list[np.ndarray]] = {}
    extra = 0
    for index, comp in enumerate(coefficients.components):
        table_id = 0 if index == 0 else 1
        blocks = comp.coefficients
        if len(coefficients.components) > 1 and (comp.h_sampling, comp.v_sampling) == (2, 2):
            blocks = _mcu_order(blocks)
        dc, ac, bits = _block_symbols(blocks)
        streams.setdefault(("DC", table_id), []).append(dc)
        streams.setdefault(("AC", table_id), []).append(ac)
        extra += bits
    joined = {key: np.concatenate(parts) for key, parts in streams.items()}
    entropy = sum(_entropy_bits(symbols) for symbols in joined.values())
    tables = coefficients.huffman_tables
    huffman = None
    if tables and all(key in tables for key in joined):
        huffman = 0
        for key, symbols in joined.items():
            lengths = _code_lengths(*tables[key])
            values, counts = np.unique(symbols, return_counts=True)
            huffman += sum(lengths.get(int(v), 16) * int(c) for v, c in zip(values, counts,
                                                                           strict=True))
    n_symbols = sum(len(s) for s in joined.values())
    return ScanEstimate(n_symbols, entropy, extra, huffman)
