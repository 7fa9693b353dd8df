"""Distributions on a finite grid: entropy, KL, channels, and the two faces of mismatch.

The core idea of the course fits on one line. A compressor is a channel p(x'|x): it
maps a distribution over inputs to a distribution over outputs,

    p_compressed(x') = sum_x p(x'|x) p_true(x),      i.e.  p_compressed = p_true @ channel.

JPEG is (almost) deterministic: each row of its channel is a Dirac delta, many inputs
share one output, and entropy can only drop. A learned model is the same move made by
maximum likelihood on samples. Either way the output differs from p_true in two ways:

* **mode collapse**: a probable configuration of p_true loses its mass,
  ``mode_collapse_mass(p_true, p_model) = P_{x~p_true}[p_model(x) <= p_true(x) / r]``;
* **hallucination**: the model puts mass where p_true has little,
  ``hallucination_mass(p_true, p_model) = P_{x~p_model}[p_true(x) <= p_model(x) / r]``.

Everything here works on small, explicit probability vectors (any shape, flattened),
so every number is exact rather than estimated. All information is in bits (log base 2).

The second half is learning as lossy compression (notebook 02): a mixture of Gaussians
fitted by EM to N samples of a known p_true, scored exactly (train bits, held-out bits =
the cross-entropy H(p_true, p_model), KL), its mass split into near the samples,
generalization and hallucination, and its size K chosen by the two-part code (MDL).

What this version leaves out: continuous distributions (a density is replaced by its
values on a fine grid), channels too large to write as a matrix (real JPEG acts on
256^(8x8) block values; notebook 04 measures it by sampling instead), and numerically
clever EM (no annealing, no split-and-merge, one deterministic initialisation).

References
----------
T. M. Cover and J. A. Thomas, *Elements of Information Theory*, 2nd ed., Wiley 2006
(entropy, KL, data processing inequality: ch. 2; description length: ch. 14).
A. P. Dempster, N. M. Laird and D. B. Rubin, "Maximum likelihood from incomplete data
via the EM algorithm", J. R. Stat. Soc. B 39 (1977).
J. Rissanen, "Modeling by shortest data description", Automatica 14 (1978).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

SUM_TOLERANCE = 1e-6  # |sum(p) - 1| allowed before a vector is rejected as a distribution

__all__ = [
    "GaussianMixture",
    "LearningCurve",
    "LearningPoint",
    "LearningProblem",
    "Mismatch",
    "NoveltySplit",
    "TwoPartCode",
    "code_length_bits",
    "cross_entropy",
    "description_bits",
    "distance_to_samples",
    "entropy",
    "fit_mixture",
    "grid_mixture",
    "grid_mixture_2d",
    "hallucination_mass",
    "kl_divergence",
    "learning_curve",
    "learning_point",
    "learning_problem",
    "mismatch",
    "mode_collapse_mass",
    "noisy_channel",
    "normalize",
    "novelty_split",
    "push_forward",
    "quantizer_channel",
    "two_part_code",
]


# --- validation ----------------------------------------------------------------------


def _as_distribution(p: object, name: str) -> np.ndarray:
    """Return ``p`` as a flat float64 probability vector, or raise a helpful ValueError."""
    try:
        array = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{name} must be an array of numbers, got {type(p).__name__}") from error
    if array.size == 0:
        raise ValueError(f"{name} is empty; pass at least one probability")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or inf; every entry must be a finite number")
    if np.any(array < 0):
        raise ValueError(f"{name} has negative entries (min {array.min():.3g}); "
                         "probabilities must be >= 0")
    total = float(array.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{name} sums to {total:.6g}, not 1; divide by its sum "
                         "(lossylab.distributions.normalize) first")
    return array.ravel()


def _as_pair(p: object, q: object, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Validate two distributions that must live on the same states."""
    p_arr, q_arr = _as_distribution(p, names[0]), _as_distribution(q, names[1])
    if np.shape(p) != np.shape(q):
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got "
                         f"{np.shape(p)} and {np.shape(q)}")
    return p_arr, q_arr


def _check_ratio(r: float) -> float:
    if not (isinstance(r, (int, float, np.number)) and math.isfinite(r) and r >= 1):
        raise ValueError(f"r must be a finite number >= 1 (e.g. 10), got {r!r}")
    return float(r)


def normalize(counts: object) -> np.ndarray:
    """Divide non-negative counts (or weights) by their sum to get a distribution.

    Parameters
    ----------
    counts : array_like
        Non-negative, finite, not all zero; any shape (kept).

    Returns
    -------
    numpy.ndarray
        float64, same shape, summing to 1.

    Raises
    ------
    ValueError
        If an entry is negative or not finite, or all entries are zero.

    Examples
    --------
    >>> normalize([1, 1, 2]).tolist()
    [0.25, 0.25, 0.5]
    """
    array = np.asarray(counts, dtype=np.float64)
    if array.size == 0 or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError("counts must be a non-empty array of finite, non-negative numbers")
    total = array.sum()
    if total <= 0:
        raise ValueError("counts are all zero; at least one entry must be positive")
    return array / total


