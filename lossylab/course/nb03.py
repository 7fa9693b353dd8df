"""Notebook 03 (JPEG, step by step): the three lossy steps, a file to edit, the exercises."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lossylab import jpeg, jpeg_decode
from lossylab.course.common import photograph
from lossylab.course.exercises import Feedback
from lossylab.images import psnr_db, roundtrip
from lossylab.jpeg import forward_coefficients, quant_tables
from lossylab.jpeg_libjpeg import _ycbcr_to_rgb_libjpeg

__all__ = ["check", "edit_file", "lossy_steps"]


@dataclass(frozen=True, eq=False)
class _LossySteps:
    """Squared errors of JPEG's three lossy steps (fields: see :func:`lossy_steps`)."""

    colour_mse: float
    colour_changed: float
    subsampled_mse: float
    jpeg_mse: np.ndarray

    def shares(self, quality: int) -> tuple[float, float, float]:
        """MSE added by colour rounding, by 4:2:0 subsampling, by quantization, at ``quality``."""
        total = float(self.jpeg_mse[jpeg.check_quality(quality) - 1])
        return (self.colour_mse, self.subsampled_mse - self.colour_mse,
                total - self.subsampled_mse)


def lossy_steps(image: np.ndarray) -> _LossySteps:
    """Measure JPEG's three lossy steps on an RGB image (uint8, (H, W, 3); else a ValueError).

    With libjpeg's arithmetic, each undone as the decoder does: 1. RGB to 8-bit YCbCr and back
    (``colour_mse``; ``colour_changed``: the fraction of RGB values changed); 2. the same with
    4:2:0 subsampling and upsampling, no quantization (``subsampled_mse``: the ceiling of every
    4:2:0 JPEG); 3. the real JPEG at qualities 1 to 100 (``jpeg_mse[q - 1]``). MSE per RGB
    value; ``.shares(q)`` splits quality q's into the three steps.

    Examples
    --------
    >>> steps = lossy_steps(photograph("astronaut"))
    >>> [round(float(10 * np.log10(255**2 / mse)), 2) for mse in (steps.subsampled_mse,
    ...                                                         steps.jpeg_mse[-1])]
    [40.36, 40.28]
    """
    rgb = np.asarray(image)
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"image must be RGB, uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
    samples = jpeg.to_samples(jpeg.rgb_to_ycbcr(rgb, method="libjpeg"))
    back = _ycbcr_to_rgb_libjpeg(samples).astype(np.uint8)
    pad = ((0, 0), (0, -rgb.shape[1] % 16))  # libjpeg pads the chroma to whole blocks first
    subsampled = samples.copy()
    for k in (1, 2):
        subsampled[..., k] = jpeg.upsample(jpeg.subsample_420(np.pad(samples[..., k], pad, "edge")),
                                           rgb.shape[:2])
    both = _ycbcr_to_rgb_libjpeg(subsampled).astype(np.uint8)
    jpeg_mse = np.array([_mse(rgb, roundtrip(rgb, q).decoded) for q in range(1, 101)])
    jpeg_mse.setflags(write=False)
    return _LossySteps(_mse(rgb, back), float(np.mean(back != rgb)), _mse(rgb, both), jpeg_mse)


