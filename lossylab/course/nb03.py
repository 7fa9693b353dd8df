"""Notebook 03 (JPEG, step by step): the answers of its exercises."""

from __future__ import annotations

from lossylab.course.common import photograph
from lossylab.course.exercises import Feedback, _number_feedback
from lossylab.jpeg import forward_coefficients, quant_tables

__all__ = ["check_dc_step", "check_flat_block_dc", "check_zero_fraction"]


def check_dc_step(answer: float) -> Feedback:
    """Exercise 03.1: the luma quantization step of the DC coefficient at quality 30.

    Examples
    --------
    >>> check_dc_step(16).correct
    False
    """
    expected = int(quant_tables(30).luma[0, 0])
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="Below quality 50 the tables grow as 5000 / quality: coarser steps, smaller files.",
        hint="Quality 30 is below 50, so the scale is 5000 // 30 percent; then "
        "(16 * scale + 50) // 100, clipped to 1..255.",
    )


def check_flat_block_dc(answer: float) -> Feedback:
    """Exercise 03.2: the quantized DC of a flat block of grey level 200 at quality 75.

    Examples
    --------
    >>> check_flat_block_dc(72).correct
    True
    """
    expected = round(8 * (200 - 128) / int(quant_tables(75).luma[0, 0]))
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="A flat block has one non-zero coefficient: everything else is an EOB.",
        hint="Level-shift first (subtract 128); the DC of the orthonormal DCT is 8 times the "
        "block's mean; then divide by the DC step of the quality-75 luma table and round.",
    )


def check_zero_fraction(answer: float) -> Feedback:
    """Exercise 03.3: fraction of zero luma coefficients of the astronaut at quality 50.

    Examples
    --------
    >>> check_zero_fraction(50).correct  # a percent, not a fraction
    False
    """
    luma = forward_coefficients(photograph("astronaut"), 50).components[0].coefficients
    return _number_feedback(
        answer, float((luma == 0).mean()), rel=5e-3,
        right="Most of the 64 numbers per block are zero: that is where the bytes are saved.",
        hint="Use forward_coefficients(image, 50).components[0].coefficients (the luma) and "
        "take the mean of (coefficients == 0); give a fraction between 0 and 1, not a percent.",
    )