# --- information measures --------------------------------------------------------------


def entropy(p: object) -> float:
    """Shannon entropy of a distribution, in bits.

    Parameters
    ----------
    p : array_like
        Probabilities (any shape), non-negative, summing to 1.

    Returns
    -------
    float
        ``H(p) >= 0``; ``log2(n)`` for the uniform distribution on n states.

    Raises
    ------
    ValueError
        If ``p`` has negative, NaN or inf entries, or does not sum to 1.

    Notes
    -----
    ``H(p) = -sum_x p(x) log2 p(x)``, with ``0 log 0 = 0``.

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.125, 0.125])
    1.75
    >>> entropy(np.full(8, 1 / 8))
    3.0
    """
    p_arr = _as_distribution(p, "p")
    nz = p_arr[p_arr > 0]
    return float(max(0.0, -np.sum(nz * np.log2(nz))))


def cross_entropy(p: object, q: object) -> float:
    """Cross-entropy ``H(p, q)`` in bits: the average code length of p's samples under q.

    Parameters
    ----------
    p, q : array_like
        Distributions of the same shape.

    Returns
    -------
    float
        ``H(p, q) = H(p) + KL(p || q)``; ``inf`` if q = 0 where p > 0.

    Raises
    ------
    ValueError
        If either is not a distribution or their shapes differ.

    Notes
    -----
    ``H(p, q) = -sum_x p(x) log2 q(x)``.

    Examples
    --------
    >>> round(cross_entropy([0.5, 0.5], [0.25, 0.75]), 4)
    1.2075
    """
    p_arr, q_arr = _as_pair(p, q, ("p", "q"))
    support = p_arr > 0
    if np.any(q_arr[support] == 0):
        return math.inf
    return float(-np.sum(p_arr[support] * np.log2(q_arr[support])))


def kl_divergence(p: object, q: object) -> float:
    """Kullback-Leibler divergence ``KL(p || q)`` in bits.

    Parameters
    ----------
    p, q : array_like
        Distributions of the same shape.

    Returns
    -------
    float
        ``>= 0``, zero exactly when p = q; ``inf`` if q = 0 where p > 0.

    Raises
    ------
    ValueError
        If either is not a distribution or their shapes differ.

    Notes
    -----
    ``KL(p || q) = sum_x p(x) log2(p(x) / q(x))``: the extra bits per sample paid for
    coding samples of p with a code built for q. It is not symmetric.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(kl_divergence([0.5, 0.5], [0.25, 0.75]), 4)
    0.2075
    >>> kl_divergence([0.5, 0.5], [1.0, 0.0])
    inf
    """
    p_arr, q_arr = _as_pair(p, q, ("p", "q"))
    support = p_arr > 0
    if np.any(q_arr[support] == 0):
        return math.inf
    ps, qs = p_arr[support], q_arr[support]
    return float(max(0.0, np.sum(ps * (np.log2(ps) - np.log2(qs)))))


def code_length_bits(p: object, index: object) -> np.ndarray | float:
    """Ideal code length ``-log2 p(x)`` of one instance (or several) under ``p``.

    Parameters
    ----------
    p : array_like
        A distribution (flattened if multi-dimensional).
    index : int or array_like of int
        Flat index (indices) of the state(s) x.

    Returns
    -------
    float or numpy.ndarray
        Bits; ``inf`` for a state of probability 0.

    Raises
    ------
    ValueError
        If ``p`` is not a distribution or an index is out of range.

    Notes
    -----
    Averaged over x ~ p, the code length is the entropy H(p).

    Examples
    --------
    >>> code_length_bits([0.5, 0.25, 0.25], 1)
    2.0
    """
    p_arr = _as_distribution(p, "p")
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu" or np.any(idx < 0) or np.any(idx >= p_arr.size):
        raise ValueError(f"index must be integer(s) in [0, {p_arr.size - 1}], got {index!r}")
    with np.errstate(divide="ignore"):
        bits = -np.log2(p_arr[idx])
    return float(bits) if bits.ndim == 0 else bits


