"""Learning as lossy compression on a grid: mixtures fitted by EM, the two-part code.

A model fitted by maximum likelihood to N samples of p_true (here a 1-D mixture of K
Gaussians, fitted by EM with a floor on the widths) is a compressor of the samples: their
code length is ``sum_i -log2 p_model(x_i)``. On a grid p_true is known exactly, so what a
fit keeps and loses is an exact number: train bits against held-out bits (the
cross-entropy ``H(p_true, p_model)``); where the model's mass goes
(:func:`lossylab.distributions.faces`, with the cells near a sample as the training items);
and the two-part code (MDL), model bits + data bits, minimised
over K.

What this version leaves out: numerically clever EM (no annealing, no split-and-merge, one
deterministic initialisation), other model families, and refined MDL codes (the parameter
cost is the BIC's ``0.5 log2 N`` bits each, an asymptotic approximation that drops O(1)
terms and whose regularity conditions a mixture violates: K! equivalent labelings, a
singular Fisher information).

References: A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood from incomplete
data via the EM algorithm", J. R. Stat. Soc. B 39 (1977); J. Rissanen, "Modeling by shortest
data description", Automatica 14 (1978); Cover and Thomas (see :mod:`lossylab.distributions`),
ch. 14.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lossylab import distributions as D

__all__ = ["GaussianMixture", "fit_mixture", "grid_mixture",
           "grid_mixture_2d", "two_part_code"]


# --- distributions on a grid -------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A 1-D mixture of Gaussians: ``sum_j weights[j] N(x; means[j], widths[j]^2)``.

    Attributes
    ----------
    weights, means, widths : numpy.ndarray, shape (k,)
        Mixing weights (sum to 1), centres, standard deviations (> 0).
    n_iter, converged : int, bool
        EM iterations run (0 if written by hand); whether the log-likelihood stopped improving.
    """

    weights: np.ndarray
    means: np.ndarray
    widths: np.ndarray
    n_iter: int = 0
    converged: bool = True

    @property
    def k(self) -> int:
        """Number of components."""
        return int(self.weights.size)

    @property
    def n_params(self) -> int:
        """Free parameters: k means, k widths, k - 1 weights."""
        return 3 * self.k - 1

    def log_pdf(self, x: object) -> np.ndarray:
        """Natural log of the density at ``x`` (any shape)."""
        x_arr = np.asarray(x, dtype=np.float64)
        return _log_sum_exp(_component_log_pdf(x_arr.ravel(), self), axis=1).reshape(x_arr.shape)

    def on_grid(self, x: object) -> np.ndarray:
        """The mixture as a distribution on a uniform grid of centres ``x``: ``∝ density(x)``."""
        log_p = self.log_pdf(x)
        p = np.exp(log_p - log_p.max())
        return p / p.sum()


def _component_log_pdf(x: np.ndarray, mixture: GaussianMixture) -> np.ndarray:
    """(n, k) array of ``log(weights[j] N(x_i; means[j], widths[j]^2))``."""
    z = (x[:, None] - mixture.means[None, :]) / mixture.widths[None, :]
    log_w = np.log(np.maximum(mixture.weights, 1e-300))  # a dead component: weight 0
    return (log_w - np.log(mixture.widths) - 0.5 * math.log(2 * math.pi)) - 0.5 * z * z


def _log_sum_exp(a: np.ndarray, *, axis: int) -> np.ndarray:
    """``log(sum(exp(a), axis))`` without overflow."""
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def grid_mixture(x: object, *, means: object, widths: object, weights: object) -> np.ndarray:
    """A mixture of Gaussian peaks on a 1-D grid ``x``, as a distribution over its cells.

    ``p(x_i) ∝ sum_j weights[j] N(x_i; means[j], widths[j]^2)``: (keyword-only) peak centres,
    standard deviations (> 0) and relative heights (>= 0), one length (else ValueError).

    Examples
    --------
    >>> p = grid_mixture(np.arange(5.0), means=[2.0], widths=[1.0], weights=[1.0])
    >>> int(np.argmax(p)), round(float(p.sum()), 12)
    (2, 1.0)
    """
    return _mixture(means, widths, weights).on_grid(x)


