"""Tests for lossylab.course.synthetic: n-grams measured against the exact p_true (05, 07)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lossylab.course import synthetic
from lossylab.distributions import mode_collapse_mass
from lossylab.grammar import END, SyntheticLanguage
from lossylab.ngram import NGramLM


def _arrays(obj: object, seen: set[int] | None = None) -> list[np.ndarray]:
    """Every numpy array inside ``obj`` (containers and object attributes)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, (list, tuple)):
        items = list(obj)
    elif isinstance(obj, dict):
        items = list(obj.values())
    elif type(obj).__module__.startswith("lossylab") and hasattr(obj, "__dict__"):
        items = list(vars(obj).values())
    else:
        return []
    return [a for item in items for a in _arrays(item, seen)]


# --- the two named setups ----------------------------------------------------------------------


def test_the_two_setups_draw_their_own_sentences() -> None:
    small, large = synthetic.synthetic_setup("07"), synthetic.synthetic_setup("05")
    assert (len(small.train), len(small.test)) == (3_000, 1_000)
    assert (len(large.train), len(large.test)) == (100_000, 1_000)
    assert small.train[:3] != large.train[:3] and small.test[:3] != large.test[:3]
    assert small.train == tuple(SyntheticLanguage().sample(3_000, seed=1))
    assert large.test == tuple(SyntheticLanguage().sample(1_000, seed=12_345))
    for data in (small, large):
        assert data.train_text == "".join(data.train) and data.test_text == "".join(data.test)
        # the exact code length of the held-out sample is close to the exact entropy rate
        assert data.test_true_bits_per_char == pytest.approx(data.entropy_bits_per_char,
                                                             abs=0.05)
    with pytest.raises(ValueError, match="setup must be one of"):
        synthetic.synthetic_setup("06")


def test_setups_are_cached_read_only() -> None:
    data = synthetic.synthetic_setup("07")
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.train = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        data.train[0] = "a dog runs.\n"  # type: ignore[index]
    arrays = _arrays(data.language)
    assert arrays and not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError, match="read-only"):
        arrays[0][...] = 0
    assert synthetic.synthetic_setup("07") is data
    assert data.language.log2_prob(data.test[0]) == SyntheticLanguage().log2_prob(data.test[0])


# --- the n-gram ladders ----------------------------------------------------------------------


def test_ladder_models_are_one_count_cached_and_checked() -> None:
    model = synthetic.synthetic_ladder_model(4, setup="07")
    assert model.order == 4 and synthetic.synthetic_ladder_model(4, 3_000, setup="07") is model
    assert synthetic.synthetic_ladder_model(2, 100).n_params < synthetic.synthetic_ladder_model(
        2, 1_000).n_params
    with pytest.raises(ValueError, match="order must be an int from 0 to 8"):
        synthetic.synthetic_ladder_model(9, setup="07")
    with pytest.raises(ValueError, match=r"n_sentences must be one of \(3000,\) in setup '07'"):
        synthetic.synthetic_ladder_model(2, 1_000, setup="07")
    with pytest.raises(ValueError, match="n_sentences must be one of"):
        synthetic.synthetic_ladder_model(2, 500)


def test_ladder_counts_are_read_only() -> None:
    model = synthetic.synthetic_ladder_model(3, setup="07")
    text = synthetic.synthetic_setup("07").test_text[:500]
    before = model.bits_per_char(text)
    arrays = _arrays(model)
    assert arrays and not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError, match="read-only"):
        max(arrays, key=len)[0] = 0
    assert synthetic.synthetic_ladder_model(3, setup="07").bits_per_char(text) == before
    for bits in synthetic._ladder_bits("07", 3_000):
        with pytest.raises(ValueError, match="read-only"):
            bits[0] = 0.0


# --- sampled sentences and what they are -------------------------------------------------------


