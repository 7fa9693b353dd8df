"""Notebook 05: the Shakespeare n-gram ladder (cached) and the answers to its exercises.

The ladder is counted once per session (~2 s). Cached results are read-only (counts,
a frozen curve of tuples, a mapping of samples): a cell cannot corrupt the next call's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from lossylab.course.exercises import Feedback
from lossylab.course.synthetic import SENTENCE_PROMPT, synthetic_ladder_model
from lossylab.data import shakespeare_split
from lossylab.grammar import END, SyntheticLanguage
from lossylab.ngram import MAX_ORDER, NGramLM, fit_ngram_ladder, ladder_code_lengths

__all__ = ["HELD_OUT_LINE_CHARS", "SAMPLE_TEMPERATURES", "check", "shakespeare_curve",
           "shakespeare_ladder", "shakespeare_samples"]

SAMPLE_TEMPERATURES = (0.5, 1.0, 1.5)
HELD_OUT_LINE_CHARS = 64  # exercise 1: the first 64 characters of the held-out text


@dataclass(frozen=True)
class _LadderCurve:
    """Train and held-out bits/char of the ladder (see :func:`shakespeare_curve`)."""

    orders: tuple[int, ...]
    n_params: tuple[int, ...]
    train_bits_per_char: tuple[float, ...]
    test_bits_per_char: tuple[float, ...]


@lru_cache(maxsize=1)
def shakespeare_ladder() -> tuple[NGramLM, ...]:
    """n-gram models of orders 0..10 fitted on the Tiny Shakespeare training split (cached)."""
    return tuple(fit_ngram_ladder(shakespeare_split().train, max_order=MAX_ORDER))


@lru_cache(maxsize=1)
def shakespeare_curve() -> _LadderCurve:
    """Bits per character of every order of :func:`shakespeare_ladder` (cached), read-only.

    Tuples ``orders``, ``n_params``, ``train_bits_per_char`` (on the first 111,540 training
    characters, as many as held out) and ``test_bits_per_char`` (on the held-out 10%).
    """
    split, models = shakespeare_split(), list(shakespeare_ladder())
    train = ladder_code_lengths(models, split.train[: len(split.test)]).mean(axis=1)
    test = ladder_code_lengths(models, split.test).mean(axis=1)
    return _LadderCurve(tuple(m.order for m in models), tuple(m.n_params for m in models),
                        tuple(float(b) for b in train), tuple(float(b) for b in test))


@lru_cache(maxsize=16)
def shakespeare_samples(order: int, *, n_chars: int = 300,
                        seed: int = 0) -> MappingProxyType[float, str]:
    """One sample per temperature of ``SAMPLE_TEMPERATURES`` from the order-k model (cached).

    A read-only mapping: temperature -> text of ``n_chars`` characters.
    """
    model = shakespeare_ladder()[order]
    texts = model.sample_streams(len(SAMPLE_TEMPERATURES), n_chars,
                                 temperature=list(SAMPLE_TEMPERATURES), seed=seed)
    return MappingProxyType(dict(zip(SAMPLE_TEMPERATURES, texts, strict=True)))


# --- the exercises ----------------------------------------------------------------------
def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 05's exercises.

    Parameters
    ----------
    exercise : {"line_bits", "sentence_bits", "plausible_hallucination"}
        Exercise 05.1, 05.2 or 05.3.
    *answer, **named
        Your answer: a number of bits (05.1, 05.2) or a sentence ending with ".\\n" (05.3).

    Returns
    -------
    Feedback
        Right, or not yet with a hint.

    Examples
    --------
    >>> check("plausible_hallucination", "the dog runs")
    ✘ Not yet. Give a sentence as a str of at least 10 characters ending with '.\\n'.
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)


def _check_line_bits(answer: float) -> Feedback:
    """Exercise 05.1: mean bits/char of the order-4 n-gram on the first 64 held-out characters."""
    line = shakespeare_split().test[:HELD_OUT_LINE_CHARS]
    expected = shakespeare_ladder()[4].bits_per_char(line)
    return Feedback.number(
        answer, expected, rel=1e-3,
        right="That is the mean of -log2 p(next character | the 4 before it) over the line.",
        hint="Loop over t, take p = model.next_probs(line[max(0, t - 4):t]) and the entry of "
        "model.symbols(line[t])[0]; average -log2 of those 64 numbers.")


def _check_sentence_bits(answer: float) -> Feedback:
    """Exercise 05.2: -log2 p_true of "the dogs that the cat chases run.\\n" in bits."""
    expected = -SyntheticLanguage().log2_prob("the dogs that the cat chases run.\n")
    if Feedback.is_close(answer, -expected, rel=1e-3):
        return Feedback(False, "Mind the sign: a code length is -log2 p, a positive number.")
    return Feedback.number(
        answer, expected, rel=1e-3,
        right="That many bits is what an ideal code for the true language spends on it.",
        hint="Use the language's log2_prob on the sentence, with its final '.\\n'.")


def _check_plausible_hallucination(sentence: str) -> Feedback:
    """Exercise 05.3: an invalid sentence that the order-4 model finds cheap (< 1.6 bits/char)."""
    if not isinstance(sentence, str) or not sentence.endswith(END) or len(sentence) < 10:
        return Feedback(False, "Give a sentence as a str of at least 10 characters ending "
                        "with '.\\n'.")
    if SyntheticLanguage().is_valid(sentence):
        return Feedback(False, "The grammar accepts that sentence (p_true > 0), so it is no "
                        "hallucination. Break the agreement of subject and verb.")
    model = synthetic_ladder_model(4, 10_000)
    bits = model.code_lengths(SENTENCE_PROMPT + sentence)[len(SENTENCE_PROMPT):].mean()
    if bits >= 1.6:
        return Feedback(False, f"Invalid, but the model spends {bits:.2f} bits/char on it: "
                        "keep every 5-character window natural and break only long-range rules.")
    return Feedback(True, f"A hallucination the model likes: p_true = 0, only {bits:.2f} "
                    "bits/char for the 4-gram.")


_CHECKS = {"line_bits": _check_line_bits, "sentence_bits": _check_sentence_bits,
           "plausible_hallucination": _check_plausible_hallucination}
