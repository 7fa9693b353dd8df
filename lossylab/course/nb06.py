"""Notebook 06: paying for the model, the standard compressors to beat, the exercises.

A static model of ``M`` bits coding ``N`` characters at ``b`` bits each costs ``b + M / N``
per character (:func:`adjusted_bits_per_char`); it beats a coder of rate ``b_ref`` from
``N = M / (b_ref - b)`` characters on (:func:`break_even_chars`).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

import pyppmd

from lossylab.course.exercises import Feedback
from lossylab.lm import CharLM, check_text

__all__ = ["PPMD_ORDER", "STANDARD_COMPRESSORS", "adjusted_bits_per_char", "break_even_chars",
           "check", "text_bits_per_char"]

# The classical compressors of every comparison (notebook 06, the benchmark): bytes in, bytes
# out; gzip without a timestamp; PPMd (variant I) predicts each byte from the 6 before it.
PPMD_ORDER = 6
STANDARD_COMPRESSORS: Mapping[str, Callable[[bytes], bytes]] = MappingProxyType({
    "gzip": lambda data: gzip.compress(data, 9, mtime=0),
    "bz2": lambda data: bz2.compress(data, 9),
    "xz": lambda data: lzma.compress(data, preset=6),
    "ppmd": lambda data: pyppmd.compress(data, max_order=PPMD_ORDER),
})


def adjusted_bits_per_char(bits_per_char: float, model_bits: float, n_chars: float) -> float:
    """``bits_per_char + model_bits / n_chars``: the rate when the decoder is sent the model too.

    >>> adjusted_bits_per_char(2.0, 800_000, 100_000)
    10.0
    """
    if not n_chars > 0:
        raise ValueError(f"n_chars must be a positive text length, got {n_chars!r}")
    return bits_per_char + model_bits / n_chars


def break_even_chars(bits_per_char: float, model_bits: float, *,
                     reference_bits_per_char: float) -> float:
    """``model_bits / (reference - bits_per_char)`` (or inf): then the model beats the reference.

    >>> break_even_chars(2.0, 800_000, reference_bits_per_char=3.0)
    800000.0
    """
    gain = reference_bits_per_char - bits_per_char  # bits saved per character
    return model_bits / gain if gain > 0 else float("inf")


def text_bits_per_char(text: str, models: Sequence[CharLM]) -> dict[str, float]:
    """Bits per character of a non-empty ``text`` under each model and under ``"gzip"`` (-9).

    >>> round(text_bits_per_char("ab" * 1000, [])["gzip"], 3)
    0.144
    """
    check_text(text, allow_empty=False)
    rates = {m.name: m.bits_per_char(text) for m in models}
    rates["gzip"] = 8 * len(STANDARD_COMPRESSORS["gzip"](text.encode("utf-8"))) / len(text)
    return rates


# --- the exercises ----------------------------------------------------------------------
def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer (a number, or None) to exercise 06.1 ``"interval_bits"``, 06.2
    ``"escape_bits"`` or 06.3 ``"break_even"``: a Feedback, right or not yet with a hint.

    >>> check("escape_bits", 32).correct, check("break_even", None).correct
    (True, False)
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)


def _check_interval_bits(answer: float | None) -> Feedback:
    """Exercise 06.1: bits of information of three characters with p = 1/2, 1/4, 1/8."""
    return Feedback.number(
        answer, 6.0, right="The width is the product of the probabilities, and -log2 of a "
                           "product is the sum of the code lengths 1 + 2 + 3.",
        hint="The final width is the product of the three probabilities; take -log2 of it "
             "(or add -log2 p for each character).")


def _check_escape_bits(answer: float | None) -> Feedback:
    """Exercise 06.2: extra bits of an escaped emoji (its UTF-8 bytes at 8 bits each)."""
    return Feedback.number(
        answer, 8.0 * len("\N{GRINNING FACE}".encode()),
        right="Four UTF-8 bytes at 8 bits each: the model knows nothing about it, so it pays "
              "the full raw price.",
        hint="Count the UTF-8 bytes of the emoji and multiply by the bits per byte.")


def _check_break_even(answer: float | None) -> Feedback:
    """Exercise 06.3: characters before a 100,000 x 8-bit model beats xz (2 vs 3 bits/char)."""
    return Feedback.number(
        answer, 100_000 * 8 / (3.0 - 2.0),
        right="The model costs 800,000 bits and saves 1 bit per character, so it pays for "
              "itself after 800,000 characters.",
        hint="Model size in bits divided by the bits saved per character (xz rate minus "
             "model rate).")


_CHECKS = {"interval_bits": _check_interval_bits, "escape_bits": _check_escape_bits,
           "break_even": _check_break_even}
