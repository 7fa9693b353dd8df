"""Tests for lossylab.ui.nb02: the novelty and learning-curve figures (Agg), the live widget."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes

from lossylab.course import nb02 as course
from lossylab.ui import nb02 as ui02
from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"


def _novelty_inputs() -> tuple[np.ndarray, ...]:
    x = (np.arange(20) + 0.5) / 2  # (20,) cell centres, width 0.5
    p_true = np.full(20, 1 / 20)
    p_model = np.zeros(20)
    p_model[:10] = 0.1  # all mass on the left half: p_true collapses on the right half
    far = np.arange(20) >= 5
    has_sample = np.arange(20) < 5
    return x, p_true, p_model, far, has_sample


def test_draw_novelty_splits_model_mass_and_updates_in_place() -> None:
    x, p_true, p_model, far, has_sample = _novelty_inputs()
    drawn = ui02.draw_novelty(x, p_true, p_model, far=far, has_sample=has_sample, r=10,
                              ymax=1, ax=_ax())
    _labelled(drawn.ax)
    cell = 0.5
    near = drawn.artists["memorization"].get_data().values
    generalization = drawn.artists["generalization"].get_data().values
    np.testing.assert_allclose((near + generalization) * cell, p_model)
    assert np.all(near[5:] == 0) and np.all(generalization[:5] == 0)
    assert np.all(drawn.artists["collapse"].get_data().values[10:] > 0)
    assert drawn.ax.get_xlim() == pytest.approx((0, 10))
    ui02._update_novelty(drawn, p_true, p_true, far=far, has_sample=~has_sample, r=10)
    assert np.all(drawn.artists["collapse"].get_data().values == 0)
    assert np.all(drawn.artists["rug"].get_data().values[:5] == 0)


def test_draw_learning_curves_marks_k_and_updates_in_place() -> None:
    ks = np.array([1, 2, 5])
    curve = course.LearningCurve(n_samples=10, ks=ks, train_bits=np.array([8.0, 7.0, 6.0]),
                                 heldout_bits=np.array([8.5, 8.0, 9.0]),
                                 model_bits=np.array([10.0, 20.0, 50.0]),
                                 data_bits=np.array([80.0, 70.0, 60.0]), heldout_k=2, mdl_k=2)
    drawn = ui02.draw_learning_curves(curve, k=2, entropy_bits=7.5, ax=_ax())
    _labelled(drawn.ax)
    np.testing.assert_allclose(drawn.artists["mdl"].get_ydata(), [9.0, 9.0, 11.0])
    assert list(drawn.artists["k"].get_xdata()) == [2, 2]
    lines = len(drawn.ax.lines)
    later = course.LearningCurve(n_samples=100, ks=ks, train_bits=curve.train_bits - 1,
                                 heldout_bits=curve.heldout_bits - 1, model_bits=curve.model_bits,
                                 data_bits=curve.data_bits * 10, heldout_k=5, mdl_k=5)
    ui02._update_learning_curves(drawn, later, k=5)
    np.testing.assert_allclose(drawn.artists["train"].get_ydata(), [7.0, 6.0, 5.0])
    assert list(drawn.artists["k"].get_xdata()) == [5, 5]
    assert len(drawn.ax.lines) == lines


@pytest.fixture(scope="module")
def small_learning() -> tuple:
    problem = course.learning_problem(seed=0)
    curves = {n: course.learning_curve(n, (1, 2, 3), seed=0) for n in (10, 30)}
    return problem, curves


def test_learning_rows_format_the_numbers_of_the_course(small_learning: tuple) -> None:
    problem, curves = small_learning
    _, numbers = course.learning_numbers(problem, curves[30], 2, distance=0.05)
    rows = ui02._learning_rows(numbers)
    point = course.learning_point(30, 2, seed=0)
    assert rows["train / held-out bits"] == f"{point.train_bits:.3f} / {point.heldout_bits:.3f}"
    assert rows["MDL K / held-out K"] == f"{curves[30].mdl_k} / {curves[30].heldout_k}"
    assert list(rows) == ["train / held-out bits", "KL(p_true || p_model)",
                          "memoriz. / generaliz. / halluc.", "p_true's own memoriz. / generaliz.",
                          "mode collapse (of p_true)", "MDL K / held-out K"]


def _controls(box: object) -> list:
    return list(box.children[0].children)  # type: ignore[attr-defined]


def _views(box: object) -> list:
    return list(box.children[1].children)  # type: ignore[attr-defined]


def test_learning_widget_moves_with_each_slider(small_learning: tuple) -> None:
    problem, curves = small_learning
    box = ui02.learning_widget(problem, curves, n=10, k=2, distance=0.05)
    n_slider, k_slider, r_slider = _controls(box)
    assert n_slider.options == (10, 30) and k_slider.options == (1, 2, 3)
    image, table = _views(box)
    seen = {(bytes(image.value), table.value)}
    for slider, value in [(n_slider, 30), (k_slider, 3), (r_slider, 2.0)]:
        slider.value = value
        seen.add((bytes(image.value), table.value))
    assert len(seen) == 4, "every slider move must change the figure and the table"


def test_learning_widget_rejects_values_it_has_no_curve_for(small_learning: tuple) -> None:
    problem, curves = small_learning
    with pytest.raises(ValueError, match="n must be one of"):
        ui02.learning_widget(problem, curves, n=100, k=2, distance=0.05)
    with pytest.raises(ValueError, match="k one of its ks"):
        ui02.learning_widget(problem, curves, n=10, k=50, distance=0.05)
