"""Tests for lossylab.course.nb07: the side-by-side measurements of notebook 07."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from lossylab.course import nb07 as course
from lossylab.course import synthetic
from lossylab.course.common import photograph
from lossylab.images import roundtrip
from lossylab.neural import GRULM, init_params
from lossylab.ngram import NGramLM

# --- JPEG side -------------------------------------------------------------------------------


def test_residual_bits_zero_for_lossless_and_bounded() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    assert course.residual_bits_per_pixel(image, image) == 0.0
    other = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
    bits = course.residual_bits_per_pixel(image, other)
    assert 0 < bits <= 3 * math.log2(16 * 16)  # plug-in entropy <= log2(samples) per channel


def test_residual_bits_sum_over_channels() -> None:
    image = np.zeros((4, 4, 3), dtype=np.uint8)
    decoded = image.copy()
    decoded[:2, :, 0] = 1  # channel 0: errors 0/1 half and half (1 bit); others exact
    decoded[:1, :, 2] = 3  # channel 2: a quarter of 3s (H(1/4, 3/4) bits)
    expected = 1.0 + (-(0.25 * math.log2(0.25) + 0.75 * math.log2(0.75)))
    assert course.residual_bits_per_pixel(image, decoded) == pytest.approx(expected)


def test_residual_bits_rejects_bad_input() -> None:
    image = np.zeros((4, 4), dtype=np.uint8)
    with pytest.raises(TypeError, match="must be uint8"):
        course.residual_bits_per_pixel(image, image.astype(np.float64))
    with pytest.raises(ValueError, match="same 2-D or 3-D shape"):
        course.residual_bits_per_pixel(image, np.zeros((4, 5), dtype=np.uint8))


def test_jpeg_curve_is_real_jpeg_and_monotone() -> None:
    (curve,) = course.jpeg_curves(("camera",), (10, 50, 90))
    assert curve.bpp[1] == roundtrip(photograph("camera"), 50).bpp
    assert np.all(np.diff(curve.bpp) > 0) and np.all(np.diff(curve.psnr_db) > 0)
    assert np.all(np.diff(curve.residual_bits_per_pixel) < 0)
    assert curve.at(50) == 1
    with pytest.raises(ValueError, match="quality must be one of"):
        curve.at(51)


def test_jpeg_curves_are_cached_read_only() -> None:
    (curve,) = course.jpeg_curves(("camera",), (10, 90))
    before = curve.bpp.copy()
    for name in ("qualities", "bpp", "psnr_db", "residual_bits_per_pixel"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(curve, name)[0] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.bpp = before  # type: ignore[misc]
    (again,) = course.jpeg_curves(("camera",), (10, 90))
    assert again is curve and np.array_equal(again.bpp, before)


def test_jpeg_block_stats_is_cached_and_frozen() -> None:
    stats = course.jpeg_block_stats(90)
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.entropy_after_bits = 0.0  # type: ignore[misc]
    assert course.jpeg_block_stats(90) is stats


# --- language-model side ---------------------------------------------------------------------


class _Stored(NGramLM):
    stored_bits = 1234


def test_lm_point_uses_stored_bits_when_present() -> None:
    model = _Stored(1).fit("abcabc")
    point = course._lm_point(model, bits_per_char=2.0, train_chars=617, floor_bits_per_char=1.5)
    assert point.model_bits == 1234 and point.model_bits_per_train_char == 2.0
    assert point.excess_bits_per_char == 0.5
    plain = course._lm_point(NGramLM(1).fit("abcabc"), bits_per_char=2.0, train_chars=10,
                             floor_bits_per_char=1.5)
    assert plain.model_bits == course.BITS_PER_COUNT * plain.n_params


# The neural models are read in short blocks (EVAL_BLOCK_CHARS): the same code lengths as
# coding each block on its own, and as the canonical evaluation for one long block.


@pytest.mark.parametrize("order", [0, 2, 4])
def test_short_blocks_match_the_canonical_evaluation(order: int) -> None:
    text = "the cat sat on the mat. " * 30
    model = NGramLM(order).fit(text)
    held_out = "the mat sat on the cat. zebra"
    assert model.code_lengths(held_out, block_chars=8192).mean() == pytest.approx(
        model.bits_per_char(held_out), abs=1e-12)
    chunks = [held_out[i:i + 8] for i in range(0, len(held_out), 8)]
    expected = np.concatenate([model.code_lengths(chunk) for chunk in chunks]).mean()
    assert model.code_lengths(held_out, block_chars=8).mean() == pytest.approx(
        expected, abs=1e-12)


def test_short_blocks_match_a_gru() -> None:
    model = GRULM(" abc", init_params(5, 4, seed=3))
    text = "abc cab bca " * 3 + "é"  # an unseen character costs its escape + 16 bits
    assert model.code_lengths(text, block_chars=8192).mean() == pytest.approx(
        model.bits_per_char(text), rel=1e-9)


def test_ngram_ladder_on_the_synthetic_language() -> None:
    ladder = course.ngram_ladder()
    setup = synthetic.synthetic_setup("07")
    assert [p.name for p in ladder] == [f"ngram-{k}" for k in course.NGRAM_ORDERS]
    assert ladder[3].bits_per_char == synthetic.synthetic_ladder_model(
        3, setup="07").bits_per_char(setup.test_text)
    excess = np.array([p.excess_bits_per_char for p in ladder])
    assert np.all(excess > 0)  # no model beats p_true on average (KL >= 0)
    assert np.all(np.diff([p.model_bits for p in ladder]) > 0)
    claim = course._claim_best_order(excess)
    assert claim.holds and claim.value("best order") == course.best_ngram_order()


def test_neural_points_use_the_best_model_as_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    models = {"small": GRULM(" ab", init_params(4, 2, seed=1), name="small"),
              "big": GRULM(" ab", init_params(4, 6, seed=2), name="big")}
    text = "ab ba aab " * 30
    monkeypatch.setattr(course, "pretrained_names", lambda: ["small", "big"])
    monkeypatch.setattr(course, "load_pretrained", models.__getitem__)
    monkeypatch.setattr(course, "_shakespeare", lambda: (1000, text))
    monkeypatch.setattr(course, "_neural_point", course._neural_point.__wrapped__)

    def bits(model: GRULM) -> float:
        return float(model.code_lengths(text, block_chars=course.EVAL_BLOCK_CHARS).mean())

    floor = min(bits(m) for m in models.values())
    ladder = course.neural_ladder.__wrapped__()
    assert [p.excess_bits_per_char for p in ladder] == [bits(models["small"]) - floor,
                                                        bits(models["big"]) - floor]
    assert min(p.excess_bits_per_char for p in ladder) == 0.0
    quantized = course.neural_quantization.__wrapped__("small", (2, 8))
    assert [p.name for p in quantized] == ["small-q2", "small-q8"]
    q2 = models["small"].quantized(2)
    assert quantized[0].model_bits == q2.stored_bits < ladder[0].model_bits
    assert quantized[0].excess_bits_per_char == bits(q2) - floor
    assert quantized[0].model_bits_per_train_char == q2.stored_bits / 1000


@pytest.mark.skipif(not course.pretrained_names(), reason="the pretrained ladder is not installed")
def test_a_16_bit_copy_of_a_pretrained_model_is_as_good() -> None:
    model = course.load_pretrained(course.pretrained_names()[0])
    text = course._shakespeare()[1][:2048]
    block = course.EVAL_BLOCK_CHARS
    assert model.quantized(16).code_lengths(text, block_chars=block).mean() == pytest.approx(
        model.code_lengths(text, block_chars=block).mean(), abs=5e-3)


def test_cached_ladders_are_tuples_of_frozen_points() -> None:
    for ladder in (course.ngram_ladder, course.neural_ladder, course.neural_quantization):
        points = ladder()
        assert isinstance(points, tuple)
        with pytest.raises(TypeError):
            points[0] = points[1]  # type: ignore[index]
        with pytest.raises(dataclasses.FrozenInstanceError):
            points[0].excess_bits_per_char = 0.0  # type: ignore[misc]
        assert ladder() is points


# --- the claims ------------------------------------------------------------------------------


def test_claims_are_cached_frozen_and_hold() -> None:
    checked = course.claims()
    assert isinstance(checked, tuple) and all(claim.holds for claim in checked)
    assert len(checked) == 6 if course.pretrained_names() else 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked[0].holds = False  # type: ignore[misc]
    assert course.claims() is checked
    point = synthetic.synthetic_point(course.best_ngram_order(), setup="07")
    assert checked[4].value("generalized") == point.faces.generalization


def test_each_claim_prints_a_cross_on_data_where_it_is_false() -> None:
    from lossylab.distributions import faces_mc
    # generalized 3 of 100, memorized 2 of 100: the intervals overlap, so the claim fails
    seen = np.array([1] * 2 + [0] * 98)
    log_true = np.where(np.arange(100) < 5, -1.0, -np.inf)
    f = faces_mc(log_true, np.full(100, -1.0), seen, (np.zeros(1), np.zeros(1)))
    assert (f.generalization, f.memorization) == (0.03, 0.02)
    assert not course._claim_lm_faces(f, 6).holds
    assert not course._claim_best_order([0.5, 0.4, 0.3]).holds  # the largest is the best
    assert course._claim_best_order([0.5, 0.3, 0.4]).holds
    assert not course._claim_entropy(14.0, 13.0, 12.0, (10, 90)).holds
    assert not course._claim_quantization("m", 0.5, {2: 0.9, 4: 0.55, 6: 0.51, 8: 0.5}).holds
    curve = course.jpeg_curves(("camera",))[0]
    broken = dataclasses.replace(curve, bpp=curve.bpp[::-1])
    assert not course._claim_rate([curve, broken]).holds


def test_claim_value_lookup() -> None:
    claim = course._Claim("x", (("a", 1.0), ("b", 2.0)), holds=True)
    assert claim.value("b") == 2.0
    with pytest.raises(KeyError):
        claim.value("c")


# --- exercises of notebook 07 -----------------------------------------------------------------


def test_exercise_checks() -> None:
    assert course.check("db_per_bit", 6.02).correct
    assert not course.check("db_per_bit", 3.01).correct
    assert not course.check("db_per_bit", "six").correct
    assert course.check("best_ngram_order", course.best_ngram_order()).correct
    assert not course.check("best_ngram_order", max(course.NGRAM_ORDERS)).correct
    assert course.check("shared_property", " C ").correct
    for wrong in ("a", "b", "d", None, "z"):
        feedback = course.check("shared_property", wrong)
        assert not feedback.correct and "c" not in feedback.message.split()


def test_check_names_every_exercise_of_notebook_07() -> None:
    feedback = course.check("db_per_bits", 6.02)
    assert not feedback.correct
    for name in ("db_per_bit", "best_ngram_order", "shared_property"):
        assert repr(name) in feedback.message
    # the same verdict and text as the exercise's own check, for the notebook's unanswered cells
    assert course.check("db_per_bit", None) == course._check_db_per_bit(None)