def _mixture(means: object, widths: object, weights: object) -> GaussianMixture:
    """A validated mixture from peak centres, widths and unnormalised weights."""
    m, s = np.atleast_1d(np.asarray(means, float)), np.atleast_1d(np.asarray(widths, float))
    w = np.atleast_1d(np.asarray(weights, float))
    if not (m.ndim == s.ndim == w.ndim == 1 and m.size == s.size == w.size):
        raise ValueError(f"means, widths and weights must be 1-D of one length, got "
                         f"{m.shape}, {s.shape}, {w.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("widths must be finite and > 0 (standard deviations)")
    return GaussianMixture(weights=D.normalize(w), means=m, widths=s)


def grid_mixture_2d(n_side: int, *, means: object, widths: object,
                    weights: object) -> np.ndarray:
    """Round Gaussian peaks on an ``n_side x n_side`` grid over the unit square (a distribution).

    ``means`` (k, 2) as (row, column) in [0, 1]; ``widths`` in units of the side and ``weights``,
    both (k,); ValueError as :func:`grid_mixture`.

    Examples
    --------
    >>> p = grid_mixture_2d(8, means=[[0.5, 0.5]], widths=[0.1], weights=[1.0])
    >>> p.shape, round(float(p.sum()), 12)
    ((8, 8), 1.0)
    """
    n_side = D.check_count(n_side, "n_side")
    centres = np.asarray(means, dtype=np.float64)
    if centres.ndim != 2 or centres.shape[1] != 2:
        raise ValueError(f"means must have shape (k, 2), got {centres.shape}")
    mix = _mixture(centres[:, 0], widths, weights)
    axis = (np.arange(n_side) + 0.5) / n_side  # cell centres in [0, 1]
    d2 = ((axis[:, None, None] - centres[:, 0]) ** 2
          + (axis[None, :, None] - centres[:, 1]) ** 2)  # (n_side, n_side, k)
    density = np.sum(mix.weights * np.exp(-0.5 * d2 / mix.widths**2) / mix.widths**2, axis=2)
    return density / density.sum()


# --- learning: a mixture fitted by EM ----------------------------------------------------

def fit_mixture(samples: object, k: int, *, seed: int = 0, min_width: float = 0.05,
                max_iter: int = 300, tol: float = 1e-7) -> GaussianMixture:
    """Maximum-likelihood mixture of ``k`` Gaussians by EM, with a floor on the widths.

    E-step: responsibilities ``r_ij ∝ w_j N(x_i; mu_j, s_j^2)``. M-step: ``w_j = mean_i r_ij``,
    ``mu_j`` the r-weighted mean, ``s_j = max(min_width, r-weighted std)`` (the constrained
    maximiser, so the likelihood never decreases). Means start at the ``(j + 1/2)/k``
    quantiles of the data.

    Parameters
    ----------
    samples, k : array_like (n,), int
        Finite real numbers (repeated values processed once, weighted by their count); the
        number of components, >= 1.
    seed, min_width, max_iter, tol : keyword-only
        Seeds the jitter of the initial means (ties between equal samples); the smallest
        width, > 0 (without it a component could sit on one sample with width -> 0 and
        likelihood -> infinity); stop after ``max_iter`` iterations or when the mean
        log-likelihood (nats per sample) improves by less than ``tol``.

    Returns
    -------
    GaussianMixture
        ValueError for empty or non-finite samples, a bad ``k`` or ``min_width``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(-3, 1, 500), rng.normal(3, 1, 500)])
    >>> fit = fit_mixture(x, 2, seed=0)
    >>> np.round(np.sort(fit.means)).tolist()
    [-3.0, 3.0]
    """
    values, counts = _check_samples(samples)
    k = D.check_count(k, "k")
    if not (isinstance(min_width, (int, float)) and math.isfinite(min_width) and min_width > 0):
        raise ValueError(f"min_width must be a finite number > 0, got {min_width!r}")
    mixture = _initial_mixture(values, counts, k, seed=seed, min_width=float(min_width))
    n = counts.sum()
    previous = -math.inf
    for iteration in range(1, max_iter + 1):
        log_joint = _component_log_pdf(values, mixture)  # (n_values, k)
        top = log_joint.max(axis=1, keepdims=True)  # (n_values, 1), for a stable exp
        joint = np.exp(log_joint - top)
        row_sum = joint.sum(axis=1)  # (n_values,)
        mean_ll = float(counts @ (top[:, 0] + np.log(row_sum))) / n
        if mean_ll - previous < tol:
            return GaussianMixture(mixture.weights, mixture.means, mixture.widths, iteration, True)
        previous = mean_ll
        resp = joint * (counts / row_sum)[:, None]  # (n_values, k), count-weighted
        mixture = _m_step(values, resp, mixture, n=n, min_width=float(min_width))
    return GaussianMixture(mixture.weights, mixture.means, mixture.widths, max_iter, False)


def _check_samples(samples: object) -> tuple[np.ndarray, np.ndarray]:
    """Distinct sample values and their counts (float64), validated."""
    array = np.asarray(samples, dtype=np.float64).ravel()
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError("samples must be a non-empty array of finite numbers")
    values, counts = np.unique(array, return_counts=True)
    return values, counts.astype(np.float64)


def _initial_mixture(values: np.ndarray, counts: np.ndarray, k: int, *, seed: int,
                     min_width: float) -> GaussianMixture:
    """EM's start: means at the (j + 1/2)/k quantiles (jittered), equal weights and widths."""
    cdf = np.cumsum(counts) / counts.sum()
    means = values[np.minimum(np.searchsorted(cdf, (np.arange(k) + 0.5) / k), values.size - 1)]
    spread = float(np.sqrt(np.average((values - np.average(values, weights=counts)) ** 2,
                                      weights=counts)))
    jitter = np.random.default_rng(seed).normal(0.0, 1e-3 * max(spread, min_width), k)
    widths = np.full(k, max(spread / k, min_width))
    return GaussianMixture(np.full(k, 1.0 / k), means + jitter, widths)


def _m_step(values: np.ndarray, resp: np.ndarray, old: GaussianMixture, *, n: float,
            min_width: float) -> GaussianMixture:
    """Weighted M-step; a component that lost all its data keeps its place and width."""
    mass = resp.sum(axis=0)  # (k,)
    alive = mass > 1e-12
    safe = np.where(alive, mass, 1.0)
    means = np.where(alive, (values @ resp) / safe, old.means)
    var = ((values**2) @ resp) / safe - means**2  # E[x^2] - E[x]^2, fine for |x| ~ 10
    widths = np.where(alive, np.maximum(np.sqrt(np.maximum(var, 0.0)), min_width), old.widths)
    return GaussianMixture(mass / n, means, widths)


# --- learning as compression: exact numbers on a known p_true ----------------------------

@dataclass(frozen=True)
class _TwoPartCode:
    """The two-part code of :func:`two_part_code` (fields documented there)."""

    model_bits: float
    data_bits: float

    @property
    def total_bits(self) -> float:
        """``model_bits + data_bits``: MDL picks the model that minimises it."""
        return self.model_bits + self.data_bits


def two_part_code(p_model: object, sample_index: object, *, n_params: int,
                  bits_per_param: float | None = None) -> _TwoPartCode:
    """Length of the two-part code: model parameters, then the samples coded with the model.

    ``L(model) + L(data | model) = n_params * bits_per_param + sum_i -log2 p_model(x_i)``
    (Rissanen 1978), for ``p_model`` over grid cells and the cells ``sample_index`` of the n
    samples. The default ``bits_per_param``, ``0.5 * log2(n)`` (a parameter estimated from n
    samples is known to about ``1/sqrt(n)``), makes it the BIC in bits. Returns a frozen record
    with ``model_bits``, ``data_bits`` and ``total_bits`` (what MDL minimises).

    Examples
    --------
    >>> code = two_part_code([0.5, 0.5], [0, 1, 1, 0], n_params=1, bits_per_param=3.0)
    >>> code.model_bits, code.data_bits, code.total_bits
    (3.0, 4.0, 7.0)
    """
    bits = np.atleast_1d(D.code_length_bits(p_model, np.asarray(sample_index)))
    n_params = D.check_count(n_params, "n_params", minimum=0)
    if bits_per_param is None:
        bits_per_param = 0.5 * math.log2(max(bits.size, 1))
    if not (math.isfinite(bits_per_param) and bits_per_param >= 0):
        raise ValueError(f"bits_per_param must be a finite number >= 0, got {bits_per_param!r}")
    return _TwoPartCode(model_bits=n_params * float(bits_per_param), data_bits=float(bits.sum()))
