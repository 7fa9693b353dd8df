"""Tests for lossylab.mixtures: grid mixtures, EM, the two-part code, the novelty split."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lossylab import mixtures


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


def test_fit_mixture_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="samples must be a non-empty array of finite"):
        mixtures.fit_mixture([], 2)
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        mixtures.fit_mixture([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="min_width must be a finite number > 0"):
        mixtures.fit_mixture([1.0, 2.0], 1, min_width=0.0)


def test_grid_mixture_rejects_bad_widths() -> None:
    with pytest.raises(ValueError, match="widths must be finite and > 0"):
        mixtures.grid_mixture([0.0, 1.0], means=[0.0], widths=[0.0], weights=[1.0])
    with pytest.raises(ValueError, match="1-D of one length"):
        mixtures.grid_mixture([0.0, 1.0], means=[0.0, 1.0], widths=[1.0], weights=[1.0])

