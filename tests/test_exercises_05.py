"""Self-checks of notebook 05: right answers pass, wrong ones get a hint without the answer."""

from __future__ import annotations

import pytest

from lossylab.course import nb05 as course
from lossylab.grammar import SyntheticLanguage

SENTENCE = "the dogs that the cat chases run.\n"


def test_sentence_bits() -> None:
    bits = -SyntheticLanguage().log2_prob(SENTENCE)
    assert course.check_sentence_bits(bits).correct
    wrong = course.check_sentence_bits(-bits)
    assert not wrong.correct and "sign" in wrong.message
    assert f"{bits:.2f}" not in course.check_sentence_bits(1.0).message


@pytest.mark.parametrize(("sentence", "correct"), [
    ("the dogs that the cat chases runs.\n", True),  # agreement broken across the clause
    ("the dog runs.\n", False),  # valid: not a hallucination
    ("zq xv kk wp jj.\n", False),  # invalid but expensive
    ("short.\n", False),
])
def test_plausible_hallucination(sentence: str, correct: bool) -> None:
    assert course.check_plausible_hallucination(sentence).correct is correct


def test_line_bits() -> None:
    from lossylab import data

    folder = data.data_dir()
    if folder is None or not (folder / data.SHAKESPEARE_FILENAME).is_file():
        pytest.skip("LOSSYLAB_DATA_DIR does not point at a folder with tinyshakespeare.txt")
    from lossylab.course.nb05 import shakespeare_ladder

    line = data.shakespeare_split().test[: course.HELD_OUT_LINE_CHARS]
    model = shakespeare_ladder()[4]
    assert course.check_line_bits(model.bits_per_char(line)).correct
    assert not course.check_line_bits(model.bits_per_char(line) + 0.1).correct
