"""Notebook 03: the exercises' answers."""

from __future__ import annotations

from lossylab.course.exercises import Feedback, _number_feedback

# --- 03 JPEG step by step --------------------------------------------------------------


def check_dc_step(answer: float) -> Feedback:
    """Exercise 03.1: the luma quantization step of the DC coefficient at quality 30."""
    from lossylab.jpeg import quant_tables

    expected = int(quant_tables(30).luma[0, 0])
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="Below quality 50 the tables grow as 5000 / quality: coarser steps, smaller files.",
        hint="Quality 30 is below 50, so the scale is 5000 // 30 percent; then "
        "(16 * scale + 50) // 100, clipped to 1..255.",
    )


def check_flat_block_dc(answer: float) -> Feedback:
    """Exercise 03.2: the quantized DC of a flat block of grey level 200 at quality 75."""
    from lossylab.jpeg import quant_tables

    expected = round(8 * (200 - 128) / int(quant_tables(75).luma[0, 0]))
    return _number_feedback(
        answer, expected, rel=1e-9,
        right="A flat block has one non-zero coefficient: everything else is an EOB.",
        hint="Level-shift first (subtract 128); the DC of the orthonormal DCT is 8 times the "
        "block's mean; then divide by the DC step of the quality-75 luma table and round.",
    )


def check_zero_fraction(answer: float) -> Feedback:
    """Exercise 03.3: fraction of zero luma coefficients of the astronaut at quality 50."""
    from lossylab.data import sample_image
    from lossylab.jpeg import forward_coefficients

    luma = forward_coefficients(sample_image("astronaut"), 50).components[0].coefficients
    return _number_feedback(
        answer, float((luma == 0).mean()), rel=5e-3,
        right="Most of the 64 numbers per block are zero: that is where the bytes are saved.",
        hint="Use forward_coefficients(image, 50).components[0].coefficients (the luma) and "
        "take the mean of (coefficients == 0); give a fraction between 0 and 1, not a percent.",
    )
