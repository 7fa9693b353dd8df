"""Tests for lossylab.course.nb02: the learning problem, its cached (read-only) fits, answers."""

from __future__ import annotations

import numpy as np
import pytest

from lossylab import distributions as D
from lossylab import mixtures
from lossylab.course import nb02 as course


def test_learning_point_numbers_are_consistent() -> None:
    problem = course.learning_problem(seed=0)
    point = course.learning_point(100, 3, seed=0)
    assert point.heldout_bits == pytest.approx(D.entropy(problem.p_true) + point.kl_bits)
    assert point.train_bits * 100 == pytest.approx(point.data_bits)
    assert point.p_model.sum() == pytest.approx(1.0)
    assert course.learning_point(100, 3, seed=0) is point  # cached


def test_memorization_small_n_large_k_spikes_on_the_samples() -> None:
    # 10 samples, 30 components: train bits far below held-out bits (overfitting).
    point = course.learning_point(10, 30)
    assert point.heldout_bits - point.train_bits > 10
    problem = course.learning_problem()
    f = D.faces(problem.p_true, point.p_model, ~problem.far(10, course.NEAR_DISTANCE))
    assert f.memorization > 0.99


def test_learning_problem_rejects_too_many_samples() -> None:
    with pytest.raises(ValueError, match=r"n_samples must be in \[1, 10000\]"):
        course.learning_problem().samples(20_000)


def test_learning_exercises_use_the_library_optima() -> None:
    curve = course.learning_curve(course.LEARNING_DEFAULT_N)
    assert course.check("mdl_k", curve.mdl_k).correct
    assert not course.check("mdl_k", 50).correct
    assert course.check("heldout_k", curve.heldout_k).correct
    assert not course.check("heldout_k", None).correct
    assert "'mdl_k', 'heldout_k'" in course.check("k", 3).message


def test_mdl_is_more_cautious_than_held_out_at_small_n() -> None:
    # Golden numbers (seed 0, computed 2026-11-26 with this EM): at N = 100 the two-part
    # code picks K = 3 and the exact held-out score K = 6; the true p_true has 5 peaks.
    curve = course.learning_curve(course.LEARNING_DEFAULT_N)
    assert (curve.mdl_k, curve.heldout_k) == (3, 6)
    assert np.all(np.diff(curve.model_bits) > 0)


def test_learning_numbers_are_the_point_and_its_faces() -> None:
    problem = course.learning_problem(seed=0)
    curve = course.learning_curve(30, (1, 2, 3), seed=0)
    p_model, v = course.learning_numbers(problem, curve, 2, r=5.0, distance=0.05)
    point = course.learning_point(30, 2, seed=0)
    assert p_model is point.p_model
    seen = ~problem.far(30, 0.05)
    f = D.faces(problem.p_true, point.p_model, seen, r=5.0)
    base = D.faces(problem.p_true, problem.p_true, seen, r=5.0)
    assert v == {"train_bits": point.train_bits, "heldout_bits": point.heldout_bits,
                 "kl_bits": point.kl_bits, "memorization": f.memorization,
                 "generalization": f.generalization, "hallucination": f.hallucination,
                 "mode_collapse": f.mode_collapse, "p_true_memorization": base.memorization,
                 "p_true_generalization": base.generalization,
                 "mdl_k": curve.mdl_k, "heldout_k": curve.heldout_k}


def test_the_problem_marks_cells_with_and_far_from_samples() -> None:
    problem = course.learning_problem(seed=0)
    has = problem.has_sample(10)
    assert has.sum() == len(np.unique(problem.sample_index[:10]))
    far = problem.far(10, 0.05)
    assert not np.any(far & has) and far.sum() > 300
    brute = np.abs(problem.x[:, None] - problem.samples(10)[None, :]).min(axis=1) > 0.15
    np.testing.assert_array_equal(problem.far(10, 0.15), brute)
    assert problem.entropy_bits == D.entropy(problem.p_true)


# --- cached results are read-only: a cell that writes into one cannot change the next call ----


def _assert_read_only(array: np.ndarray) -> None:
    before = array.copy()
    with pytest.raises(ValueError, match="read-only"):
        array[0] = 123
    np.testing.assert_array_equal(array, before)


def test_learning_problem_is_read_only() -> None:
    problem = course.learning_problem(seed=0)
    for array in (problem.x, problem.p_true, problem.sample_index):
        _assert_read_only(array)
    again = course.learning_problem(seed=0)
    assert again is problem
    assert again.p_true.sum() == pytest.approx(1.0) and again.x[0] == 0.0125


def test_learning_point_is_read_only() -> None:
    point = course.learning_point(30, 3, seed=0)
    fresh = mixtures.fit_mixture(course.learning_problem().samples(30), 3, seed=0,
                                 min_width=0.05, tol=1e-4)
    for array in (point.p_model, point.model.weights, point.model.means, point.model.widths):
        _assert_read_only(array)
    again = course.learning_point(30, 3, seed=0)
    np.testing.assert_array_equal(again.model.means, fresh.means)
    np.testing.assert_array_equal(again.p_model, fresh.on_grid(course.learning_problem().x))


def test_learning_curve_is_read_only() -> None:
    curve = course.learning_curve(30, (1, 2, 3), seed=0)
    saved = {name: getattr(curve, name).copy()
             for name in ("ks", "train_bits", "heldout_bits", "model_bits", "data_bits")}
    for array in saved:
        _assert_read_only(getattr(curve, array))
    again = course.learning_curve(30, (1, 2, 3), seed=0)
    for name, values in saved.items():
        np.testing.assert_array_equal(getattr(again, name), values)
    np.testing.assert_array_equal(again.train_bits,
                                  [course.learning_point(30, k).train_bits for k in (1, 2, 3)])
