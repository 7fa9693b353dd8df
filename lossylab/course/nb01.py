"""Notebook 01: the exercises' answers."""

from __future__ import annotations

import math

from lossylab.course.exercises import Feedback, _number_feedback

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