def description_bits(p: object, *, precision_bits: int = 16) -> float:
    """Bits to write down a distribution as a table of its non-zero probabilities.

    Each probability is rounded to a multiple of ``2**-precision_bits``; the table stores
    which states are non-zero and, for each of them, its value in ``precision_bits`` bits.

    Parameters
    ----------
    p : array_like
        A distribution on n states.
    precision_bits : int, keyword-only
        Bits per stored probability (1 to 52).

    Returns
    -------
    float
        ``log2 C(n, k) + k * precision_bits`` where k = number of entries that do not
        round to zero.

    Raises
    ------
    ValueError
        If ``p`` is not a distribution or ``precision_bits`` is out of range.

    Examples
    --------
    >>> round(description_bits([0.5, 0.5, 0.0, 0.0], precision_bits=8), 4)  # log2 6 + 2 * 8
    18.585
    """
    p_arr = _as_distribution(p, "p")
    if not (isinstance(precision_bits, (int, np.integer)) and 1 <= precision_bits <= 52):
        raise ValueError(f"precision_bits must be an integer in [1, 52], got {precision_bits!r}")
    n = p_arr.size
    k = int(np.count_nonzero(np.round(p_arr * 2.0**precision_bits)))
    which_bits = (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)) / math.log(2)
    return float(max(0.0, which_bits) + k * precision_bits)


# --- the two faces of mismatch ---------------------------------------------------------


def _starved_mass(p: np.ndarray, q: np.ndarray, r: float) -> float:
    """``P_{x~p}[q(x) <= p(x) / r]`` for validated flat vectors."""
    starved = (p > 0) & (q <= p / r)
    return float(min(1.0, p[starved].sum()))


def mode_collapse_mass(p_true: object, p_model: object, *, r: float = 10.0) -> float:
    """Probability under p_true of the states the model starves by a factor r or more.

    Parameters
    ----------
    p_true, p_model : array_like
        Distributions of the same shape.
    r : float, keyword-only
        Factor (>= 1); 10 by default.

    Returns
    -------
    float
        In [0, 1]; 0 when ``p_model == p_true``.

    Raises
    ------
    ValueError
        If either is not a distribution, shapes differ, or ``r < 1``.

    Notes
    -----
    ``P_{x ~ p_true}[ p_model(x) <= p_true(x) / r ]``: mass of p_true that "collapsed".

    Examples
    --------
    >>> mode_collapse_mass([0.5, 0.5], [0.99, 0.01])  # the second state lost its mass
    0.5
    """
    p_arr, q_arr = _as_pair(p_true, p_model, ("p_true", "p_model"))
    return _starved_mass(p_arr, q_arr, _check_ratio(r))


def hallucination_mass(p_true: object, p_model: object, *, r: float = 10.0) -> float:
    """Probability under p_model of the states where p_true has r times less mass.

    Parameters
    ----------
    p_true, p_model : array_like
        Distributions of the same shape.
    r : float, keyword-only
        Factor (>= 1); 10 by default.

    Returns
    -------
    float
        In [0, 1]; 0 when ``p_model == p_true``.

    Raises
    ------
    ValueError
        If either is not a distribution, shapes differ, or ``r < 1``.

    Notes
    -----
    ``P_{x ~ p_model}[ p_true(x) <= p_model(x) / r ]``: mass the model "invented".

    Examples
    --------
    >>> hallucination_mass([1.0, 0.0], [0.8, 0.2])  # 20% of samples land where p_true is 0
    0.2
    """
    p_arr, q_arr = _as_pair(p_true, p_model, ("p_true", "p_model"))
    return _starved_mass(q_arr, p_arr, _check_ratio(r))


@dataclass(frozen=True)
class Mismatch:
    """How far p_model is from p_true, in every number the notebooks show (all in bits).

    Attributes
    ----------
    entropy_true_bits, entropy_model_bits : float
        ``H(p_true)`` and ``H(p_model)``.
    kl_true_model_bits : float
        ``KL(p_true || p_model)`` (inf if the model misses a state of p_true).
    kl_model_true_bits : float
        ``KL(p_model || p_true)``.
    mode_collapse_mass, hallucination_mass : float
        The two faces of mismatch at factor ``r``.
    r : float
    """

    entropy_true_bits: float
    entropy_model_bits: float
    kl_true_model_bits: float
    kl_model_true_bits: float
    mode_collapse_mass: float
    hallucination_mass: float
    r: float


def mismatch(p_true: object, p_model: object, *, r: float = 10.0) -> Mismatch:
    """Entropies, KL both ways and both mismatch masses in one call.

    Parameters
    ----------
    p_true, p_model : array_like
        Distributions of the same shape.
    r : float, keyword-only
        Factor for the two masses (>= 1).

    Returns
    -------
    Mismatch

    Raises
    ------
    ValueError
        As :func:`kl_divergence` and :func:`mode_collapse_mass`.

    Examples
    --------
    >>> m = mismatch([0.5, 0.5], [0.5, 0.5])
    >>> m.kl_true_model_bits, m.mode_collapse_mass, m.hallucination_mass
    (0.0, 0.0, 0.0)
    """
    return Mismatch(
        entropy_true_bits=entropy(p_true),
        entropy_model_bits=entropy(p_model),
        kl_true_model_bits=kl_divergence(p_true, p_model),
        kl_model_true_bits=kl_divergence(p_model, p_true),
        mode_collapse_mass=mode_collapse_mass(p_true, p_model, r=r),
        hallucination_mass=hallucination_mass(p_true, p_model, r=r),
        r=float(r),
    )


