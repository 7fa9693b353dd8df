"""Tests for lossylab.distributions: closed forms, oracles (scipy), properties (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from lossylab import distributions as D
from lossylab import mixtures
from lossylab.course import nb01 as course
from lossylab.course import nb02 as course02

# --- strategies ----------------------------------------------------------------------------

weights = arrays(np.float64, st.integers(2, 12), elements=st.floats(0.0, 10.0))


def _dist(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=np.float64) + 1e-3  # strictly positive, never all zero
    return w / w.sum()


@st.composite
def distribution_pairs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 10))
    elems = st.floats(0.0, 10.0)
    p = draw(arrays(np.float64, n, elements=elems))
    q = draw(arrays(np.float64, n, elements=elems))
    return _dist(p), _dist(q)


@st.composite
def channels(draw: st.DrawFn, n_in: int) -> np.ndarray:
    n_out = draw(st.integers(1, 8))
    raw = draw(arrays(np.float64, (n_in, n_out), elements=st.floats(0.0, 10.0)))
    raw = raw + 1e-3
    return raw / raw.sum(axis=1, keepdims=True)


# --- closed forms and oracles ------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7, 256])
def test_uniform_entropy_is_log2_n(n: int) -> None:
    assert D.entropy(np.full(n, 1 / n)) == pytest.approx(math.log2(n), abs=1e-12)


def test_point_mass_has_zero_entropy() -> None:
    assert D.entropy([0.0, 1.0, 0.0]) == 0.0


def test_entropy_accepts_2d_arrays() -> None:
    assert D.entropy(np.full((4, 8), 1 / 32)) == pytest.approx(5.0)


@pytest.mark.parametrize("seed", range(5))
def test_entropy_and_kl_match_scipy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p, q = rng.dirichlet(np.ones(20)), rng.dirichlet(np.ones(20))
    assert D.entropy(p) == pytest.approx(stats.entropy(p, base=2), rel=1e-12)
    assert D.kl_divergence(p, q) == pytest.approx(stats.entropy(p, q, base=2), rel=1e-12)
    assert D.cross_entropy(p, q) == pytest.approx(D.entropy(p) + D.kl_divergence(p, q))


def test_kl_of_a_distribution_with_itself_is_zero() -> None:
    p = np.array([0.1, 0.2, 0.7])
    assert D.kl_divergence(p, p) == 0.0


def test_kl_is_infinite_where_q_is_zero_and_p_is_not() -> None:
    assert D.kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert D.cross_entropy([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert D.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(1.0)


def test_code_length_is_minus_log2_p_and_averages_to_entropy() -> None:
    p = np.array([0.5, 0.25, 0.125, 0.125])
    bits = D.code_length_bits(p, np.arange(4))
    np.testing.assert_allclose(bits, [1, 2, 3, 3])
    assert float(np.sum(p * bits)) == pytest.approx(D.entropy(p))
    assert D.code_length_bits([1.0, 0.0], 1) == math.inf


def test_description_bits_counts_which_states_and_their_values() -> None:
    # n = 8 states, 2 non-zero: log2 C(8, 2) = log2 28 bits to say which, 2 * 10 for values.
    p = np.zeros(8)
    p[[1, 5]] = 0.5
    assert D.description_bits(p, precision_bits=10) == pytest.approx(math.log2(28) + 20)
    # A full table of 8 entries needs no "which" bits.
    assert D.description_bits(np.full(8, 1 / 8), precision_bits=10) == pytest.approx(80)


def test_quantizer_is_deterministic_many_to_one() -> None:
    channel = D.quantizer_channel(10, 3)
    assert set(np.unique(channel)) == {0.0, 1.0}
    np.testing.assert_array_equal(channel.sum(axis=1), 1.0)
    assert np.count_nonzero(channel.sum(axis=0)) == 3  # three outputs reached
    np.testing.assert_array_equal(D.quantizer_channel(5, 5), np.eye(5))


def test_noisy_channel_is_row_stochastic_and_spreads_mass() -> None:
    channel = D.noisy_channel(20, 2.0)
    np.testing.assert_allclose(channel.sum(axis=1), 1.0)
    p = np.zeros(20)
    p[10] = 1.0
    assert D.entropy(D.push_forward(p, channel)) > 2.0  # a point mass gets blurred


def test_push_forward_is_the_matrix_product() -> None:
    p = np.array([0.2, 0.3, 0.5])
    channel = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(D.push_forward(p, channel), [0.35, 0.65])


def test_masses_on_a_hand_made_example() -> None:
    p_true = np.array([0.5, 0.3, 0.2, 0.0])
    p_model = np.array([0.5, 0.02, 0.18, 0.3])
    # state 1: 0.02 <= 0.3 / 10 -> collapsed; state 3: p_true 0 <= 0.3 / 10 -> hallucinated.
    assert D.mode_collapse_mass(p_true, p_model) == pytest.approx(0.3)
    assert D.hallucination_mass(p_true, p_model) == pytest.approx(0.3)
    assert D.mode_collapse_mass(p_true, p_model, r=20) == 0.0


def test_mismatch_bundles_every_number() -> None:
    m = D.mismatch([0.5, 0.5], [0.25, 0.75], r=2)
    assert m.kl_true_model_bits == pytest.approx(D.kl_divergence([0.5, 0.5], [0.25, 0.75]))
    assert m.kl_model_true_bits == pytest.approx(D.kl_divergence([0.25, 0.75], [0.5, 0.5]))
    assert m.mode_collapse_mass == pytest.approx(0.5)
    assert m.entropy_true_bits == 1.0
    with pytest.raises(AttributeError):
        m.r = 3.0  # type: ignore[misc]


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(distribution_pairs())
def test_kl_is_non_negative(pq: tuple[np.ndarray, np.ndarray]) -> None:
    p, q = pq
    assert D.kl_divergence(p, q) >= 0.0


@settings(max_examples=60, deadline=None)
@given(weights, st.data())
def test_deterministic_channel_never_raises_entropy(w: np.ndarray, data: st.DataObject) -> None:
    p = _dist(w)
    n_out = data.draw(st.integers(1, 8))
    targets = data.draw(arrays(np.int64, p.size, elements=st.integers(0, n_out - 1)))
    channel = np.zeros((p.size, n_out))
    channel[np.arange(p.size), targets] = 1.0  # one Dirac delta per row
    assert D.entropy(D.push_forward(p, channel)) <= D.entropy(p) + 1e-9


@settings(max_examples=60, deadline=None)
@given(distribution_pairs(), st.data())
def test_data_processing_inequality(pq: tuple[np.ndarray, np.ndarray],
                                    data: st.DataObject) -> None:
    p, q = pq
    channel = data.draw(channels(p.size))
    before = D.kl_divergence(p, q)
    after = D.kl_divergence(D.push_forward(p, channel), D.push_forward(q, channel))
    assert after <= before + 1e-9


@settings(max_examples=60, deadline=None)
@given(distribution_pairs(), st.floats(1.0, 1e3))
def test_masses_lie_in_unit_interval_and_vanish_for_a_perfect_model(
        pq: tuple[np.ndarray, np.ndarray], r: float) -> None:
    p, q = pq
    for mass in (D.mode_collapse_mass(p, q, r=r), D.hallucination_mass(p, q, r=r)):
        assert 0.0 <= mass <= 1.0
    if r > 1:
        assert D.mode_collapse_mass(p, p, r=r) == 0.0
        assert D.hallucination_mass(p, p, r=r) == 0.0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "match"),
    [
        ([0.5, -0.1, 0.6], "negative entries"),
        ([0.5, float("nan"), 0.5], "NaN or inf"),
        ([0.5, 0.6], "sums to 1.1, not 1"),
        ([], "empty"),
    ],
)
def test_entropy_rejects_bad_distributions(p: list[float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        D.entropy(p)


def test_entropy_rejects_non_numbers() -> None:
    with pytest.raises(TypeError, match="p must be an array of numbers"):
        D.entropy(["a", "b"])


def test_mismatched_shapes_are_rejected() -> None:
    with pytest.raises(ValueError, match="p_true and p_model must have the same shape"):
        D.mode_collapse_mass([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="p and q must have the same shape"):
        D.kl_divergence([0.5, 0.5], [0.2, 0.3, 0.5])


def test_masses_name_the_bad_argument() -> None:
    with pytest.raises(ValueError, match="p_model sums to"):
        D.hallucination_mass([0.5, 0.5], [0.5, 0.6])
    with pytest.raises(ValueError, match="r must be a finite number >= 1"):
        D.mode_collapse_mass([0.5, 0.5], [0.5, 0.5], r=0.5)


@pytest.mark.parametrize(
    ("channel", "match"),
    [
        ([[1.0, 0.0], [0.3, 0.3]], "not row-stochastic: row 1 sums to 0.6"),
        ([[1.0, 0.0], [1.5, -0.5]], "negative, NaN or inf"),
        ([[1.0], [1.0], [1.0]], r"shape \(n_in, n_out\) with n_in = len\(p\) = 2"),
    ],
)
def test_push_forward_rejects_bad_channels(channel: list[list[float]], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        D.push_forward([0.5, 0.5], channel)


def test_push_forward_wants_a_flat_p() -> None:
    with pytest.raises(ValueError, match="p must be 1-D"):
        D.push_forward(np.full((2, 2), 0.25), np.eye(4))


@pytest.mark.parametrize(
    ("args", "match"),
    [((4, 5), "n_levels must be <= n_states = 4"), ((4, 0), "n_levels must be an integer >= 1"),
     ((2.5, 1), "n_states must be an integer >= 1")],
)
def test_quantizer_rejects_bad_counts(args: tuple[float, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        D.quantizer_channel(*args)


def test_noisy_channel_rejects_negative_noise() -> None:
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        D.noisy_channel(5, -1.0)


def test_normalize_rejects_all_zero_counts() -> None:
    with pytest.raises(ValueError, match="all zero"):
        D.normalize([0, 0])


# --- mixtures, EM and the learning problem ------------------------------------------------


def test_grid_mixture_peaks_where_asked() -> None:
    x = np.linspace(0, 10, 201)
    p = mixtures.grid_mixture(x, means=[2.0, 7.0], widths=[0.5, 0.5], weights=[1.0, 3.0])
    assert p.sum() == pytest.approx(1.0)
    assert x[np.argmax(p)] == pytest.approx(7.0)
    # Equal widths: the heights of the two peaks keep the 1:3 ratio of the weights.
    assert p[np.argmin(abs(x - 7))] / p[np.argmin(abs(x - 2))] == pytest.approx(3.0, rel=1e-6)


def test_grid_mixture_2d_is_a_distribution_with_its_peak_in_place() -> None:
    p = mixtures.grid_mixture_2d(20, means=[[0.25, 0.75]], widths=[0.05], weights=[1.0])
    assert p.shape == (20, 20)
    assert p.sum() == pytest.approx(1.0)
    assert np.unravel_index(np.argmax(p), p.shape) in {(4, 14), (4, 15), (5, 14), (5, 15)}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_em_recovers_well_separated_components(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-4, 1.0, 3000), rng.normal(4, 0.5, 1000)])
    fit = mixtures.fit_mixture(x, 2, seed=seed)
    order = np.argsort(fit.means)
    np.testing.assert_allclose(fit.means[order], [-4, 4], atol=0.1)
    np.testing.assert_allclose(fit.widths[order], [1.0, 0.5], atol=0.06)
    np.testing.assert_allclose(fit.weights[order], [0.75, 0.25], atol=0.02)


def test_em_with_one_component_is_the_sample_mean_and_std() -> None:
    # The maximum-likelihood Gaussian has the sample mean and the (biased) sample std.
    x = np.random.default_rng(0).gamma(2.0, 1.0, 500)
    fit = mixtures.fit_mixture(x, 1)
    assert fit.means[0] == pytest.approx(x.mean())
    assert fit.widths[0] == pytest.approx(x.std())


def test_em_never_goes_below_the_width_floor_and_is_seeded() -> None:
    x = np.array([0.0, 0.0, 1.0, 5.0])
    fit = mixtures.fit_mixture(x, 4, min_width=0.2, seed=3)
    assert np.all(fit.widths >= 0.2)
    again = mixtures.fit_mixture(x, 4, min_width=0.2, seed=3)
    np.testing.assert_array_equal(fit.means, again.means)
    assert np.isfinite(fit.log_pdf(x)).all()


def test_em_log_likelihood_grows_with_k_on_the_training_data() -> None:
    x = np.random.default_rng(1).normal(0, 1, 300)
    ll = [mixtures.fit_mixture(x, k).log_pdf(x).sum() for k in (1, 3, 10)]
    assert ll[0] < ll[1] < ll[2]


def test_two_part_code_adds_model_and_data_bits() -> None:
    code = mixtures.two_part_code([0.25, 0.75], [1, 1, 0, 1], n_params=2)
    # data: 3 * -log2(0.75) + 2 bits; model: 2 params * 0.5 * log2(4) = 2 bits.
    assert code.data_bits == pytest.approx(3 * -math.log2(0.75) + 2)
    assert code.model_bits == pytest.approx(2.0)
    assert code.total_bits == pytest.approx(code.model_bits + code.data_bits)


def test_novelty_split_sums_to_one_and_sorts_mass() -> None:
    x = np.arange(6.0)
    p_true = np.array([0.5, 0.5, 0.0, 0.0, 0.0, 0.0])
    p_model = np.array([0.3, 0.3, 0.1, 0.0, 0.0, 0.3])
    split = mixtures.novelty_split(p_true, p_model, x, samples=[0.0], distance=0.5)
    assert split.near_mass == pytest.approx(0.3)  # only x = 0 is near the sample
    assert split.generalization_mass == pytest.approx(0.3)  # x = 1: new, and p_true has it
    assert split.hallucination_mass == pytest.approx(0.4)  # x = 2 and x = 5: invented


def test_learning_point_numbers_are_consistent() -> None:
    problem = course02.learning_problem(seed=0)
    point = course02.learning_point(100, 3, seed=0)
    assert point.heldout_bits == pytest.approx(D.entropy(problem.p_true) + point.kl_bits)
    assert point.train_bits * 100 == pytest.approx(point.code.data_bits)
    assert point.p_model.sum() == pytest.approx(1.0)
    assert course02.learning_point(100, 3, seed=0) is point  # cached


def test_memorization_small_n_large_k_spikes_on_the_samples() -> None:
    # 10 samples, 30 components: train bits far below held-out bits (overfitting).
    point = course02.learning_point(10, 30)
    assert point.heldout_bits - point.train_bits > 10
    problem = course02.learning_problem()
    split = mixtures.novelty_split(problem.p_true, point.p_model, problem.x, problem.samples(10),
                            distance=0.1)
    assert split.near_mass > 0.9


def test_fit_mixture_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="samples must be a non-empty array of finite"):
        mixtures.fit_mixture([], 2)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        mixtures.fit_mixture([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="min_width must be a finite number > 0"):
        mixtures.fit_mixture([1.0, 2.0], 1, min_width=0.0)


def test_learning_problem_rejects_too_many_samples() -> None:
    with pytest.raises(ValueError, match=r"n_samples must be in \[1, 10000\]"):
        course02.learning_problem().samples(20_000)


def test_grid_mixture_rejects_bad_widths() -> None:
    with pytest.raises(ValueError, match="widths must be finite and > 0"):
        mixtures.grid_mixture([0.0, 1.0], means=[0.0], widths=[0.0], weights=[1.0])
    with pytest.raises(ValueError, match="1-D of one length"):
        mixtures.grid_mixture([0.0, 1.0], means=[0.0, 1.0], widths=[1.0], weights=[1.0])


# --- self-checks of notebooks 01 and 02 (lossylab.exercises) ------------------------------


def test_entropy_exercise_accepts_the_right_number_only() -> None:

    assert course.check_entropy(1.875).correct  # 1/2*1 + 1/4*2 + 1/8*3 + 2 * 1/16*4
    assert not course.check_entropy(2.0).correct
    assert not course.check_entropy(None).correct
    assert "1.875" not in course.check_entropy(2.0).message  # the hint hides the answer


def test_channel_entropy_exercise() -> None:

    check = course.check_channel_entropy
    assert check(deterministic_can_raise=False, stochastic_can_raise=True).correct
    assert not check(deterministic_can_raise=True, stochastic_can_raise=True).correct
    assert not check(deterministic_can_raise=False, stochastic_can_raise=False).correct
    assert not check(deterministic_can_raise=None, stochastic_can_raise=True).correct


def test_max_output_entropy_exercise() -> None:

    assert course.check_max_output_entropy(3).correct
    assert not course.check_max_output_entropy(6).correct


def test_learning_exercises_use_the_library_optima() -> None:

    curve = course02.learning_curve(course02.LEARNING_DEFAULT_N)
    assert course02.check_mdl_k(curve.mdl_k).correct
    assert not course02.check_mdl_k(50).correct
    assert course02.check_heldout_k(curve.heldout_k).correct
    assert not course02.check_heldout_k(None).correct


def test_mdl_is_more_cautious_than_held_out_at_small_n() -> None:
    # Golden numbers (seed 0, computed 2026-11-26 with this EM): at N = 100 the two-part
    # code picks K = 3 and the exact held-out score K = 6; the true p_true has 5 peaks.
    curve = course02.learning_curve(course02.LEARNING_DEFAULT_N)
    assert (curve.mdl_k, curve.heldout_k) == (3, 6)
    assert np.all(np.diff(curve.model_bits) > 0)
