"""Tests of lossylab.course.nb06: paying for the model, the standard compressors, text rates."""

from __future__ import annotations

import math

import pyppmd
import pytest

from lossylab.course import nb06 as course
from lossylab.ngram import NGramLM


def test_adjusted_rate_and_break_even_agree() -> None:
    n_star = course.break_even_chars(2.0, 1e6, reference_bits_per_char=2.5)
    assert n_star == pytest.approx(2e6)
    assert course.adjusted_bits_per_char(2.0, 1e6, n_star) == pytest.approx(2.5)
    assert math.isinf(course.break_even_chars(2.5, 1e6, reference_bits_per_char=2.5))
    with pytest.raises(ValueError, match="n_chars must be a positive text length"):
        course.adjusted_bits_per_char(2.0, 1e6, 0)


def test_the_standard_compressors_are_read_only_and_lossless() -> None:
    text = ("To be, or not to be: that is the question. " * 50).encode()
    with pytest.raises(TypeError):
        course.STANDARD_COMPRESSORS["gzip"] = lambda data: data  # type: ignore[index]
    assert list(course.STANDARD_COMPRESSORS) == ["gzip", "bz2", "xz", "ppmd"]
    ppmd = course.STANDARD_COMPRESSORS["ppmd"](text)
    assert pyppmd.decompress(ppmd, max_order=course.PPMD_ORDER) == text
    sizes = {name: len(squeeze(text)) for name, squeeze in course.STANDARD_COMPRESSORS.items()}
    assert all(size < len(text) / 5 for size in sizes.values())
    assert course.STANDARD_COMPRESSORS["gzip"](text) == course.STANDARD_COMPRESSORS["gzip"](text)


def test_text_bits_per_char_scores_every_model_and_gzip() -> None:
    model = NGramLM(1).fit("to be or not to be")
    rates = course.text_bits_per_char("to be", [model])
    assert rates == {model.name: model.bits_per_char("to be"),
                     "gzip": 8 * len(course.STANDARD_COMPRESSORS["gzip"](b"to be")) / 5}
    with pytest.raises(ValueError, match="text is empty"):
        course.text_bits_per_char("", [model])
    with pytest.raises(TypeError, match="text must be a str"):
        course.text_bits_per_char(b"to be", [model])  # type: ignore[arg-type]


@pytest.mark.parametrize(("exercise", "right", "wrong"), [
    ("interval_bits", 6.0, 3.0),
    ("escape_bits", 32.0, 4.0),
    ("break_even", 800_000.0, 100_000.0),
])
def test_exercises_accept_the_answer_only(exercise: str, right: float, wrong: float) -> None:
    assert course.check(exercise, right).correct
    assert not course.check(exercise, wrong).correct
    assert not course.check(exercise, None).correct


def test_an_unknown_exercise_lists_the_exercises() -> None:
    wrong = course.check("break_even_chars", 1.0)
    assert not wrong.correct
    assert "'interval_bits', 'escape_bits', 'break_even'" in wrong.message


def test_the_interval_demo_s_claims_hold_mid_text() -> None:
    # notebook 06: from mid-text context, 'h' after 't' and 'i', 'n', 'g' after 'k' cost about
    # half a bit or less each, the surprising 'k' about five bits
    from lossylab import coding, data
    from lossylab.ngram import fit_ngram_ladder

    split = data.shakespeare_split()
    model = fit_ngram_ladder(split.train, max_order=3)[3]
    start = split.test.index("sink with the king") + len("sink with ")
    steps = coding.interval_narrowing("the king", model,
                                      context=split.test[start - 40:start]).steps
    bits = {step.char: step.bits for step in steps if step.char in "hkign"}
    assert max(bits[c] for c in "hign") < 0.51 and 4.5 < bits["k"] < 5.5
    fresh = coding.interval_narrowing("the king", model).steps
    assert fresh[1].bits > 3  # from a block start the same 'h' costs several bits
