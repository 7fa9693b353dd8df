"""Notebook 02: the 1-D p_true, its samples, the cached EM fits, the widget's numbers, answers.

Everything returned from a cache here is read-only (its arrays cannot be written), so a
notebook cell that edits a result cannot change what the next call returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from lossylab import mixtures
from lossylab.course.exercises import Feedback
from lossylab.distributions import cross_entropy, entropy, faces, kl_divergence

__all__ = ["LEARNING_DEFAULT_N", "LEARNING_K_OPTIONS", "LEARNING_N_OPTIONS", "LEARNING_PEAKS",
           "NEAR_DISTANCE",
           "LearningCurve", "LearningProblem", "check", "learning_curve",
           "learning_numbers", "learning_point", "learning_problem"]

# The 1-D p_true of notebook 02: five peaks of different widths and heights on [0, 10],
# with empty gaps between them (where a too-smooth model hallucinates).
LEARNING_PEAKS = {"means": (1.0, 3.0, 6.0, 7.5, 9.2), "widths": (0.2, 0.8, 0.15, 0.4, 0.1),
                  "weights": (0.05, 0.45, 0.25, 0.2, 0.05)}
_N_STATES = 400  # cells of width 0.025 on [0, 10]: the data's stated precision
_MAX_SAMPLES = 10_000
_MIN_WIDTH = 0.05  # EM's width floor (two cells)
# The training items of the faces: the cells within 0.15 of a sample (three width floors, so
# a spike on a sample keeps 99.7% of its mass on it; at one floor a memorizer "generalized").
NEAR_DISTANCE = 0.15


def _read_only(*arrays: np.ndarray) -> None:
    """Make arrays that a cache hands out read-only (writing raises ValueError)."""
    for array in arrays:
        array.flags.writeable = False


@dataclass(frozen=True, eq=False)
class LearningProblem:
    """A known p_true on a grid and one long, seeded draw from it (prefixes are nested).

    Attributes
    ----------
    x, p_true : numpy.ndarray, shape (n_states,)
        Cell centres and their probabilities.
    sample_index, min_width : numpy.ndarray of int (max_samples,), float
        Cells of the draws (the first n are "the data set of size n"); the width floor of
        :func:`lossylab.mixtures.fit_mixture`.
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

    def has_sample(self, n_samples: int) -> np.ndarray:
        """(n_states,) bool: the cells that hold one of the first ``n_samples`` draws."""
        return np.bincount(self.sample_index[:n_samples], minlength=self.x.size) > 0

    def far(self, n_samples: int, distance: float) -> np.ndarray:
        """(n_states,) bool: the cells farther than ``distance`` from each of those draws."""
        s = np.unique(self.samples(n_samples))  # sorted
        pos = np.searchsorted(s, self.x)
        return np.minimum(np.abs(self.x - s[np.maximum(pos - 1, 0)]),
                          np.abs(s[np.minimum(pos, s.size - 1)] - self.x)) > distance

    @property
    def entropy_bits(self) -> float:
        """``H(p_true)``, the floor of the held-out bits."""
        return entropy(self.p_true)


@lru_cache(maxsize=8)
def learning_problem(*, seed: int = 0) -> LearningProblem:
    """The p_true of notebook 02 (:data:`LEARNING_PEAKS`) and 10,000 seeded draws (cached).

    Returns
    -------
    LearningProblem
        With read-only arrays.

    Examples
    --------
    >>> problem = learning_problem(seed=0)
    >>> problem.x.shape, problem.sample_index.shape
    ((400,), (10000,))
    """
    x = (np.arange(_N_STATES) + 0.5) * (10.0 / _N_STATES)
    p_true = mixtures.grid_mixture(x, **LEARNING_PEAKS)
    index = np.random.default_rng(seed).choice(x.size, size=_MAX_SAMPLES, p=p_true)
    _read_only(x, p_true, index)
    return LearningProblem(x=x, p_true=p_true, sample_index=index, min_width=_MIN_WIDTH)


@dataclass(frozen=True, eq=False)
class _LearningPoint:
    """One fit and its scores (fields documented at :func:`learning_point`)."""

    n_samples: int
    k: int
    model: mixtures.GaussianMixture
    p_model: np.ndarray
    train_bits: float
    heldout_bits: float
    kl_bits: float
    model_bits: float
    data_bits: float


