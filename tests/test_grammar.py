"""Tests of the synthetic language: exact probabilities, exact entropy, seeded sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossylab.grammar import END, SyntheticLanguage

SMALL = dict(n_nouns=1, n_intransitive=1, n_transitive=1, n_adjectives=1, n_adverbs=1,
             n_prepositions=1, n_determiners=0, max_adjectives=1)
MEDIUM = dict(n_nouns=2, n_intransitive=2, n_transitive=1, n_adjectives=1, n_adverbs=1,
              n_prepositions=1, n_determiners=1, max_adjectives=1, p_relative=0.4)


@pytest.fixture(scope="module")
def lang() -> SyntheticLanguage:
    return SyntheticLanguage()


@pytest.mark.parametrize("config", [SMALL, MEDIUM])
def test_enumerated_probabilities_sum_to_one(config: dict) -> None:
    small = SyntheticLanguage(**config)
    sentences = dict(small.sentences())
    assert len(sentences) > 100
    assert sum(sentences.values()) == pytest.approx(1.0, abs=1e-12)
    for sentence, p in list(sentences.items())[:200]:
        assert small.log2_prob(sentence) == pytest.approx(math.log2(p), abs=1e-9)


@pytest.mark.parametrize("config", [SMALL, MEDIUM])
def test_exact_entropy_and_length_match_enumeration(config: dict) -> None:
    small = SyntheticLanguage(**config)
    pairs = list(small.sentences())
    entropy = -sum(p * math.log2(p) for _, p in pairs)
    mean_chars = sum(p * len(s) for s, p in pairs)
    assert small.entropy_bits_per_sentence() == pytest.approx(entropy, rel=1e-12)
    assert small.mean_chars_per_sentence() == pytest.approx(mean_chars, rel=1e-12)
    assert small.entropy_bits_per_char() == pytest.approx(entropy / mean_chars, rel=1e-12)


def test_sample_frequencies_match_probabilities() -> None:
    small = SyntheticLanguage(**SMALL)
    drawn = small.sample(20_000, seed=3)
    top = max(small.sentences(), key=lambda pair: pair[1])
    assert drawn.count(top[0]) / 20_000 == pytest.approx(top[1], abs=0.01)


def test_entropy_matches_monte_carlo(lang: SyntheticLanguage) -> None:
    log2_p = np.array([lang.log2_prob(s) for s in lang.sample(5_000, seed=7)])
    estimate, stderr = -log2_p.mean(), log2_p.std() / math.sqrt(len(log2_p))
    assert abs(estimate - lang.entropy_bits_per_sentence()) < 4 * stderr


def test_samples_are_valid_seeded_and_delimited(lang: SyntheticLanguage) -> None:
    sentences = lang.sample(300, seed=0)
    assert sentences == lang.sample(300, seed=0) and sentences != lang.sample(300, seed=1)
    assert all(s.endswith(END) and s.count("\n") == 1 for s in sentences)
    assert all(lang.is_valid(s) for s in sentences)
    assert set("".join(sentences)) <= set(lang.alphabet)
    assert lang.sample(0) == []


@pytest.mark.parametrize("bad", [
    "", ".\n", "the dog run.\n", "the dogs runs.\n", "dog the runs.\n", "the dog  runs.\n",
    "the dog runs quickly slowly.\n", "the unicorn runs.\n", "the dog that the cats chase run.\n",
    "the dog runs.\n\n", "the dog sees.\n", "THE dog runs.\n", "the dog runs 😀.\n",
])
def test_invalid_strings_get_minus_infinity(lang: SyntheticLanguage, bad: str) -> None:
    assert lang.log2_prob(bad) == -math.inf and not lang.is_valid(bad)


def test_agreement_across_the_relative_clause(lang: SyntheticLanguage) -> None:
    assert lang.is_valid("the dog that the cats chase runs.\n")
    assert lang.is_valid("the dogs that the cat chases run.\n")
    assert not lang.is_valid("the dogs that the cat chases runs.\n")


def test_final_delimiter_is_optional(lang: SyntheticLanguage) -> None:
    assert lang.log2_prob("the dog runs") == lang.log2_prob("the dog runs.\n") > -math.inf


def test_vocabulary_is_a_few_hundred_words(lang: SyntheticLanguage) -> None:
    assert 200 <= len(lang.words) <= 500
    assert lang.entropy_bits_per_char() == pytest.approx(0.8412, abs=1e-4)  # computed 2026-11-26


def test_enumeration_limit() -> None:
    with pytest.raises(ValueError, match="more than limit=10 sentences"):
        list(SyntheticLanguage().sentences(limit=10))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"n_nouns": 0}, "n_nouns must be an int >= 1"),
    ({"n_determiners": 6}, "n_determiners must be an int from 0 to 5"),
    ({"p_relative": 1.0}, r"p_relative must be in \[0, 1\)"),
    ({"max_adjectives": -1}, "max_adjectives must be an int >= 0"),
])
def test_configuration_is_validated(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SyntheticLanguage(**kwargs)


def test_bad_inputs_raise(lang: SyntheticLanguage) -> None:
    with pytest.raises(TypeError, match="sentence must be a str"):
        lang.log2_prob(b"the dog runs")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_sentences must be an int >= 0"):
        lang.sample(-1)

