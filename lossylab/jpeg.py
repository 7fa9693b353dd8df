"""JPEG opened up: the encoder's forward path, step by step, in numpy.

A JPEG encoder (ITU-T T.81, JFIF colours): 1. RGB to YCbCr; 2. chroma subsampling (4:2:0);
3. level shift and 8x8 blocks; 4. the 2-D DCT ``F = C @ B @ C.T``; 5. quantization
``round(F / Q)`` with tables scaled by the quality; 6. lossless coding (zig-zag, run lengths,
Huffman). Steps 5, 2 and the 8-bit rounding of 1 lose information: JPEG is a deterministic,
many-to-one channel p(x'|x). Steps 1-5 are the small functions below with their inverses
(:func:`forward_coefficients` runs them all); reading a file is :mod:`lossylab.jpeg_decode`,
the size of step 6 :mod:`lossylab.jpeg_entropy`; ``method="libjpeg"`` uses libjpeg's fixed
point (:mod:`lossylab.jpeg_libjpeg`) to match Pillow exactly. Left out: the encoder's Huffman
stage, progressive and arithmetic coding, 12-bit samples, CMYK, 4:2:2, speed.

References: ITU-T T.81 (1992); E. Hamilton (1992), JFIF 1.02; G. K. Wallace (1991), "The JPEG
still picture compression standard", CACM 34(4); IJG libjpeg (jcparam.c, jcsample.c).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossylab.jpeg_libjpeg import _check_method, _fdct_islow, _idct_islow, _rgb_to_ycbcr_libjpeg

__all__ = ["BLOCK", "SUBSAMPLINGS", "ZIGZAG", "JPEGCoefficients", "blockify", "check_quality",
           "dct2", "dequantize", "forward_coefficients",
           "idct2", "level_shift", "quant_tables", "quantize", "rgb_to_ycbcr", "subsample_420",
           "to_samples", "unlevel_shift", "upsample"]

BLOCK = 8
SUBSAMPLINGS = ("4:2:0", "4:4:4")  # what forward_coefficients writes and jpeg_decode reads

# --- 1. colour: RGB -> YCbCr (JFIF, full range 0..255) -----------------------------------

# Rows give Y, Cb, Cr as weights of R, G, B (JFIF 1.02); Cb and Cr are then offset by 128.
_RGB_TO_YCBCR = np.array([[0.299, 0.587, 0.114],
                          [-0.168736, -0.331264, 0.5],
                          [0.5, -0.418688, -0.081312]])
_YCBCR_OFFSET = np.array([0.0, 128.0, 128.0])


def rgb_to_ycbcr(rgb: np.ndarray, *, method: str = "float") -> np.ndarray:
    """Convert RGB (height, width, 3), values 0..255, to JFIF YCbCr (float64, same shape).

    ``Y = 0.299 R + 0.587 G + 0.114 B``, ``Cb = 128 + (B - Y) / 1.772``, ``Cr = 128 + (R - Y)
    / 1.402``; ``method="libjpeg"``: libjpeg's fixed point. A ValueError for another shape.

    Examples
    --------
    >>> rgb_to_ycbcr(np.array([[[255, 255, 255]]])).round(3).tolist()
    [[[255.0, 128.0, 128.0]]]
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[-1] != 3:
        raise ValueError(f"rgb must have shape (height, width, 3), got {rgb.shape}; "
                         "for a greyscale image skip the colour conversion")
    rgb = rgb.astype(np.float64)
    if _check_method(method) == "libjpeg":
        return _rgb_to_ycbcr_libjpeg(rgb)
    return _mix(rgb, _RGB_TO_YCBCR) + _YCBCR_OFFSET


