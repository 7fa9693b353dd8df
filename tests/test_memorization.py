"""Tests of lossylab.memorization: the training index against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from lossylab import memorization


def brute_longest_common(sample: str, train: str) -> int:
    return max((j - i for i in range(len(sample)) for j in range(i + 1, len(sample) + 1)
                if sample[i:j] in train), default=0)


@pytest.mark.parametrize("seed", range(6))
def test_training_index_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    train = "".join(rng.choice(list("ab c"), size=300))
    sample = train[50:50 + 5 * seed] + "".join(rng.choice(list("ab cz"), size=40))
    index = memorization.TrainingIndex(train, n=4)
    assert index.longest_verbatim(sample) == brute_longest_common(sample, train)
    grams = [sample[i:i + 4] for i in range(len(sample) - 3)]
    assert index.ngram_in_train_fraction(sample) == pytest.approx(
        np.mean([g in train for g in grams]))


def test_invented_words_ignore_case_and_the_cut_last_word() -> None:
    index = memorization.TrainingIndex("To be, or not to be: that is the question.")
    assert index.invented_word_fraction("TO BE OR NOT TO BEE.") == pytest.approx(1 / 6)
    assert index.invented_word_fraction("to be or not to qu") == 0.0
    assert index.invented_word_fraction("") == 0.0


def test_memorization_gathers_the_three_measures_and_checks_its_text() -> None:
    index = memorization.TrainingIndex("the cat sat on the mat.")
    found = index.memorization("the cat sat on the mat. a cat!")
    assert found.longest_verbatim_chars == 23
    assert found.invented_word_fraction == pytest.approx(1 / 8)  # "a"
    with pytest.raises(TypeError, match="sample must be a str"):
        index.longest_verbatim(b"the cat")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="train must be a str"):
        memorization.TrainingIndex(b"the cat")  # type: ignore[arg-type]