def test_first_sentences_are_seeded_cut_at_the_end_and_scored() -> None:
    model = NGramLM(2).fit("ab.\nba.\nabba.\n" * 10)
    sentences, log2_probs = synthetic.first_sentences(model, 10, setup="07", seed=4)
    assert sentences == synthetic.first_sentences(model, 10, setup="07", seed=4)[0]
    assert isinstance(sentences, tuple)
    assert all(s.endswith(END) and s.count(END) == 1 for s in sentences if END in s)
    np.testing.assert_allclose(log2_probs, model.sequence_log2_probs(
        sentences, prompt=synthetic.SENTENCE_PROMPT))
    with pytest.raises(ValueError, match="read-only"):
        log2_probs[0] = 0.0


def test_points_classify_their_samples_with_the_one_definition_of_each_face() -> None:
    point = synthetic.synthetic_point(6, setup="07")
    data = synthetic.synthetic_setup("07")
    model = synthetic.synthetic_ladder_model(6, setup="07")
    assert len(point.samples) == len(point.kinds) == point.faces.n_model == 400
    log2_model = model.sequence_log2_probs(point.samples, prompt=synthetic.SENTENCE_PROMPT)
    seen = set(data.train)
    for sentence, kind, lm in zip(point.samples, point.kinds, log2_model, strict=True):
        invented = data.language.log2_prob(sentence) <= lm - np.log2(synthetic.R)
        assert kind == ("memorized" if sentence in seen else
                        "hallucinated" if invented else "generalized")
    f = point.faces
    assert (f.memorization, f.generalization, f.hallucination) == tuple(
        point.kinds.count(k) / 400 for k in ("memorized", "generalized", "hallucinated"))
    assert f.invalid <= f.hallucination and f.n_true == 500 and 0 < f.mode_collapse <= 1
    assert point.kl_bits_per_char == point.test_bits_per_char - data.test_true_bits_per_char
    assert point.test_bits_per_char == pytest.approx(model.bits_per_char(data.test_text),
                                                     abs=1e-12)


def test_points_are_cached_frozen_and_checked() -> None:
    point = synthetic.synthetic_point(4, 1_000)
    assert synthetic.synthetic_point(4, 1_000, setup="05") is point
    assert point.faces.n_model == 400 and point.n_sentences == 1_000
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.faces.memorization = 1.0  # type: ignore[misc]
    assert isinstance(point.samples, tuple) and isinstance(point.kinds, tuple)
    with pytest.raises(ValueError, match="order must be an int from 0 to 8"):
        synthetic.synthetic_point(99, setup="07")
    with pytest.raises(ValueError, match="setup must be one of"):
        synthetic.synthetic_point(2, setup="5")


# --- exact distributions over the small language -------------------------------------------------


def test_exact_faces_are_aligned_exact_and_sum_to_one() -> None:
    small = synthetic.small_language()
    train = small.sample(500, seed=0)
    model = NGramLM(3).fit("".join(train))
    dist = synthetic.exact_faces(model, train)
    assert len(dist.p_true) == len(dist.sentences) + 1 == 505
    assert dist.p_true.sum() == pytest.approx(1.0) and dist.p_model.sum() == pytest.approx(1.0)
    assert dist.p_true[-1] == 0.0 and 0.0 < dist.p_model[-1] < 1.0
    i = 7
    expected = 2.0 ** model.sequence_log2_probs([dist.sentences[i]],
                                                prompt=synthetic.SENTENCE_PROMPT)[0]
    assert dist.p_model[i] == pytest.approx(expected, rel=1e-9)
    # the sampled sentences of the model follow p_model: frequencies against probabilities
    drawn = model.sample_streams(3000, 60, seed=1, prompt=synthetic.SENTENCE_PROMPT)
    first = [s[: s.index(END) + 2] if END in s else s for s in drawn]
    top = int(np.argmax(dist.p_model[:-1]))
    assert first.count(dist.sentences[top]) / 3000 == pytest.approx(dist.p_model[top], abs=0.02)
    f = dist.faces
    assert f.memorization == pytest.approx(dist.p_model[dist.seen].sum())
    assert f.memorization + f.generalization + f.hallucination == pytest.approx(1.0)
    assert f.invalid >= dist.p_model[-1] and f.mode_collapse == mode_collapse_mass(
        dist.p_true, dist.p_model)
    assert dist.seen.sum() == len(set(train)) and not dist.seen[-1]
