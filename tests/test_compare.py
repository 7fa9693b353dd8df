"""Tests for lossylab.compare: the side-by-side measurements of notebook 07."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossylab import distributions as D
from lossylab.course import nb07 as course
from lossylab.distributions import hallucination_mass, mode_collapse_mass, normalize
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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_psnr_matches_scikit_image(seed: int) -> None:
    from lossylab.images import psnr_db

    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, (20, 20), dtype=np.uint8)
    noisy = np.clip(image + rng.integers(-9, 10, image.shape), 0, 255).astype(np.uint8)
    mse = float(np.mean((noisy.astype(float) - image) ** 2))
    assert course.psnr_from_mse_db(mse) == pytest.approx(
        psnr_db(image, noisy, data_range=255), rel=1e-12)
    assert course.psnr_from_mse_db(0.0) == math.inf
    with pytest.raises(ValueError, match="mse must be"):
        course.psnr_from_mse_db(-1.0)


def test_jpeg_curve_is_real_jpeg_and_monotone() -> None:
    from lossylab.course.common import photograph
    from lossylab.images import roundtrip

    curve = course.jpeg_curve("camera", (10, 50, 90))
    assert curve.bpp[1] == roundtrip(photograph("camera"), 50).bpp
    assert np.all(np.diff(curve.bpp) > 0) and np.all(np.diff(curve.psnr_db) > 0)
    assert np.all(np.diff(curve.residual_bits_per_pixel) < 0)
    assert curve.at(50) == 1
    with pytest.raises(ValueError, match="quality must be one of"):
        curve.at(51)


# --- language-model side ---------------------------------------------------------------------


class _Stored(NGramLM):
    stored_bits = 1234


def test_lm_point_uses_stored_bits_when_present() -> None:
    model = _Stored(1).fit("abcabc")
    point = course.lm_point(model, bits_per_char=2.0, train_chars=617, floor_bits_per_char=1.5)
    assert point.model_bits == 1234 and point.model_bits_per_train_char == 2.0
    assert point.excess_bits_per_char == 0.5
    with pytest.raises(ValueError, match="train_chars must be a positive int"):
        course.lm_point(model, bits_per_char=2.0, train_chars=0, floor_bits_per_char=1.5)


@pytest.mark.parametrize("order", [0, 2, 4])
def test_short_blocks_match_the_canonical_evaluation(order: int) -> None:
    text = "the cat sat on the mat. " * 30
    model = NGramLM(order).fit(text)
    held_out = "the mat sat on the cat. zebra"
    # one block of 8192 characters: the same numbers as the vectorized n-gram code lengths
    assert model.code_lengths(held_out, block_chars=8192).mean() == pytest.approx(
        model.bits_per_char(held_out), abs=1e-12)
    # with blocks of 8 every block restarts: the mean over separately coded 8-char chunks
    chunks = [held_out[i:i + 8] for i in range(0, len(held_out), 8)]
    expected = np.concatenate([model.code_lengths(chunk) for chunk in chunks]).mean()
    assert model.code_lengths(held_out, block_chars=8).mean() == pytest.approx(
        expected, abs=1e-12)


def test_short_blocks_match_a_gru() -> None:
    from lossylab.neural import GRULM, init_params

    model = GRULM(" abc", init_params(5, 4, seed=3))
    text = "abc cab bca " * 3 + "é"  # an unseen character costs its escape + 16 bits
    assert model.code_lengths(text, block_chars=8192).mean() == pytest.approx(
        model.bits_per_char(text), rel=1e-9)
    with pytest.raises(ValueError, match="text is empty"):
        model.bits_per_char("")


def test_first_sentences_are_seeded_and_cut_at_the_end() -> None:
    model = NGramLM(2).fit("ab.\nba.\nabba.\n" * 10)
    a = course.first_sentences(model, 10, n_chars=30, seed=4)
    assert a == course.first_sentences(model, 10, n_chars=30, seed=4)
    assert all(s.endswith(".\n") and s.count(".\n") == 1 for s in a if ".\n" in s)


def test_split_samples_fractions() -> None:
    from lossylab.grammar import SyntheticLanguage

    lang = SyntheticLanguage()
    samples = lang.sample(20, seed=5)
    split = course.split_samples(samples + ["dog the.\n"], lang, samples[:10])
    assert split.memorized + split.generalized + split.hallucinated == pytest.approx(1.0)
    assert split.hallucinated == pytest.approx(1 / 21)
    with pytest.raises(ValueError, match="samples is empty"):
        course.split_samples([], lang, [])


@pytest.mark.parametrize("seed", [0, 1])
def test_monte_carlo_masses_estimate_the_exact_ones(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p_true = normalize(rng.random(12) ** 3)
    p_model = normalize(rng.random(12) ** 3)
    p_model[0] = 0.0  # a state the model never produces: log2 p = -inf
    p_model = normalize(p_model)
    n = 40_000
    x_true = rng.choice(12, n, p=p_true)
    x_model = rng.choice(12, n, p=p_model)
    with np.errstate(divide="ignore"):
        lt, lm = np.log2(p_true), np.log2(p_model)
    mc_collapse = D.mode_collapse_mass_mc(lt[x_true], lm[x_true])
    mc_halluc = D.hallucination_mass_mc(lt[x_model], lm[x_model])
    exact_collapse, exact_halluc = mode_collapse_mass(p_true, p_model), hallucination_mass(
        p_true, p_model)
    assert abs(mc_collapse - exact_collapse) < 4 * math.sqrt(0.25 / n)  # 4 standard errors
    assert abs(mc_halluc - exact_halluc) < 4 * math.sqrt(0.25 / n)


def test_monte_carlo_masses_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="same\\s+length"):
        D.mode_collapse_mass_mc(np.zeros(3), np.zeros(2))
    with pytest.raises(ValueError, match="r must be"):
        D.hallucination_mass_mc(np.zeros(3), np.zeros(3), r=0.5)


def test_ngram_ladder_on_the_SyntheticLanguage() -> None:
    ladder = course.ngram_ladder()
    setup = course.synthetic_setup()
    assert [p.name for p in ladder] == [f"ngram-{k}" for k in course.NGRAM_ORDERS]
    # the exact code length of the held-out sample is close to the exact entropy rate
    assert setup.test_true_bits_per_char == pytest.approx(setup.entropy_bits_per_char, abs=0.05)
    excess = np.array([p.excess_bits_per_char for p in ladder])
    assert np.all(excess > 0)  # no model beats p_true on average (KL >= 0)
    assert np.all(np.diff([p.model_bits for p in ladder]) > 0)
    claim = course._claim_lm_kl()
    assert claim.holds and claim.value("best order") == course.best_ngram_order()


def test_sentence_mismatch_rejects_unknown_order() -> None:
    with pytest.raises(ValueError, match="order must be one of"):
        course.sentence_mismatch(99)


def test_claim_value_lookup() -> None:
    claim = course.Claim("x", (("a", 1.0), ("b", 2.0)), holds=True)
    assert claim.value("b") == 2.0
    with pytest.raises(KeyError):
        claim.value("c")


# --- exercises of notebook 07 -----------------------------------------------------------------


def test_exercise_checks() -> None:

    assert course.check_db_per_bit(6.02).correct
    assert not course.check_db_per_bit(3.01).correct
    assert not course.check_db_per_bit("six").correct
    assert course.check_best_ngram_order(course.best_ngram_order()).correct
    assert not course.check_best_ngram_order(max(course.NGRAM_ORDERS)).correct
    assert course.check_shared_property(" C ").correct
    for wrong in ("a", "b", "d", None, "z"):
        feedback = course.check_shared_property(wrong)
        assert not feedback.correct and "c" not in feedback.message.split()


def test_model_bits_of_a_quantized_gru() -> None:
    from lossylab.neural import GRULM, init_params

    model = GRULM(" ab", init_params(4, 3, seed=1))
    small = model.quantized(4)
    assert course.model_bits(model) == 32 * model.n_params
    assert course.model_bits(small) == small.stored_bits < course.model_bits(model)


def test_neural_points_use_the_best_model_as_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    from lossylab.neural import GRULM, init_params

    models = {"small": GRULM(" ab", init_params(4, 2, seed=1), name="small"),
              "big": GRULM(" ab", init_params(4, 6, seed=2), name="big")}
    bits = {"small": 3.0, "big": 2.5}

    def fake(name: str, bits_per_weight: int | None) -> tuple[float, object]:
        model = models[name] if bits_per_weight is None else models[name].quantized(
            bits_per_weight)
        return bits[name] + (0.0 if bits_per_weight is None else 1.0 / bits_per_weight), model

    monkeypatch.setattr(course, "_neural_bits_per_char", fake)
    monkeypatch.setattr(course, "neural_names", lambda: ["small", "big"])
    monkeypatch.setattr(course, "_shakespeare", lambda: (1000, "unused"))
    ladder = course.neural_ladder.__wrapped__()
    assert [p.excess_bits_per_char for p in ladder] == [0.5, 0.0]
    quantized = course.neural_quantization.__wrapped__("small", (2, 8))
    assert [p.name for p in quantized] == ["small-q2", "small-q8"]
    assert [p.excess_bits_per_char for p in quantized] == [1.0, 0.625]
    assert quantized[0].model_bits == models["small"].quantized(2).stored_bits


@pytest.mark.skipif(not course.neural_names(), reason="the pretrained ladder is not installed")
def test_a_16_bit_copy_of_a_pretrained_model_is_as_good() -> None:
    from lossylab.neural import load_pretrained

    model = load_pretrained(course.neural_names()[0])
    text = course._shakespeare()[1][:2048]
    block = course.EVAL_BLOCK_CHARS
    assert model.quantized(16).code_lengths(text, block_chars=block).mean() == pytest.approx(
        model.code_lengths(text, block_chars=block).mean(), abs=5e-3)
