"""Self-checks of notebook 05: right answers pass, wrong ones get a hint without the answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lossylab import data
from lossylab.course import nb05 as course
from lossylab.grammar import SyntheticLanguage

SENTENCE = "the dogs that the cat chases run.\n"


def test_sentence_bits() -> None:
    bits = -SyntheticLanguage().log2_prob(SENTENCE)
    assert course.check("sentence_bits", bits).correct
    wrong = course.check("sentence_bits", -bits)
    assert not wrong.correct and "sign" in wrong.message
    assert f"{bits:.2f}" not in course.check("sentence_bits", 1.0).message


@pytest.mark.parametrize(("sentence", "correct"), [
    ("the dogs that the cat chases runs.\n", True),  # agreement broken across the clause
    ("the dog runs.\n", False),  # valid: not a hallucination
    ("zq xv kk wp jj.\n", False),  # invalid but expensive
    ("short.\n", False),
])
def test_plausible_hallucination(sentence: str, correct: bool) -> None:
    assert course.check("plausible_hallucination", sentence).correct is correct


def test_line_bits() -> None:
    folder = os.environ.get("LOSSYLAB_DATA_DIR", "").strip()
    if not folder or not (Path(folder).expanduser() / data.SHAKESPEARE_FILENAME).is_file():
        pytest.skip("LOSSYLAB_DATA_DIR does not point at a folder with tinyshakespeare.txt")
    line = data.shakespeare_split().test[: course.HELD_OUT_LINE_CHARS]
    model = course.shakespeare_ladder()[4]
    assert course.check("line_bits", model.bits_per_char(line)).correct
    assert not course.check("line_bits", model.bits_per_char(line) + 0.1).correct


def test_one_entry_point_names_the_exercises() -> None:
    wrong = course.check("entropy", 1.0)
    assert not wrong.correct
    assert "'line_bits', 'sentence_bits', 'plausible_hallucination'" in wrong.message
