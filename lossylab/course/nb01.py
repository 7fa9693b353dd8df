"""Notebook 01: what the mismatch widget shows for one channel, and the exercises' answers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from lossylab.course.exercises import Feedback
from lossylab.distributions import description_bits, entropy, mismatch, push_forward

__all__ = ["channel_mismatch", "check"]


def channel_mismatch(p_true: np.ndarray, channel: np.ndarray, *,
                     r: float = 10.0) -> tuple[np.ndarray, dict[str, float]]:
    """Push p_true through a channel and measure what came out: the numbers of 01's widget.

    Parameters
    ----------
    p_true, channel : numpy.ndarray, shapes (n_states,), (n_states, n_out)
        The channel a row-stochastic matrix p(x'|x) (ValueError otherwise); ``r``
        (keyword-only) the factor of the two masses.

    Returns
    -------
    p_compressed : numpy.ndarray, shape (n_out,)
        ``push_forward(p_true, channel)``.
    numbers : dict of str to float
        The fields of :func:`lossylab.distributions.mismatch`'s record, and the
        :func:`~lossylab.distributions.description_bits` of both: ``table_true_bits``,
        ``table_model_bits``.

    Examples
    --------
    >>> p, numbers = channel_mismatch(np.array([0.5, 0.5]), np.eye(2))
    >>> numbers["kl_true_model_bits"], numbers["table_model_bits"]
    (0.0, 32.0)
    """
    p_model = push_forward(p_true, channel)
    numbers = dataclasses.asdict(mismatch(p_true, p_model, r=r))
    numbers.update(table_true_bits=description_bits(p_true),
                   table_model_bits=description_bits(p_model))
    return p_model, numbers


def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 01's exercises.

    Parameters
    ----------
    exercise : {"entropy", "channel_entropy", "max_output_entropy"}
        01.1, the entropy of (1/2, 1/4, 1/8, 1/16, 1/16) in bits; 01.2, which channels can
        raise entropy (``deterministic_can_raise=``, ``stochastic_can_raise=``, booleans);
        01.3, the largest entropy of an 8-level quantizer's output, in bits.
    *answer, **named
        Your answer (None while you have none).

    Examples
    --------
    >>> check("entropy", 1.875).correct, check("max_output_entropy", None).correct
    (True, False)
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)


def _check_entropy(answer: float | None) -> Feedback:
    """Exercise 01.1: the entropy of (1/2, 1/4, 1/8, 1/16, 1/16), in bits."""
    expected = entropy([1 / 2, 1 / 4, 1 / 8, 1 / 16, 1 / 16])
    return Feedback.number(
        answer, expected, right="Each outcome costs -log2 p bits; the entropy is their average.",
        hint="Average the code lengths -log2 p(x): 1 bit for 1/2, 2 bits for 1/4, and so on, "
             "each weighted by its probability.")


def _check_channel_entropy(*, deterministic_can_raise: bool | None,
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


def _check_max_output_entropy(answer: float | None) -> Feedback:
    """Exercise 01.3: the largest entropy of an 8-level quantizer's output, in bits."""
    return Feedback.number(
        answer, math.log2(8), right="At most 8 outputs, so at most log2(8) bits, reached "
                                    "only when the 8 bins are equally likely.",
        hint="The output takes at most 8 values. Which distribution on 8 values has the largest "
             "entropy, and what is it?")


_CHECKS = {"entropy": _check_entropy, "channel_entropy": _check_channel_entropy,
           "max_output_entropy": _check_max_output_entropy}
