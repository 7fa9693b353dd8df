"""Distributions on a finite grid: entropy, KL, channels, and the four faces of mismatch.

Three distributions, named the same way everywhere: **p_true** (the source), **p-hat_train**
(the empirical distribution of what the learner or compressor actually sees) and **p_model**
(= p_compressed; for a channel ``p_compressed = p_true @ channel``). A deterministic channel
(JPEG) merges states, so entropy can only drop. The mismatch of p_model with p-hat_train is
the lossy part; :func:`faces` splits it, one definition each, at a factor r > 1: memorization
(mass on the training items), generalization (off them, where p_true has mass), hallucination
(off them, where p_true has none or r times less) and mode collapse (mass of p_true the model
starves). The numbers depend on the states they are measured on: say which.

Everything is exact on small explicit vectors; :func:`faces_mc` estimates the faces from
samples, with 95% intervals. Bits throughout. Reference: T. M. Cover and J. A. Thomas,
*Elements of Information Theory*, 2nd ed., Wiley 2006, ch. 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["check_count", "check_distributions", "check_ratio", "code_length_bits",
           "cross_entropy", "description_bits", "entropy", "faces", "faces_mc",
           "hallucination_mass", "kl_divergence", "mismatch", "mode_collapse_mass",
           "noisy_channel", "normalize", "push_forward", "quantizer_channel"]

_SUM_TOLERANCE = 1e-6  # |sum(p) - 1| allowed before a vector is rejected as a distribution


# --- validation: the one rule for each kind of argument ---------------------------------

def _as_distribution(p: object, name: str) -> np.ndarray:
    """``p`` as a flat float64 probability vector, or a ValueError that says what is wrong."""
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
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{name} sums to {total:.6g}, not 1; divide by its sum "
                         "(lossylab.distributions.normalize) first")
    return array.ravel()


def check_distributions(p: object, q: object, names: tuple[str, str] = ("p", "q")
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Check two distributions of one shape (>= 0, summing to 1; errors name them as ``names``).

    Examples
    --------
    >>> check_distributions([[0.5, 0.5]], [[1.0, 0.0]])[1].tolist()  # returned flat
    [1.0, 0.0]
    """
    p_arr, q_arr = _as_distribution(p, names[0]), _as_distribution(q, names[1])
    if np.shape(p) != np.shape(q):
        raise ValueError(f"{names[0]} and {names[1]} must have the same shape, got "
                         f"{np.shape(p)} and {np.shape(q)}")
    return p_arr, q_arr


def check_ratio(r: float) -> float:
    """Check the factor r of mode collapse and hallucination: finite and > 1, else ValueError.

    At r = 1 the tests ``p_model <= p_true`` and ``p_true <= p_model`` would count every state of
    a perfect model, so r = 1 is refused; any r above 1 gives 0 for ``p_model == p_true``.

    Examples
    --------
    >>> check_ratio(10)
    10.0
    """
    if not (isinstance(r, (int, float, np.number)) and math.isfinite(r) and r > 1):
        raise ValueError(f"r must be a finite number > 1 (e.g. 10; at r = 1 even a perfect model "
                         f"would count as fully collapsed), got {r!r}")
    return float(r)