# --- channels ----------------------------------------------------------------------------


def _check_count(value: object, name: str, minimum: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def push_forward(p: object, channel: object) -> np.ndarray:
    """Distribution of the channel's output: ``p_compressed = p @ channel``.

    Parameters
    ----------
    p : array_like, shape (n_in,)
        Input distribution (p_true).
    channel : array_like, shape (n_in, n_out)
        Row-stochastic matrix: ``channel[x, x'] = p(x'|x)``, each row sums to 1.

    Returns
    -------
    numpy.ndarray, shape (n_out,)
        ``p_compressed(x') = sum_x p(x'|x) p(x)``.

    Raises
    ------
    ValueError
        If ``p`` is not a 1-D distribution, the channel is not 2-D, its rows do not
        sum to 1 or have negative entries, or ``n_in`` differs from ``len(p)``.

    Examples
    --------
    >>> push_forward([0.25, 0.25, 0.5], quantizer_channel(3, 1)).tolist()
    [0.0, 1.0, 0.0]
    """
    if np.ndim(p) != 1:
        raise ValueError(f"p must be 1-D, got shape {np.shape(p)}; flatten it with np.ravel")
    p_arr = _as_distribution(p, "p")
    matrix = np.asarray(channel, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != p_arr.size:
        raise ValueError(f"channel must have shape (n_in, n_out) with n_in = len(p) = "
                         f"{p_arr.size}, got {matrix.shape}")
    if not np.all(np.isfinite(matrix)) or np.any(matrix < 0):
        raise ValueError("channel has negative, NaN or inf entries; p(x'|x) must be >= 0")
    row_sums = matrix.sum(axis=1)
    worst = int(np.argmax(np.abs(row_sums - 1)))
    if abs(row_sums[worst] - 1) > SUM_TOLERANCE:
        raise ValueError(f"channel is not row-stochastic: row {worst} sums to "
                         f"{row_sums[worst]:.6g}; each row p(.|x) must sum to 1")
    return p_arr @ matrix


def quantizer_channel(n_states: int, n_levels: int) -> np.ndarray:
    """Deterministic quantizer: cut the states into ``n_levels`` bins, map each to its centre.

    Parameters
    ----------
    n_states : int
        Number of input (and output) states, >= 1.
    n_levels : int
        Number of bins, 1 to ``n_states``; ``n_states`` gives the identity.

    Returns
    -------
    numpy.ndarray, shape (n_states, n_states)
        0/1 row-stochastic matrix: one 1 per row (a Dirac delta), at the centre state of
        the input's bin. Many-to-one whenever ``n_levels < n_states``.

    Raises
    ------
    ValueError
        If the counts are not integers in range.

    Examples
    --------
    >>> quantizer_channel(4, 2).astype(int).tolist()
    [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]]
    """
    n_states = _check_count(n_states, "n_states")
    n_levels = _check_count(n_levels, "n_levels")
    if n_levels > n_states:
        raise ValueError(f"n_levels must be <= n_states = {n_states}, got {n_levels}")
    bins = np.arange(n_states) * n_levels // n_states  # (n_states,) bin of each state
    edges = np.searchsorted(bins, np.arange(n_levels + 1))  # first state of each bin
    centres = (edges[:-1] + edges[1:]) // 2  # (n_levels,) representative states
    channel = np.zeros((n_states, n_states))
    channel[np.arange(n_states), centres[bins]] = 1.0
    return channel


def noisy_channel(n_states: int, noise: float) -> np.ndarray:
    """Stochastic channel: x' = x plus discretised Gaussian noise of std ``noise`` states.

    Parameters
    ----------
    n_states : int
        Number of input (and output) states, >= 1.
    noise : float
        Standard deviation in states, >= 0; 0 gives the identity.

    Returns
    -------
    numpy.ndarray, shape (n_states, n_states)
        Row-stochastic: ``p(x'|x) ∝ exp(-(x' - x)^2 / (2 noise^2))``, truncated to the
        grid and renormalised per row.

    Raises
    ------
    ValueError
        If ``n_states`` is not a positive integer or ``noise`` is negative or not finite.

    Examples
    --------
    >>> noisy_channel(3, 0.0).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n_states = _check_count(n_states, "n_states")
    if not (isinstance(noise, (int, float, np.number)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0 (std in states), got {noise!r}")
    if noise == 0:
        return np.eye(n_states)
    offsets = np.arange(n_states)[None, :] - np.arange(n_states)[:, None]
    kernel = np.exp(-0.5 * (offsets / noise) ** 2)  # (n_states, n_states)
    return kernel / kernel.sum(axis=1, keepdims=True)


# --- distributions on a grid -------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GaussianMixture:
    """A 1-D mixture of Gaussians: ``sum_j weights[j] N(x; means[j], widths[j]^2)``.

    Attributes
    ----------
    weights, means, widths : numpy.ndarray, shape (k,)
        Mixing weights (sum to 1), centres, standard deviations (> 0).
    n_iter : int
        EM iterations run to get it (0 if written by hand).
    converged : bool
        Whether EM stopped because the log-likelihood stopped improving.
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
        """The mixture as a distribution over the cells of a uniform grid of centres ``x``.

        ``p(cell) ∝ density(x_cell)``, normalised over the grid: exact up to the cell
        width when widths span a few cells.
        """
        log_p = self.log_pdf(x)
        p = np.exp(log_p - log_p.max())
        return p / p.sum()


def _component_log_pdf(x: np.ndarray, mixture: GaussianMixture) -> np.ndarray:
    """(n, k) array of ``log(weights[j] N(x_i; means[j], widths[j]^2))``."""
    z = (x[:, None] - mixture.means[None, :]) / mixture.widths[None, :]
    log_w = np.log(np.maximum(mixture.weights, 1e-300))  # a dead component: weight 0
    return (log_w - np.log(mixture.widths) - 0.5 * math.log(2 * math.pi)) - 0.5 * z * z


def _log_sum_exp(a: np.ndarray, *, axis: int) -> np.ndarray:
    top = np.max(a, axis=axis, keepdims=True)
    return np.squeeze(top, axis=axis) + np.log(np.sum(np.exp(a - top), axis=axis))


def grid_mixture(x: object, *, means: object, widths: object, weights: object) -> np.ndarray:
    """A mixture of Gaussian peaks evaluated on a 1-D grid, as a distribution.

    Parameters
    ----------
    x : array_like, shape (n_states,)
        Cell centres of a uniform grid.
    means, widths, weights : array_like, shape (k,), keyword-only
        Peak centres, standard deviations (> 0), and relative heights (>= 0, not all 0).

    Returns
    -------
    numpy.ndarray, shape (n_states,)
        ``p(x_i) ∝ sum_j weights[j] N(x_i; means[j], widths[j]^2)``, summing to 1.

    Raises
    ------
    ValueError
        If the parameter arrays differ in length, a width is not positive, or the
        weights are not a valid (unnormalised) set of weights.

    Examples
    --------
    >>> p = grid_mixture(np.arange(5.0), means=[2.0], widths=[1.0], weights=[1.0])
    >>> int(np.argmax(p)), round(float(p.sum()), 12)
    (2, 1.0)
    """
    return _mixture(means, widths, weights).on_grid(x)


def _mixture(means: object, widths: object, weights: object) -> GaussianMixture:
    m, s = np.atleast_1d(np.asarray(means, float)), np.atleast_1d(np.asarray(widths, float))
    w = np.atleast_1d(np.asarray(weights, float))
    if not (m.ndim == s.ndim == w.ndim == 1 and m.size == s.size == w.size):
        raise ValueError(f"means, widths and weights must be 1-D of one length, got "
                         f"{m.shape}, {s.shape}, {w.shape}")
    if not np.all(np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("widths must be finite and > 0 (standard deviations)")
    return GaussianMixture(weights=normalize(w), means=m, widths=s)


def grid_mixture_2d(n_side: int, *, means: object, widths: object,
                    weights: object) -> np.ndarray:
    """Round Gaussian peaks on an ``n_side x n_side`` grid over the unit square.

    Parameters
    ----------
    n_side : int
        Grid cells per side.
    means : array_like, shape (k, 2), keyword-only
        Peak centres (row, column) in [0, 1].
    widths, weights : array_like, shape (k,), keyword-only
        Standard deviations (in units of the side) and relative heights.

    Returns
    -------
    numpy.ndarray, shape (n_side, n_side)
        A distribution (sums to 1) to show as an image.

    Raises
    ------
    ValueError
        If shapes disagree or a width is not positive.

    Examples
    --------
    >>> p = grid_mixture_2d(8, means=[[0.5, 0.5]], widths=[0.1], weights=[1.0])
    >>> p.shape, round(float(p.sum()), 12)
    ((8, 8), 1.0)
    """
    n_side = _check_count(n_side, "n_side")
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

    Parameters
    ----------
    samples : array_like, shape (n,)
        Finite real numbers (repeated values are fine and make it faster).
    k : int
        Number of components, >= 1.
    seed : int, keyword-only
        Seeds the small jitter of the initial means (ties between equal samples).
    min_width : float, keyword-only
        Smallest allowed standard deviation (> 0). Without it a component could sit
        on one sample with width -> 0 and likelihood -> infinity.
    max_iter : int, keyword-only
        Most EM iterations.
    tol : float, keyword-only
        Stop when the mean log-likelihood (nats per sample) improves by less than this.

    Returns
    -------
    GaussianMixture

    Raises
    ------
    ValueError
        If samples are empty or not finite, ``k`` is not a positive integer, or
        ``min_width`` is not positive.

    Notes
    -----
    E-step: responsibilities ``r_ij ∝ w_j N(x_i; mu_j, s_j^2)``. M-step: ``w_j = mean_i r_ij``,
    ``mu_j`` the r-weighted mean, ``s_j = max(min_width, r-weighted std)`` (the constrained
    maximiser, so the likelihood never decreases). Means start at the ``(j + 1/2)/k``
    quantiles of the data. Distinct values are processed once, weighted by their counts.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(-3, 1, 500), rng.normal(3, 1, 500)])
    >>> fit = fit_mixture(x, 2, seed=0)
    >>> np.round(np.sort(fit.means)).tolist()
    [-3.0, 3.0]
    """
    values, counts = _check_samples(samples)
    k = _check_count(k, "k")
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
class TwoPartCode:
    """The two-part (MDL) code of a data set: first the model, then the data given it.

    Attributes
    ----------
    model_bits : float
        Bits to write the model's parameters at the stated precision.
    data_bits : float
        ``sum_i -log2 p_model(x_i)``: bits to write the samples with the model's code.
    """

    model_bits: float
    data_bits: float

    @property
    def total_bits(self) -> float:
        """``model_bits + data_bits``: MDL picks the model that minimises it."""
        return self.model_bits + self.data_bits


def two_part_code(p_model: object, sample_index: object, *, n_params: int,
                  bits_per_param: float | None = None) -> TwoPartCode:
    """Length of the two-part code: model parameters, then the samples coded with the model.

    Parameters
    ----------
    p_model : array_like, shape (n_states,)
        The model as a distribution over grid cells (the data's stated precision).
    sample_index : array_like of int, shape (n,)
        The cells the samples fell in.
    n_params : int, keyword-only
        Number of free parameters of the model.
    bits_per_param : float, optional, keyword-only
        Precision of each parameter. Default ``0.5 * log2(n)``: a parameter estimated
        from n samples is only known to about ``1/sqrt(n)``, so finer digits are wasted.

    Returns
    -------
    TwoPartCode

    Raises
    ------
    ValueError
        If ``p_model`` is not a distribution, an index is out of range, or the counts
        are negative.

    Notes
    -----
    ``L(model) + L(data | model) = n_params * bits_per_param + sum_i -log2 p_model(x_i)``
    (Rissanen 1978; with the default precision it is the BIC in bits).

    Examples
    --------
    >>> code = two_part_code([0.5, 0.5], [0, 1, 1, 0], n_params=1, bits_per_param=3.0)
    >>> code.model_bits, code.data_bits, code.total_bits
    (3.0, 4.0, 7.0)
    """
    bits = np.atleast_1d(code_length_bits(p_model, np.asarray(sample_index)))
    n_params = _check_count(n_params, "n_params", minimum=0)
    if bits_per_param is None:
        bits_per_param = 0.5 * math.log2(max(bits.size, 1))
    if not (math.isfinite(bits_per_param) and bits_per_param >= 0):
        raise ValueError(f"bits_per_param must be a finite number >= 0, got {bits_per_param!r}")
    return TwoPartCode(model_bits=n_params * float(bits_per_param), data_bits=float(bits.sum()))


@dataclass(frozen=True)
class NoveltySplit:
    """Where a model's mass goes relative to its training samples (sums to 1).

    Attributes
    ----------
    near_mass : float
        Mass within ``distance`` of some training sample (reproducing the data; all of
        it, with spikes, is memorization).
    generalization_mass : float
        Mass farther than ``distance`` from every sample where p_true has mass too:
        plausible novelty.
    hallucination_mass : float
        Mass farther than ``distance`` from every sample where ``p_true <= p_model / r``:
        invented.
    """

    near_mass: float
    generalization_mass: float
    hallucination_mass: float


def distance_to_samples(x: object, samples: object) -> np.ndarray:
    """Distance from each point of ``x`` to the nearest of ``samples`` (1-D).

    Examples
    --------
    >>> distance_to_samples([0.0, 1.0, 4.0], [1.5, 3.0]).tolist()
    [1.5, 0.5, 1.0]
    """
    x_arr = np.asarray(x, dtype=np.float64)
    s = np.sort(np.asarray(samples, dtype=np.float64).ravel())
    if s.size == 0:
        raise ValueError("samples is empty; pass at least one training sample")
    pos = np.searchsorted(s, x_arr)
    left = np.abs(x_arr - s[np.maximum(pos - 1, 0)])
    right = np.abs(s[np.minimum(pos, s.size - 1)] - x_arr)
    return np.minimum(left, right)


def novelty_split(p_true: object, p_model: object, x: object, samples: object, *,
                  distance: float, r: float = 10.0) -> NoveltySplit:
    """Split p_model's mass into near the samples, generalization, and hallucination.

    Parameters
    ----------
    p_true, p_model : array_like, shape (n_states,)
        Distributions on the grid ``x``.
    x : array_like, shape (n_states,)
        Grid cell centres.
    samples : array_like
        The training samples (values on the same axis as ``x``).
    distance : float, keyword-only
        A point counts as new when it is farther than this from every sample.
    r : float, keyword-only
        "p_true has no mass there" means ``p_true(x) <= p_model(x) / r``, as in
        :func:`hallucination_mass`.

    Returns
    -------
    NoveltySplit

    Raises
    ------
    ValueError
        If the distributions are invalid or ``x`` has another shape, or ``distance < 0``.

    Examples
    --------
    >>> split = novelty_split([0.5, 0.5, 0.0], [0.2, 0.5, 0.3], [0.0, 1.0, 2.0], [0.0],
    ...                       distance=0.5)
    >>> split.near_mass, split.generalization_mass, split.hallucination_mass
    (0.2, 0.5, 0.3)
    """
    p_arr, q_arr = _as_pair(p_true, p_model, ("p_true", "p_model"))
    r = _check_ratio(r)
    x_arr = np.asarray(x, dtype=np.float64).ravel()
    if x_arr.size != p_arr.size:
        raise ValueError(f"x must have one point per state ({p_arr.size}), got {x_arr.size}")
    if not (math.isfinite(distance) and distance >= 0):
        raise ValueError(f"distance must be a finite number >= 0, got {distance!r}")
    far = distance_to_samples(x_arr, samples) > distance
    invented = p_arr <= q_arr / r
    return NoveltySplit(near_mass=float(q_arr[~far].sum()),
                        generalization_mass=float(q_arr[far & ~invented].sum()),
                        hallucination_mass=float(q_arr[far & invented].sum()))


# The 1-D p_true of notebook 02: five peaks of different widths and heights on [0, 10],
# with empty gaps between them (where a too-smooth model hallucinates).
LEARNING_PEAKS = {
    "means": (1.0, 3.0, 6.0, 7.5, 9.2),
    "widths": (0.2, 0.8, 0.15, 0.4, 0.1),
    "weights": (0.05, 0.45, 0.25, 0.2, 0.05),
}
LEARNING_N_STATES = 400  # cells of width 0.025 on [0, 10]: the data's stated precision
LEARNING_MAX_SAMPLES = 10_000
LEARNING_MIN_WIDTH = 0.05  # EM's width floor (two cells)


@dataclass(frozen=True, eq=False)
class LearningProblem:
    """A known p_true on a grid and one long, seeded draw from it (prefixes are nested).

    Attributes
    ----------
    x : numpy.ndarray, shape (n_states,)
        Cell centres.
    p_true : numpy.ndarray, shape (n_states,)
    sample_index : numpy.ndarray of int, shape (max_samples,)
        Cells of the draws; the first n are "the data set of size n".
    min_width : float
        The width floor used by :func:`fit_mixture`.
    """

    x: np.ndarray
    p_true: np.ndarray
    sample_index: np.ndarray
    min_width: float

    def samples(self, n_samples: int) -> np.ndarray:
        """The first ``n_samples`` draws, as values on the x axis."""
        if not 1 <= n_samples <= self.sample_index.size:
            raise ValueError(f"n_samples must be in [1, {self.sample_index.size}], "
                             f"got {n_samples!r}")
        return self.x[self.sample_index[:n_samples]]


@lru_cache(maxsize=8)
def learning_problem(*, seed: int = 0) -> LearningProblem:
    """The p_true of notebook 02 (:data:`LEARNING_PEAKS`) and its seeded samples.

    Examples
    --------
    >>> problem = learning_problem(seed=0)
    >>> problem.x.shape, problem.sample_index.shape
    ((400,), (10000,))
    """
    x = (np.arange(LEARNING_N_STATES) + 0.5) * (10.0 / LEARNING_N_STATES)
    p_true = grid_mixture(x, **LEARNING_PEAKS)
    index = np.random.default_rng(seed).choice(x.size, size=LEARNING_MAX_SAMPLES, p=p_true)
    for array in (x, p_true, index):
        array.flags.writeable = False  # shared by the cache: keep it immutable
    return LearningProblem(x=x, p_true=p_true, sample_index=index, min_width=LEARNING_MIN_WIDTH)


@dataclass(frozen=True, eq=False)
class LearningPoint:
    """One mixture fitted to the first ``n_samples`` draws, and its exact scores.

    Attributes
    ----------
    n_samples, k : int
    model : GaussianMixture
    p_model : numpy.ndarray, shape (n_states,)
        The fitted mixture on the grid.
    train_bits : float
        Bits per training sample, ``mean_i -log2 p_model(x_i)``.
    heldout_bits : float
        Bits per fresh sample, exactly: the cross-entropy ``H(p_true, p_model)``.
    kl_bits : float
        ``KL(p_true || p_model) = heldout_bits - H(p_true)``.
    code : TwoPartCode
        Model bits + data bits (MDL).
    """

    n_samples: int
    k: int
    model: GaussianMixture
    p_model: np.ndarray
    train_bits: float
    heldout_bits: float
    kl_bits: float
    code: TwoPartCode


@lru_cache(maxsize=512)
def learning_point(n_samples: int, k: int, *, seed: int = 0) -> LearningPoint:
    """Fit a k-component mixture to n samples of :func:`learning_problem` and score it (cached).

    Parameters
    ----------
    n_samples : int
        Data size, 1 to ``LEARNING_MAX_SAMPLES``.
    k : int
        Number of mixture components, >= 1.
    seed : int, keyword-only
        Seeds the draw and the fit.

    Returns
    -------
    LearningPoint

    Raises
    ------
    ValueError
        If ``n_samples`` or ``k`` is out of range.

    Examples
    --------
    >>> point = learning_point(100, 1)
    >>> point.heldout_bits > point.kl_bits > 0
    True
    """
    problem = learning_problem(seed=seed)
    samples = problem.samples(n_samples)
    # tol: 1e-4 nats per sample, stricter than scikit-learn's default 1e-3, 3x faster than 1e-5
    model = fit_mixture(samples, k, seed=seed, min_width=problem.min_width, tol=1e-4)
    p_model = model.on_grid(problem.x)
    p_model.flags.writeable = False
    index = problem.sample_index[:n_samples]
    code = two_part_code(p_model, index, n_params=model.n_params)
    heldout = cross_entropy(problem.p_true, p_model)
    return LearningPoint(n_samples=n_samples, k=k, model=model, p_model=p_model,
                         train_bits=code.data_bits / n_samples, heldout_bits=heldout,
                         kl_bits=kl_divergence(problem.p_true, p_model), code=code)


# The sliders of notebook 02: data sizes N and model sizes K (1 to 50) for which fits exist.
LEARNING_N_OPTIONS = (10, 30, 100, 300, 1000, 3000, 10_000)
LEARNING_K_OPTIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50)
LEARNING_DEFAULT_N = 100


@dataclass(frozen=True, eq=False)
class LearningCurve:
    """Scores of the fits for every K at one data size N (arrays follow ``ks``).

    Attributes
    ----------
    n_samples : int
    ks : numpy.ndarray of int
    train_bits, heldout_bits : numpy.ndarray
        Bits per sample on the training data, and exactly on fresh data from p_true.
    model_bits, data_bits : numpy.ndarray
        The two parts of the MDL code.
    heldout_k, mdl_k : int
        The K with the fewest held-out bits, and the K with the shortest two-part code.
    """

    n_samples: int
    ks: np.ndarray
    train_bits: np.ndarray
    heldout_bits: np.ndarray
    model_bits: np.ndarray
    data_bits: np.ndarray
    heldout_k: int
    mdl_k: int


@lru_cache(maxsize=32)
def learning_curve(n_samples: int, ks: tuple[int, ...] = LEARNING_K_OPTIONS, *,
                   seed: int = 0) -> LearningCurve:
    """Fit every K in ``ks`` to the first ``n_samples`` draws and collect the scores (cached).

    Parameters
    ----------
    n_samples : int
        Data size N.
    ks : tuple of int
        Model sizes to fit (a tuple, so the result can be cached).
    seed : int, keyword-only
        As in :func:`learning_point`.

    Returns
    -------
    LearningCurve

    Raises
    ------
    ValueError
        If ``n_samples`` or a K is out of range.

    Examples
    --------
    >>> curve = learning_curve(30, (1, 2, 3))
    >>> curve.ks.tolist(), curve.mdl_k in (1, 2, 3)
    ([1, 2, 3], True)
    """
    points = [learning_point(n_samples, k, seed=seed) for k in ks]
    heldout = np.array([p.heldout_bits for p in points])
    total = np.array([p.code.total_bits for p in points])
    return LearningCurve(
        n_samples=n_samples, ks=np.array(ks), train_bits=np.array([p.train_bits for p in points]),
        heldout_bits=heldout, model_bits=np.array([p.code.model_bits for p in points]),
        data_bits=np.array([p.code.data_bits for p in points]),
        heldout_k=int(ks[int(np.argmin(heldout))]), mdl_k=int(ks[int(np.argmin(total))]))
