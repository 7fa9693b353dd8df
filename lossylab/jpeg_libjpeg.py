"""Appendix to :mod:`lossylab.jpeg`: libjpeg's integer arithmetic, to match Pillow bit for bit.

libjpeg computes the DCT in 13-bit fixed point ("islow", after Loeffler, Ligtenberg and
Moschytz 1989, ICASSP) and converts colours with 16-bit fixed-point tables: the exact formulas
of :mod:`lossylab.jpeg` differ by rounding only, but at high qualities that moves a few percent
of values by one. ``method="libjpeg"`` runs this module's functions, so that comparisons with
Pillow are exact. Left out: the "ifast" and "float" DCTs and SIMD paths. References: IJG
libjpeg-turbo, jfdctint.c, jidctint.c, jccolor.c, jdcolor.c.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = []  # private to the JPEG modules: used through method="libjpeg"

_METHODS = ("float", "libjpeg")
_FIX = {  # round(x * 2**13) for the islow DCT's constants
    "0.298631336": 2446, "0.390180644": 3196, "0.541196100": 4433, "0.765366865": 6270,
    "0.899976223": 7373, "1.175875602": 9633, "1.501321110": 12299, "1.847759065": 15137,
    "1.961570560": 16069, "2.053119869": 16819, "2.562915447": 20995, "3.072711026": 25172,
}


def _check_method(method: str) -> str:
    """The one check of ``method``: "float" (the exact formulas) or "libjpeg"."""
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    return method


def _descale(x: np.ndarray, n: int) -> np.ndarray:
    """Divide by 2**n, rounding halves up (libjpeg's DESCALE)."""
    return (x + (1 << (n - 1))) >> n


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
    x = [d[..., i] for i in range(8)]
    t0, t1, t2, t3 = x[0] + x[7], x[1] + x[6], x[2] + x[5], x[3] + x[4]
    t7, t6, t5, t4 = x[0] - x[7], x[1] - x[6], x[2] - x[5], x[3] - x[4]
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    shift = 11 if first else 15
    out = [None] * 8
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
    x = [d[..., i] for i in range(8)]
    z1 = (x[2] + x[6]) * _FIX["0.541196100"]
    t2, t3 = z1 - x[6] * _FIX["1.847759065"], z1 + x[2] * _FIX["0.765366865"]
    t0, t1 = (x[0] + x[4]) << 13, (x[0] - x[4]) << 13
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    o0, o1, o2, o3 = _odd_part(x[7], x[5], x[3], x[1])
    shift = 11 if first else 18
    out = [t10 + o3, t11 + o2, t12 + o1, t13 + o0, t13 - o0, t12 - o1, t11 - o2, t10 - o3]
    return np.stack([_descale(v, shift) for v in out], axis=-1)


def _fdct_islow(blocks: np.ndarray) -> np.ndarray:
    """libjpeg's forward islow DCT of (..., 8, 8) blocks, scaled to the orthonormal DCT."""
    x = np.rint(blocks).astype(np.int64)
    rows = _fdct_islow_1d(x, first=True)
    cols = _fdct_islow_1d(rows.swapaxes(-1, -2), first=False).swapaxes(-1, -2)
    return cols / 8.0  # libjpeg's DCT output is 8 times the orthonormal one


def _idct_islow(coefficients: np.ndarray) -> np.ndarray:
    """libjpeg's inverse islow DCT of (..., 8, 8) coefficient blocks, rounded to integers."""
    x = np.rint(coefficients).astype(np.int64)
    cols = _idct_islow_1d(x.swapaxes(-1, -2), first=True).swapaxes(-1, -2)
    return _idct_islow_1d(cols, first=False).astype(np.float64)


def _rgb_to_ycbcr_libjpeg(rgb: np.ndarray) -> np.ndarray:
    """jccolor.c: RGB to YCbCr in 16-bit fixed point (float64 holding integers)."""
    r, g, b = (np.rint(rgb[..., i]).astype(np.int64) for i in range(3))
    half, offset = 1 << 15, 128 << 16
    y = (19595 * r + 38470 * g + 7471 * b + half) >> 16
    cb = (-11059 * r - 21709 * g + 32768 * b + offset + half - 1) >> 16
    cr = (32768 * r - 27439 * g - 5329 * b + offset + half - 1) >> 16
    return np.stack([y, cb, cr], axis=-1).astype(np.float64)


def _ycbcr_to_rgb_libjpeg(ycbcr: np.ndarray) -> np.ndarray:
    """jdcolor.c: YCbCr to RGB in 16-bit fixed point, clipped to 0..255 (float64)."""
    y, cb, cr = (np.rint(ycbcr[..., i]).astype(np.int64) for i in range(3))
    cb, cr, half = cb - 128, cr - 128, 1 << 15
    r = y + ((91881 * cr + half) >> 16)
    g = y + ((-22554 * cb - 46802 * cr + half) >> 16)
    b = y + ((116130 * cb + half) >> 16)
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.float64)
