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
@given(distribution_pairs(), st.floats(1.0, 1e3, exclude_min=True))
def test_masses_lie_in_unit_interval_and_vanish_for_a_perfect_model(
        pq: tuple[np.ndarray, np.ndarray], r: float) -> None:
    p, q = pq
    for mass in (D.mode_collapse_mass(p, q, r=r), D.hallucination_mass(p, q, r=r)):
        assert 0.0 <= mass <= 1.0
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
    with pytest.raises(ValueError, match="r must be a finite number > 1"):
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


def test_the_shared_checks_name_the_argument() -> None:
    p, q = D.check_distributions([[0.5, 0.5]], [[0.25, 0.75]], ("a", "b"))
    assert p.shape == q.shape == (2,)
    with pytest.raises(ValueError, match="b sums to 1.5"):
        D.check_distributions([0.5, 0.5], [0.75, 0.75], ("a", "b"))
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and \(1, "):
        D.check_distributions([0.5, 0.5], [[0.5, 0.5]], ("a", "b"))
    assert D.check_count(np.int64(3), "k") == 3 and D.check_count(0, "n", minimum=0) == 0
    for bad in (True, 2.0, -1):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            D.check_count(bad, "k")
    assert D.check_ratio(1.0001) == 1.0001
    for bad in (1, 0.5, float("inf"), float("nan"), "10"):
        with pytest.raises(ValueError, match="r must be a finite number > 1"):
            D.check_ratio(bad)  # type: ignore[arg-type]


def test_monte_carlo_faces_estimate_the_exact_ones_within_their_interval() -> None:
    rng = np.random.default_rng(0)
    p_true, p_model = np.array([0.5, 0.3, 0.2, 0.0]), np.array([0.5, 0.02, 0.18, 0.3])
    seen = np.array([True, False, False, False])
    with np.errstate(divide="ignore"):
        log_true, log_model = np.log2(p_true), np.log2(p_model)
    from_true = rng.choice(4, size=2_000, p=p_true)
    from_model = rng.choice(4, size=2_000, p=p_model)
    exact = D.faces(p_true, p_model, seen)
    mc = D.faces_mc(log_true[from_model], log_model[from_model], seen[from_model],
                    (log_true[from_true], log_model[from_true]))
    for face in ("memorization", "generalization", "hallucination", "mode_collapse"):
        lo, hi = mc.interval(face)
        assert lo <= getattr(exact, face) <= hi and hi - lo < 0.06
    assert exact.interval("memorization") == (0.5, 0.5)
    assert "Monte Carlo, n = 2000, 95% [" in mc.lines("4 states")[0]
    assert "(exact; r = 10; 4 states)" in exact.lines("4 states")[3]
    with pytest.raises(ValueError, match="faces_mc needs n > 0 samples"):
        D.faces_mc(np.zeros(3), np.zeros(4), np.zeros(3), (np.zeros(1), np.zeros(1)))


def test_faces_split_the_model_mass_into_three_and_one_definition_each() -> None:
    p_true = np.array([0.5, 0.5, 0.0, 0.0, 0.0, 0.0])
    p_model = np.array([0.3, 0.3, 0.1, 0.0, 0.0, 0.3])
    f = D.faces(p_true, p_model, seen=[True, False, False, False, False, False])
    assert (f.memorization, f.generalization) == (0.3, 0.3)
    assert f.hallucination == pytest.approx(0.4) and f.invalid == pytest.approx(0.4)
    assert D.faces(p_true, p_model).hallucination == D.hallucination_mass(p_true, p_model)
    assert f.mode_collapse == D.mode_collapse_mass(p_true, p_model)
    # p_true r times smaller (not zero) counts as hallucination, but not as invalid
    g = D.faces([0.9, 0.1], [0.1, 0.9], r=5)
    assert (g.hallucination, g.invalid, g.mode_collapse) == (0.9, 0.0, 0.9)
    with pytest.raises(ValueError, match="seen must have one entry per state"):
        D.faces(p_true, p_model, seen=[True])


def test_r_1_is_refused_and_a_perfect_model_has_no_mismatch_above_it() -> None:
    p = np.array([0.5, 0.25, 0.125, 0.125])
    for r in (1.0001, 1.5, 10.0):
        assert D.mode_collapse_mass(p, p, r=r) == 0.0
        assert D.hallucination_mass(p, p, r=r) == 0.0
        f = D.faces_mc(np.log2(p), np.log2(p), np.zeros(4), (np.log2(p), np.log2(p)), r=r)
        assert f.hallucination == f.mode_collapse == 0.0
    for mass in (D.mode_collapse_mass, D.hallucination_mass):
        with pytest.raises(ValueError, match="at r = 1 even a perfect model"):
            mass(p, p, r=1)
