"""Notebook 03 (JPEG, step by step): the answers of its exercises, behind one :func:`check`."""

from __future__ import annotations

from lossylab.course.common import photograph
from lossylab.course.exercises import Feedback
from lossylab.jpeg import forward_coefficients, quant_tables

__all__ = ["check"]


def _check_dc_step(answer: float) -> Feedback:
    """Exercise 03.1: the luma quantization step of the DC coefficient at quality 30."""
    return Feedback.number(
        answer, int(quant_tables(30).luma[0, 0]), rel=1e-9,
        right="Below quality 50 the tables grow as 5000 / quality: coarser steps, smaller files.",
        hint="Quality 30 is below 50, so the scale is 5000 // 30 percent; then "
        "(16 * scale + 50) // 100, clipped to 1..255.")


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