def check_count(value: object, name: str, minimum: int = 1) -> int:
    """Check a count (of states, levels, ...): an int, not a bool, >= ``minimum``; else ValueError.

    Examples
    --------
    >>> check_count(3, "k")
    3
    """
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def normalize(counts: object) -> np.ndarray:
    """Divide non-negative counts (finite, not all zero, any shape) by their sum.

    Returns
    -------
    numpy.ndarray
        float64, the shape of ``counts``, summing to 1 (ValueError for invalid counts).

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
    """Shannon entropy ``H(p) = -sum_x p(x) log2 p(x)`` in bits (``0 log 0 = 0``), >= 0.

    ``p``: a distribution of any shape (ValueError if not one).

    Examples
    --------
    >>> entropy([0.5, 0.25, 0.125, 0.125]), entropy(np.full(8, 1 / 8))
    (1.75, 3.0)
    """
    p_arr = _as_distribution(p, "p")
    nz = p_arr[p_arr > 0]
    return float(max(0.0, -np.sum(nz * np.log2(nz))))


def cross_entropy(p: object, q: object) -> float:
    """Cross-entropy ``H(p, q) = -sum_x p(x) log2 q(x)`` = ``H(p) + KL(p || q)``, in bits.

    ``p``, ``q``: distributions of one shape (:func:`check_distributions`); ``inf`` if q = 0
    where p > 0.

    Examples
    --------
    >>> round(cross_entropy([0.5, 0.5], [0.25, 0.75]), 4)
    1.2075
    """
    p_arr, q_arr = check_distributions(p, q)
    support = p_arr > 0
    if np.any(q_arr[support] == 0):
        return math.inf
    return float(-np.sum(p_arr[support] * np.log2(q_arr[support])))


def kl_divergence(p: object, q: object) -> float:
    """``KL(p || q) = sum_x p(x) log2(p(x) / q(x))``: the extra bits of coding p with q's code.

    As :func:`cross_entropy`; >= 0, zero exactly when p = q, not symmetric.

    Examples
    --------
    >>> kl_divergence([0.5, 0.5], [0.5, 0.5]), kl_divergence([0.5, 0.5], [1.0, 0.0])
    (0.0, inf)
    """
    p_arr, q_arr = check_distributions(p, q)
    support = p_arr > 0
    if np.any(q_arr[support] == 0):
        return math.inf
    ps, qs = p_arr[support], q_arr[support]
    return float(max(0.0, np.sum(ps * (np.log2(ps) - np.log2(qs)))))


def code_length_bits(p: object, index: object) -> np.ndarray | float:
    """Ideal code length ``-log2 p(x)`` in bits of the state(s) at flat ``index``; inf if p(x) = 0.

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
    """Bits to write a distribution down as a table: which states are non-zero, and their values.

    ``log2 C(n, k) + k * precision_bits`` for the k of n entries that do not round to 0 at
    ``precision_bits`` (1 to 52) bits each.

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
    """Mass of p_true on the states the model starves: ``P_{x~p_true}[p_model(x) <= p_true(x)/r]``.

    ``p_true``, ``p_model``: distributions of one shape; ``r`` > 1 (:func:`check_ratio`). In
    [0, 1]; 0 when ``p_model == p_true``.

    Examples
    --------
    >>> mode_collapse_mass([0.5, 0.5], [0.99, 0.01])  # the second state lost its mass
    0.5
    """
    p_arr, q_arr = check_distributions(p_true, p_model, ("p_true", "p_model"))
    return _starved_mass(p_arr, q_arr, check_ratio(r))


def hallucination_mass(p_true: object, p_model: object, *, r: float = 10.0) -> float:
    """Mass of p_model where p_true has r times less: ``P_{x~p_model}[p_true(x) <= p_model(x)/r]``.

    :func:`mode_collapse_mass` with the roles swapped; same parameters, result and errors.

    Examples
    --------
    >>> hallucination_mass([1.0, 0.0], [0.8, 0.2])  # 20% of samples land where p_true is 0
    0.2
    """
    p_arr, q_arr = check_distributions(p_true, p_model, ("p_true", "p_model"))
    return _starved_mass(q_arr, p_arr, check_ratio(r))


@dataclass(frozen=True)
class _Mismatch:
    """The numbers of :func:`mismatch` (fields documented there)."""

    entropy_true_bits: float
    entropy_model_bits: float
    kl_true_model_bits: float
    kl_model_true_bits: float
    mode_collapse_mass: float
    hallucination_mass: float
    r: float


def mismatch(p_true: object, p_model: object, *, r: float = 10.0) -> _Mismatch:
    """Entropies, KL both ways and the two masses of a channel's output, in one frozen record.

    Fields ``entropy_true_bits``, ``entropy_model_bits``, ``kl_true_model_bits`` (inf if the
    model misses a state of p_true), ``kl_model_true_bits``, ``mode_collapse_mass``,
    ``hallucination_mass``, ``r`` (keyword-only, > 1).

    Examples
    --------
    >>> m = mismatch([0.5, 0.5], [0.5, 0.5])
    >>> m.kl_true_model_bits, m.mode_collapse_mass, m.hallucination_mass
    (0.0, 0.0, 0.0)
    """
    return _Mismatch(entropy_true_bits=entropy(p_true), entropy_model_bits=entropy(p_model),
                     kl_true_model_bits=kl_divergence(p_true, p_model),
                     kl_model_true_bits=kl_divergence(p_model, p_true),
                     mode_collapse_mass=mode_collapse_mass(p_true, p_model, r=r),
                     hallucination_mass=hallucination_mass(p_true, p_model, r=r), r=float(r))


# --- the four faces, one definition each ------------------------------------------------

_FACES = ("memorization", "generalization", "hallucination", "mode_collapse")


@dataclass(frozen=True)
class _Faces:
    """The four faces of :func:`faces` / :func:`faces_mc` (fields documented there)."""

    memorization: float
    generalization: float
    hallucination: float
    invalid: float
    mode_collapse: float
    r: float
    n_model: int = 0  # samples of p_model behind the first four (0: exact)
    n_true: int = 0  # samples of p_true behind mode_collapse (0: exact)

    def interval(self, face: str) -> tuple[float, float]:
        """95% Wilson interval of one face (the value twice when it is exact)."""
        value, n = getattr(self, face), self.n_true if face == "mode_collapse" else self.n_model
        if n == 0:
            return value, value
        z2 = 1.959964**2
        centre, half = value + z2 / (2 * n), math.sqrt(z2 * value * (1 - value) / n
                                                       + z2 * z2 / (4 * n * n))
        return max(0.0, (centre - half) / (1 + z2 / n)), min(1.0, (centre + half) / (1 + z2 / n))

    def lines(self, state_space: str) -> list[str]:
        """One printable line per face: value, estimator (exact, or Monte Carlo with n and
        its 95% interval) and the state space it is measured on."""
        out = []
        for face in _FACES:
            n = self.n_true if face == "mode_collapse" else self.n_model
            lo, hi = self.interval(face)
            how = "exact" if n == 0 else f"Monte Carlo, n = {n}, 95% [{lo:.3f}, {hi:.3f}]"
            out.append(f"{face.replace('_', ' '):15s} {getattr(self, face):.3f}  ({how}; "
                       f"r = {self.r:g}; {state_space})")
        return out


def faces(p_true: object, p_model: object, seen: object = None, *, r: float = 10.0) -> _Faces:
    """The four faces of the mismatch, exactly, on one finite state space.

    With ``seen`` the training items (a boolean mask; the support of p-hat_train; default none):

    * **memorization** ``sum p_model[seen]``: model mass kept on the training items;
    * **generalization** ``sum p_model[~seen & (p_true > p_model / r)]``: off them, where p_true
      has mass too;
    * **hallucination** ``sum p_model[~seen & (p_true <= p_model / r)]``: off them, where p_true
      has none or r times less (``invalid``: the part where p_true = 0);
    * **mode collapse**: :func:`mode_collapse_mass`, the mass of p_true the model starves.

    The first three sum to 1. Distributions of one shape, ``r`` > 1 (keyword-only). The frozen
    record also has ``r``, ``interval(face)`` and ``lines(state_space)`` (printable, with the
    estimator).

    Examples
    --------
    >>> f = faces([0.5, 0.5, 0.0], [0.2, 0.5, 0.3], seen=[True, False, False])
    >>> f.memorization, f.generalization, f.hallucination, f.mode_collapse
    (0.2, 0.5, 0.3, 0.0)
    """
    p_arr, q_arr = check_distributions(p_true, p_model, ("p_true", "p_model"))
    r = check_ratio(r)
    mask = np.zeros(p_arr.size, bool) if seen is None else np.asarray(seen, bool).ravel()
    if mask.size != p_arr.size:
        raise ValueError(f"seen must have one entry per state ({p_arr.size}), got {mask.size}")
    off, invented = ~mask, p_arr <= q_arr / r
    return _Faces(float(q_arr[mask].sum()), float(q_arr[off & ~invented].sum()),
                  float(q_arr[off & invented].sum()), float(q_arr[off & (p_arr == 0)].sum()),
                  _starved_mass(p_arr, q_arr, r), r)


def faces_mc(log2_p_true: object, log2_p_model: object, seen: object,
             truth: tuple[object, object], *, r: float = 10.0) -> _Faces:
    """Monte-Carlo :func:`faces`: fractions of samples of each kind, with n and 95% intervals.

    ``log2_p_true``, ``log2_p_model``, ``seen``: for n > 0 samples drawn from p_model, both
    log2-probabilities (``-inf`` where p_true is 0) and whether each is a training item;
    ``truth``: ``(log2_p_true, log2_p_model)`` of m > 0 samples drawn from p_true (mode collapse).

    Examples
    --------
    >>> f = faces_mc([-1.0, -1.0, -np.inf, -1.0], [-1.0, -1.0, -2.0, -1.0],
    ...              [True, False, False, False], ([-1.0, -1.0], [-1.0, -9.0]))
    >>> f.memorization, f.generalization, f.hallucination, f.mode_collapse, f.n_model
    (0.25, 0.5, 0.25, 0.5, 4)
    """
    r = check_ratio(r)
    arrays = [np.asarray(a, dtype=np.float64).ravel()
              for a in (log2_p_true, log2_p_model, seen, *truth)]
    a, b, mask, ta, tb = arrays
    if not (len(a) == len(b) == len(mask) > 0 and len(ta) == len(tb) > 0):
        raise ValueError(f"faces_mc needs n > 0 samples of p_model (log2_p_true, log2_p_model, "
                         f"seen of one length) and m > 0 of p_true, got lengths "
                         f"{[len(x) for x in arrays]}")
    off, invented = mask == 0, a <= b - math.log2(r)
    return _Faces(float(np.mean(mask != 0)), float(np.mean(off & ~invented)),
                  float(np.mean(off & invented)), float(np.mean(off & np.isneginf(a))),
                  float(np.mean(tb <= ta - math.log2(r))), r, len(a), len(ta))


# --- channels ----------------------------------------------------------------------------

def push_forward(p: object, channel: object) -> np.ndarray:
    """Distribution of the channel's output: ``p_compressed = p @ channel``.

    ``p``: 1-D (p_true); ``channel``: row-stochastic, shape (len(p), n_out), ``channel[x, x'] =
    p(x'|x)`` (ValueError otherwise).

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
    if abs(row_sums[worst] - 1) > _SUM_TOLERANCE:
        raise ValueError(f"channel is not row-stochastic: row {worst} sums to "
                         f"{row_sums[worst]:.6g}; each row p(.|x) must sum to 1")
    return p_arr @ matrix


def quantizer_channel(n_states: int, n_levels: int) -> np.ndarray:
    """Deterministic quantizer: ``n_levels`` bins of the states, each mapped to its centre.

    Returns the (n_states, n_states) 0/1 matrix with one 1 per row (many-to-one);
    ``n_levels = n_states`` gives the identity (ValueError unless 1 <= n_levels <= n_states).

    Examples
    --------
    >>> quantizer_channel(4, 2).astype(int).tolist()
    [[0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]]
    """
    n_states = check_count(n_states, "n_states")
    n_levels = check_count(n_levels, "n_levels")
    if n_levels > n_states:
        raise ValueError(f"n_levels must be <= n_states = {n_states}, got {n_levels}")
    bins = np.arange(n_states) * n_levels // n_states  # (n_states,) bin of each state
    edges = np.searchsorted(bins, np.arange(n_levels + 1))  # first state of each bin
    centres = (edges[:-1] + edges[1:]) // 2  # (n_levels,) representative states
    channel = np.zeros((n_states, n_states))
    channel[np.arange(n_states), centres[bins]] = 1.0
    return channel


def noisy_channel(n_states: int, noise: float) -> np.ndarray:
    """Stochastic channel: x' = x plus discretised Gaussian noise of std ``noise`` (>= 0) states.

    Returns the row-stochastic ``p(x'|x) ∝ exp(-(x' - x)^2 / (2 noise^2))``; noise 0 is the
    identity (ValueError for a bad count or noise).

    Examples
    --------
    >>> noisy_channel(3, 0.0).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n_states = check_count(n_states, "n_states")
    if not (isinstance(noise, (int, float, np.number)) and math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0 (std in states), got {noise!r}")
    if noise == 0:
        return np.eye(n_states)
    offsets = np.arange(n_states)[None, :] - np.arange(n_states)[:, None]
    kernel = np.exp(-0.5 * (offsets / noise) ** 2)  # (n_states, n_states)
    return kernel / kernel.sum(axis=1, keepdims=True)