def _mix(x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """``x @ m.T`` summed in order, k = 0, 1, ...: no BLAS (its order depends on the CPU)."""
    return sum((x[..., k : k + 1] * m[:, k] for k in range(1, len(m))), x[..., :1] * m[:, 0])


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
    """``channel`` as a non-empty 2-D array, or a ValueError naming ``name``."""
    array = np.asarray(channel)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (height, width), got {array.shape}")
    return array


def subsample_420(channel: np.ndarray) -> np.ndarray:
    """Average each 2x2 square of a uint8 channel (4:2:0 chroma subsampling), as libjpeg does.

    ``out[i, j] = (sum of the 2x2 square + b_j) // 4``, the bias ``b_j`` alternating 1, 2
    (libjpeg's ``h2v2_downsample``); odd sizes repeat the last row or column.

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
    """Double a subsampled chroma channel to ``shape`` (uint8) with libjpeg's "fancy" filter.

    Each output is ``(9 a + 3 b + 3 c + d) / 16`` of its four nearest inputs, nearest first,
    with libjpeg's rounding (``h2v2_fancy_upsample``); a channel <= 2 wide is repeated 2x2.

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
    """Map samples 0..255 to -128..127 (float64), so that a flat grey block has DC near 0.

    Examples
    --------
    >>> level_shift(np.array([0, 128, 255], dtype=np.uint8)).tolist()
    [-128.0, 0.0, 127.0]
    """
    return np.asarray(samples, dtype=np.float64) - 128.0


def unlevel_shift(values: np.ndarray) -> np.ndarray:
    """Undo :func:`level_shift`, round and clip to uint8 samples.

    Examples
    --------
    >>> unlevel_shift(np.array([-200.0, 0.4, 127.5])).tolist()
    [0, 128, 255]
    """
    return to_samples(np.asarray(values, dtype=np.float64) + 128.0)


def blockify(channel: np.ndarray) -> np.ndarray:
    """Cut a channel (..., height, width) into 8x8 blocks, padding by edge repetition.

    Returns (..., ceil(height / 8), ceil(width / 8), 8, 8): ``blocks[by, bx]`` starts at
    ``channel[8 by, 8 bx]``.

    Examples
    --------
    >>> blockify(np.zeros((20, 9))).shape
    (3, 2, 8, 8)
    """
    x = np.asarray(channel)
    if x.ndim < 2 or x.size == 0:
        raise ValueError(f"channel must be a non-empty array (..., height, width), got {x.shape}")
    pad = [(0, 0)] * (x.ndim - 2) + [(0, -x.shape[-2] % BLOCK), (0, -x.shape[-1] % BLOCK)]
    x = np.pad(x, pad, mode="edge")
    n_by, n_bx = x.shape[-2] // BLOCK, x.shape[-1] // BLOCK
    return x.reshape(*x.shape[:-2], n_by, BLOCK, n_bx, BLOCK).swapaxes(-3, -2).copy()


# --- 4. the 2-D DCT ------------------------------------------------------------------------

def _dct_matrix() -> np.ndarray:
    """The orthonormal 8-point DCT-II matrix C: ``C[k, n] = a_k cos((2n + 1) k pi / 16)``."""
    k, n = np.arange(BLOCK)[:, None], np.arange(BLOCK)[None, :]
    scale = np.where(k == 0, np.sqrt(1 / BLOCK), np.sqrt(2 / BLOCK))
    return scale * np.cos((2 * n + 1) * k * np.pi / (2 * BLOCK))


_C = _dct_matrix()


def dct2(blocks: np.ndarray, *, method: str = "float") -> np.ndarray:
    """2-D DCT of 8x8 blocks: ``F = C @ B @ C.T`` (float64, same shape (..., 8, 8)).

    ``F[0, 0]`` (the DC) is 8 times the block's mean. ``method="libjpeg"``: libjpeg's 13-bit
    fixed point on integer blocks, within about 1/8 of the exact DCT.

    Examples
    --------
    >>> round(float(dct2(np.full((8, 8), 10.0))[0, 0]), 9)
    80.0
    """
    if _check_method(method) == "libjpeg":
        return _fdct_islow(np.asarray(blocks, dtype=np.float64))
    return _mix(_mix(np.asarray(blocks, np.float64).swapaxes(-1, -2), _C).swapaxes(-1, -2), _C)


def idct2(coefficients: np.ndarray, *, method: str = "float") -> np.ndarray:
    """Inverse 2-D DCT of 8x8 blocks: ``B = C.T @ F @ C`` (float64, same shape).

    ``method="libjpeg"``: libjpeg's fixed point, on and to integers.

    Examples
    --------
    >>> b = np.arange(64.0).reshape(8, 8)
    >>> bool(np.allclose(idct2(dct2(b)), b))
    True
    """
    if _check_method(method) == "libjpeg":
        return _idct_islow(np.asarray(coefficients, dtype=np.float64))
    columns = _mix(np.asarray(coefficients, np.float64).swapaxes(-1, -2), _C.T)  # (C.T F).T
    return _mix(columns.swapaxes(-1, -2), _C.T)  # (C.T F) C


# --- 5. quantization -----------------------------------------------------------------------

# T.81 Annex K, tables K.1 and K.2, natural (row-major) order: the base tables at quality 50.
_BASE_LUMA = np.array([[16, 11, 10, 16, 24, 40, 51, 61], [12, 12, 14, 19, 26, 58, 60, 55],
                       [14, 13, 16, 24, 40, 57, 69, 56], [14, 17, 22, 29, 51, 87, 80, 62],
                       [18, 22, 37, 56, 68, 109, 103, 77], [24, 35, 55, 64, 81, 104, 113, 92],
                       [49, 64, 78, 87, 103, 121, 120, 101], [72, 92, 95, 98, 112, 100, 103, 99]])
_BASE_CHROMA = np.full((8, 8), 99)
_BASE_CHROMA[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]


@dataclass(frozen=True, eq=False)
class _QuantTables:
    """The two quantization tables of a quality (see :func:`quant_tables`)."""

    luma: np.ndarray
    chroma: np.ndarray


def check_quality(quality: object) -> int:
    """The one check of a JPEG quality: an integer from 1 (worst) to 100 (best), as in Pillow.

    A TypeError for a non-integer (bool and float included), a ValueError outside 1..100.

    Examples
    --------
    >>> check_quality(np.int64(75))
    75
    """
    if isinstance(quality, bool) or not isinstance(quality, (int, np.integer)):
        raise TypeError(f"quality must be an integer from 1 to 100, got {quality!r}")
    if not 1 <= quality <= 100:
        raise ValueError(f"quality must be from 1 to 100, got {quality}; 75 is Pillow's default")
    return int(quality)


def quant_tables(quality: int) -> _QuantTables:
    """The quantization tables libjpeg (and so Pillow) uses at a quality from 1 to 100.

    ``Q = clip((Q50 * s + 50) // 100, 1, 255)``, ``s = 5000 // q`` below 50 and ``200 - 2 q``
    from 50 on, Q50 from T.81 Annex K. Returns ``.luma``, ``.chroma``: int32 (8, 8).

    Examples
    --------
    >>> int(quant_tables(50).luma[0, 0]), int(quant_tables(75).luma[0, 0])
    (16, 8)
    >>> int(quant_tables(100).chroma.max()), int(quant_tables(1).luma.min())
    (1, 255)
    """
    q = check_quality(quality)
    scale = 5000 // q if q < 50 else 200 - 2 * q
    luma, chroma = (np.clip((base * scale + 50) // 100, 1, 255).astype(np.int32)
                    for base in (_BASE_LUMA, _BASE_CHROMA))
    return _QuantTables(luma=luma, chroma=chroma)


def quantize(coefficients: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Quantize DCT coefficients: ``round(F / Q)``, halves away from zero (int32).

    ``coefficients`` (..., 8, 8) come from :func:`dct2`; ``table`` is (8, 8), positive.

    Examples
    --------
    >>> quantize(np.full((8, 8), 25.0), np.full((8, 8), 10))[0, :3].tolist()
    [3, 3, 3]
    """
    ratio = np.asarray(coefficients, dtype=np.float64) / np.asarray(table, dtype=np.float64)
    return (np.sign(ratio) * np.floor(np.abs(ratio) + 0.5)).astype(np.int32)


def dequantize(quantized: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Multiply quantized coefficients back by the table: ``F' = q Q`` (float64).

    Examples
    --------
    >>> dequantize(np.full((8, 8), 3), np.full((8, 8), 10))[0, :2].tolist()
    [30.0, 30.0]
    """
    return np.asarray(quantized, dtype=np.float64) * np.asarray(table, dtype=np.float64)


# --- 6. zig-zag order ----------------------------------------------------------------------

def _zigzag() -> np.ndarray:
    """Walk the anti-diagonals s = i + j; odd ones go down-left (i rising), even ones up-right."""
    cells = [(i, j) for i in range(BLOCK) for j in range(BLOCK)]
    cells.sort(key=lambda ij: (ij[0] + ij[1], ij[0] if (ij[0] + ij[1]) % 2 else ij[1]))
    return np.array([i * BLOCK + j for i, j in cells])


ZIGZAG: np.ndarray = _zigzag()
"""``ZIGZAG[k]`` is the natural (row-major) index of the k-th coefficient in zig-zag order:
``block.reshape(64)[ZIGZAG]`` lists a block from low to high frequency (0, 1, 8, 16, 9, ...)."""
ZIGZAG.setflags(write=False)  # a constant: a cell that writes into it must not change the lesson


# --- the whole forward path ----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _Component:
    """One colour component of a JPEG image (fields: see :class:`JPEGCoefficients`)."""

    component_id: int
    h_sampling: int
    v_sampling: int
    quant_table: np.ndarray
    coefficients: np.ndarray


@dataclass(frozen=True, eq=False)
class JPEGCoefficients:
    """Everything a baseline JPEG holds before Huffman coding.

    ``height``, ``width`` in pixels; ``components``: one (grey) or three (Y, Cb, Cr), each with
    ``.component_id``, ``.h_sampling``, ``.v_sampling`` (2, 2 for 4:2:0 luma), ``.quant_table``
    (int32 (8, 8)) and ``.coefficients`` (int32 (n_by, n_bx, 8, 8), quantized), natural order;
    ``restart_interval`` (0: none); ``huffman_tables`` as read from a file, ``{("DC" or "AC",
    id): (counts per code length, symbols)}`` (None from :func:`forward_coefficients`).
    """

    height: int
    width: int
    components: tuple[_Component, ...]
    restart_interval: int = 0
    huffman_tables: dict[tuple[str, int], tuple[tuple[int, ...], bytes]] | None = None

    @classmethod
    def from_components(cls, height: int, width: int,
                        components: Iterable[tuple[int, int, int, np.ndarray, np.ndarray]],
                        **rest: Any) -> JPEGCoefficients:
        """Build from ``(component_id, h_sampling, v_sampling, quant_table, coefficients)``."""
        return cls(height, width, tuple(_Component(*c) for c in components), **rest)

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


def forward_coefficients(image: np.ndarray, quality: int, *, subsampling: str = "4:2:0",
                         method: str = "float") -> JPEGCoefficients:
    """Run steps 1-5 of the encoder: the quantized DCT coefficients libjpeg would write.

    ``image``: uint8, (h, w) or (h, w, 3) (else a ValueError); ``quality`` 1 to 100;
    ``subsampling`` of :data:`SUBSAMPLINGS` (ignored for greyscale); ``method`` "float" (exact)
    or "libjpeg" (fixed point: what Pillow writes, exactly). Returns a
    :class:`JPEGCoefficients` with ``huffman_tables=None``.

    Examples
    --------
    >>> coefs = forward_coefficients(np.full((20, 30), 200, dtype=np.uint8), 75)
    >>> coefs.components[0].coefficients.shape, int(coefs.components[0].coefficients[0, 0, 0, 0])
    ((3, 4, 8, 8), 72)
    """
    if subsampling not in SUBSAMPLINGS:
        raise ValueError(f"subsampling must be one of {SUBSAMPLINGS}, got {subsampling!r}")
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
        raise ValueError(f"image must be (height, width) or (height, width, 3) uint8, got shape "
                         f"{array.shape}")
    components = []
    for index, plane in enumerate(planes):
        table = tables.luma if index == 0 else tables.chroma
        blocks = level_shift(blockify(plane))  # (n_by, n_bx, 8, 8) float64
        sampling = factor if index == 0 else 1
        quantized = quantize(dct2(blocks, method=method), table)
        components.append((index + 1, sampling, sampling, table, quantized))
    return JPEGCoefficients.from_components(array.shape[0], array.shape[1], components)
