"""Self-check functions for the notebooks' exercises.

Each ``check_*`` function takes the learner's answer and returns a :class:`Feedback`
that says right or wrong with a hint, without revealing the answer. Nothing is
printed: the notebook shows the returned object.

Examples
--------
>>> fb = Feedback(correct=False, message="Count the states first.")
>>> fb.correct
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    """The verdict of a self-check: ``correct`` and a message (a hint when wrong)."""

    correct: bool
    message: str

    def __str__(self) -> str:
        mark = "✔ Right." if self.correct else "✘ Not yet."
        return f"{mark} {self.message}"

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def _close(answer: float, expected: float, *, rel: float = 1e-3, abs_: float = 1e-6) -> bool:
    """True when ``answer`` is a finite number within tolerance of ``expected``."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return False
    return math.isfinite(value) and math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


def _number_feedback(answer: float, expected: float, *, right: str, hint: str,
                     rel: float = 1e-3) -> Feedback:
    """Compare a numeric answer with the expected value and return right/wrong with a hint."""
    if _close(answer, expected, rel=rel):
        return Feedback(True, right)
    return Feedback(False, hint)


# --- 01 distributions ------------------------------------------------------------------


def check_entropy(answer: float | None) -> Feedback:
    """Exercise 01.1: the entropy of (1/2, 1/4, 1/8, 1/16, 1/16), in bits.

    Examples
    --------
    >>> check_entropy(None).correct
    False
    """
    from lossylab.distributions import entropy

    expected = entropy([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 16])
    return _number_feedback(
        answer, expected, right="Each outcome costs -log2 p bits; the entropy is their average.",
        hint="Average the code lengths -log2 p(x): 1 bit for 1/2, 2 bits for 1/4, and so on, "
             "each weighted by its probability.")


def check_channel_entropy(*, deterministic_can_raise: bool | None,
                          stochastic_can_raise: bool | None) -> Feedback:
    """Exercise 01.2: which kinds of channel can raise entropy (two booleans)."""
    if deterministic_can_raise is None or stochastic_can_raise is None:
        return Feedback(False, "Answer both parts with True or False.")
    if deterministic_can_raise:
        return Feedback(False, "A function can merge states but never split them: what does "
                               "merging p1 and p2 into one entry do to -sum p log p?")
    if not stochastic_can_raise:
        return Feedback(False, "Push a point mass through the noisy channel and compare the "
                               "entropies before and after.")
    return Feedback(True, "Merging only lowers entropy; a stochastic channel adds its own "
                          "randomness, which can raise it.")


def check_max_output_entropy(answer: float | None) -> Feedback:
    """Exercise 01.3: the largest entropy of an 8-level quantizer's output, in bits."""
    return _number_feedback(
        answer, math.log2(8), right="At most 8 outputs, so at most log2(8) bits, reached "
                                    "only when the 8 bins are equally likely.",
        hint="The output takes at most 8 values. Which distribution on 8 values has the largest "
             "entropy, and what is it?")


# --- 02 learning -----------------------------------------------------------------------


def check_mdl_k(answer: int | None) -> Feedback:
    """Exercise 02.1: the K that minimises the two-part code at the default data size."""
    from lossylab.distributions import LEARNING_DEFAULT_N, learning_curve

    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.mdl_k:
        return Feedback(True, "That K minimises model bits + data bits.")
    return Feedback(False, f"Read the two-part code curve at N = {LEARNING_DEFAULT_N}: find the K "
                           "where model bits + data bits is smallest (not the train bits).")


def check_heldout_k(answer: int | None) -> Feedback:
    """Exercise 02.2: the K with the fewest held-out bits at the default data size."""
    from lossylab.distributions import LEARNING_DEFAULT_N, learning_curve

    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.heldout_k:
        return Feedback(True, "That K has the fewest held-out bits per sample.")
    return Feedback(False, f"Use the held-out curve at N = {LEARNING_DEFAULT_N}: the train curve "
                           "keeps falling with K, the held-out one does not.")


# --- 03 JPEG step by step --------------------------------------------------------------


# --- 04 JPEG round trips ---------------------------------------------------------------


# --- 05 tiny language model ------------------------------------------------------------


# --- 06 the LM as a compressor ---------------------------------------------------------


# --- 07 side by side -------------------------------------------------------------------