def _mse(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared difference of two uint8 arrays, exact (integer sums)."""
    d = a.astype(np.int64) - b
    return int((d * d).sum()) / d.size


@dataclass(frozen=True, eq=False)
class _Edit:
    """An edited JPEG file and what the decoder made of it (fields: see :func:`edit_file`)."""

    data: bytes
    decoded: np.ndarray | None
    message: str
    n_scan_bits: int


@lru_cache(maxsize=4)
def _unedited(data: bytes) -> tuple[np.ndarray, int, int]:
    """A file's decoded pixels (read-only), its scan's offset and length in bits (cached)."""
    pixels = jpeg_decode.reconstruct(jpeg_decode.decode_coefficients(data))
    pixels.setflags(write=False)
    sos = next(s for s in jpeg_decode.read_segments(data) if s.name == "SOS")
    return pixels, sos.offset + 2 + sos.length, 8 * (sos.n_bytes - 2 - sos.length)


def edit_file(data: bytes, *, dqt: tuple[int, int, int] | None = None,
              zero_position: int | None = None, flip_bit: int | None = None) -> _Edit:
    """Edit a baseline JPEG file (from Pillow) and decode it with the numpy decoder.

    ``dqt=(table, k, value)`` stores ``value`` (0-255) at zig-zag position ``k`` of table 0
    (luma) or 1 (chroma), a byte of the file; ``zero_position=k`` zeroes position ``k`` in
    every block after the Huffman decoding; ``flip_bit`` flips that bit of the entropy-coded
    scan (0: the first). Returns ``.data`` (edited), ``.decoded`` (None when the decoder
    refuses the file), ``.message`` (what it reported) and ``.n_scan_bits``.

    Examples
    --------
    >>> from lossylab.images import roundtrip
    >>> data = roundtrip(photograph("astronaut")[:64, :64], 50).data
    >>> edit_file(data, dqt=(0, 0, 255)).message  # doctest: +ELLIPSIS
    'decoded: ... dB against the unedited file'
    """
    original, start, n_bits = _unedited(bytes(data))
    edited = bytearray(data)
    if dqt is not None:
        table, k, value = dqt
        if not (table in (0, 1) and 0 <= k < 64 and 0 <= value <= 255):
            raise ValueError(f"dqt must be (table 0 or 1, k 0-63, value 0-255), got {dqt}")
        segment = next(s for s in jpeg_decode.read_segments(data)
                       if s.name == "DQT" and s.payload[0] & 15 == table)
        edited[segment.offset + 5 + k] = value
    if flip_bit is not None:
        if not 0 <= flip_bit < n_bits:
            raise ValueError(f"flip_bit must be from 0 to {n_bits - 1}, got {flip_bit}")
        edited[start + flip_bit // 8] ^= 0x80 >> (flip_bit % 8)
    if zero_position is not None and not 0 <= zero_position < 64:
        raise ValueError(f"zero_position must be from 0 to 63, got {zero_position}")
    try:
        coefs = jpeg_decode.decode_coefficients(bytes(edited))
        if zero_position is not None:
            u, v = divmod(int(jpeg.ZIGZAG[zero_position]), 8)
            for c in coefs.components:  # (n_by, n_bx, 8, 8), natural order, fresh arrays
                c.coefficients[..., u, v] = 0
        decoded = jpeg_decode.reconstruct(coefs)
    except ValueError as err:  # JPEGFormatError, UnsupportedJPEGError: a clean refusal
        return _Edit(bytes(edited), None, f"refused: {err}", n_bits)
    quality = psnr_db(original, decoded, data_range=255)  # the frame header is never edited
    return _Edit(bytes(edited), decoded, f"decoded: {quality:.2f} dB against the unedited file",
                 n_bits)


def _check_dc_step(answer: float) -> Feedback:
    """Exercise 03.1: the luma quantization step of the DC coefficient at quality 30."""
    return Feedback.number(
        answer, int(quant_tables(30).luma[0, 0]), rel=1e-9,
        right="Below quality 50 the tables grow as 5000 / quality: coarser steps, smaller files.",
        hint="Which branch of the scale formula of section 5 applies below quality 50? Then "
        "scale the DC entry of the quality-50 table (16) with the table formula.")


def _check_flat_block_dc(answer: float) -> Feedback:
    """Exercise 03.2: the quantized DC of a flat block of grey level 200 at quality 75."""
    return Feedback.number(
        answer, round(8 * (200 - 128) / int(quant_tables(75).luma[0, 0])), rel=1e-9,
        right="A flat block has one non-zero coefficient: everything else is an EOB.",
        hint="Level-shift first (subtract 128); the DC of the orthonormal DCT is 8 times the "
        "block's mean; then divide by the DC step of the quality-75 luma table and round.")


def _check_zero_fraction(answer: float) -> Feedback:
    """Exercise 03.3: fraction of zero luma coefficients of the astronaut at quality 50."""
    luma = forward_coefficients(photograph("astronaut"), 50).components[0].coefficients
    return Feedback.number(
        answer, float((luma == 0).mean()), rel=5e-3,
        right="Most of the 64 numbers per block are zero: that is where the bytes are saved.",
        hint="Use forward_coefficients(image, 50).components[0].coefficients (the luma) and "
        "take the mean of (coefficients == 0); give a fraction between 0 and 1, not a percent.")


_CHECKS = {"dc_step": _check_dc_step, "flat_block_dc": _check_flat_block_dc,
           "zero_fraction": _check_zero_fraction}


def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 03's exercises (names below).

    ``exercise`` is ``"dc_step"`` (03.1), ``"flat_block_dc"`` (03.2) or ``"zero_fraction"`` (03.3).

    Examples
    --------
    >>> check("flat_block_dc", 72)
    ✔ Right. A flat block has one non-zero coefficient: everything else is an EOB.
    >>> check("zero_fraction", 50).correct  # a percent, not a fraction
    False
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)