@lru_cache(maxsize=512)
def learning_point(n_samples: int, k: int, *, seed: int = 0) -> _LearningPoint:
    """Fit a k-component mixture to n samples of :func:`learning_problem` and score it (cached).

    Parameters
    ----------
    n_samples, k, seed : int
        Data size (1 to 10,000), number of components (>= 1), and (keyword-only) the seed
        of the draw and the fit.

    Returns
    -------
    record (frozen dataclass)
        ``n_samples``, ``k``; ``model`` (a :class:`lossylab.mixtures.GaussianMixture`) and
        ``p_model``, the fit on the grid; ``train_bits`` (``mean_i -log2 p_model(x_i)``),
        ``heldout_bits`` (exactly: ``H(p_true, p_model)``), ``kl_bits`` (``heldout_bits -
        H(p_true)``); ``model_bits``, ``data_bits`` (:func:`lossylab.mixtures.two_part_code`).
        Its arrays are read-only. ValueError if ``n_samples`` or ``k`` is out of range.

    Examples
    --------
    >>> point = learning_point(100, 1)
    >>> point.heldout_bits > point.kl_bits > 0
    True
    """
    problem = learning_problem(seed=seed)
    samples = problem.samples(n_samples)
    # tol: 1e-4 nats per sample, stricter than scikit-learn's default 1e-3, 3x faster than 1e-5
    model = mixtures.fit_mixture(samples, k, seed=seed, min_width=problem.min_width, tol=1e-4)
    p_model = model.on_grid(problem.x)
    _read_only(p_model, model.weights, model.means, model.widths)
    index = problem.sample_index[:n_samples]
    code = mixtures.two_part_code(p_model, index, n_params=model.n_params)
    heldout = cross_entropy(problem.p_true, p_model)
    return _LearningPoint(n_samples=n_samples, k=k, model=model, p_model=p_model,
                          train_bits=code.data_bits / n_samples, heldout_bits=heldout,
                          kl_bits=kl_divergence(problem.p_true, p_model),
                          model_bits=code.model_bits, data_bits=code.data_bits)


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
    ks, train_bits, heldout_bits, model_bits, data_bits : numpy.ndarray
        Model sizes and the scores of :func:`learning_point` at each.
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
    n_samples, ks : int, tuple of int
        Data size N and the model sizes to fit; ``seed`` (keyword-only) and the ValueErrors
        as in :func:`learning_point`.

    Returns
    -------
    LearningCurve
        With read-only arrays.

    Examples
    --------
    >>> curve = learning_curve(30, (1, 2, 3))
    >>> curve.ks.tolist(), curve.mdl_k in (1, 2, 3)
    ([1, 2, 3], True)
    """
    points = [learning_point(n_samples, k, seed=seed) for k in ks]
    heldout = np.array([p.heldout_bits for p in points])
    total = np.array([p.model_bits + p.data_bits for p in points])
    curve = LearningCurve(
        n_samples=n_samples, ks=np.array(ks), train_bits=np.array([p.train_bits for p in points]),
        heldout_bits=heldout, model_bits=np.array([p.model_bits for p in points]),
        data_bits=np.array([p.data_bits for p in points]),
        heldout_k=int(ks[int(np.argmin(heldout))]), mdl_k=int(ks[int(np.argmin(total))]))
    _read_only(curve.ks, curve.train_bits, curve.heldout_bits, curve.model_bits, curve.data_bits)
    return curve


def learning_numbers(problem: LearningProblem, curve: LearningCurve, k: int, *,
                     r: float = 10.0, distance: float = NEAR_DISTANCE,
                     seed: int = 0) -> tuple[np.ndarray, dict[str, float]]:
    """The fit at one position of notebook 02's sliders, and the numbers of the widget's table.

    Parameters
    ----------
    problem, curve, k
        The problem, the scores at the data size of interest (``curve.n_samples``) and K.
    r, distance, seed : keyword-only
        The factor of the faces; the training items are the cells within ``distance`` of a
        sample (:data:`NEAR_DISTANCE`); the seed of :func:`learning_point`.

    Returns
    -------
    p_model : numpy.ndarray, shape (n_states,)
        The fit (read-only, from the cache of :func:`learning_point`).
    numbers : dict of str to float
        ``train_bits``, ``heldout_bits``, ``kl_bits``; the four faces of
        :func:`lossylab.distributions.faces` (``memorization``, ``generalization``,
        ``hallucination``, ``mode_collapse``) and p_true's own split on the same cells
        (``p_true_memorization``, ``p_true_generalization``, the baseline); ``mdl_k``,
        ``heldout_k``.

    Examples
    --------
    >>> curve = learning_curve(30, (1, 2))
    >>> p_model, v = learning_numbers(learning_problem(), curve, 2)
    >>> v["mdl_k"] == curve.mdl_k, round(v["memorization"] + v["generalization"]
    ...                                  + v["hallucination"], 9)
    (True, 1.0)
    """
    n = curve.n_samples
    point = learning_point(n, k, seed=seed)
    seen = ~problem.far(n, distance)
    f = faces(problem.p_true, point.p_model, seen, r=r)
    base = faces(problem.p_true, problem.p_true, seen, r=r)
    return point.p_model, {
        "train_bits": point.train_bits, "heldout_bits": point.heldout_bits,
        "kl_bits": point.kl_bits, "memorization": f.memorization,
        "generalization": f.generalization, "hallucination": f.hallucination,
        "mode_collapse": f.mode_collapse, "p_true_memorization": base.memorization,
        "p_true_generalization": base.generalization,
        "mdl_k": curve.mdl_k, "heldout_k": curve.heldout_k}


# --- the exercises' answers ------------------------------------------------------------

def check(exercise: str, *answer: object, **named: object) -> Feedback:
    """Check your answer to one of notebook 02's exercises.

    Parameters
    ----------
    exercise : {"mdl_k", "heldout_k"}
        02.1, the K that minimises the two-part code at the default data size N = 100;
        02.2, the K with the fewest held-out bits there.
    *answer
        Your answer, an integer K (None while you have none).

    Examples
    --------
    >>> check("mdl_k", None).correct
    False
    """
    return Feedback.dispatch(_CHECKS, exercise, *answer, **named)


def _check_mdl_k(answer: int | None) -> Feedback:
    """Exercise 02.1: the K that minimises the two-part code at the default data size."""
    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.mdl_k:
        return Feedback(True, "That K minimises model bits + data bits.")
    return Feedback(False, f"Read the two-part code curve at N = {LEARNING_DEFAULT_N}: find the K "
                           "where model bits + data bits is smallest (not the train bits).")


def _check_heldout_k(answer: int | None) -> Feedback:
    """Exercise 02.2: the K with the fewest held-out bits at the default data size."""
    curve = learning_curve(LEARNING_DEFAULT_N)
    if answer == curve.heldout_k:
        return Feedback(True, "That K has the fewest held-out bits per sample.")
    return Feedback(False, f"Use the held-out curve at N = {LEARNING_DEFAULT_N}: the train curve "
                           "falls with K almost everywhere, the held-out one does not.")


_CHECKS = {"mdl_k": _check_mdl_k, "heldout_k": _check_heldout_k}
