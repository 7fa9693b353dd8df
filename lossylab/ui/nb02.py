"""Notebook 02's figures and widget: a fitted density coloured by novelty; its learning curves."""

from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from lossylab.course import nb02 as course
from lossylab.course.nb02 import LearningCurve, LearningProblem
from lossylab.distributions import check_ratio
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table, r_slider
from lossylab.ui.style import COLORS, Drawn, _axes, _check_same_shape, _figure

__all__ = ["draw_learning_curves", "draw_novelty", "learning_widget"]

_NOVELTY_REGIONS = {  # legend label -> colour, in drawing order
    "memorization": COLORS["memorization"], "generalization": COLORS["generalization"],
    "hallucination": COLORS["hallucination"], "collapse": COLORS["collapse"]}
_K_TICKS = (1, 2, 5, 10, 20, 50)  # ticks of the log model-size axis


def _novelty_fills(p_true: np.ndarray, p_model: np.ndarray, far: np.ndarray, r: float,
                   cell: float) -> dict[str, np.ndarray]:
    """Densities of the four coloured regions (:func:`lossylab.distributions.faces`)."""
    invented = p_true <= p_model / r  # (n_cells,) bool
    collapsed = p_model <= p_true / r
    return {"memorization": np.where(~far, p_model, 0) / cell,
            "generalization": np.where(far & ~invented, p_model, 0) / cell,
            "hallucination": np.where(far & invented, p_model, 0) / cell,
            "collapse": np.where(collapsed, p_true, 0) / cell}


def draw_novelty(x: np.ndarray, p_true: np.ndarray, p_model: np.ndarray, *, far: np.ndarray,
                 has_sample: np.ndarray, r: float = 10.0, ymax: float = 1.8,
                 rug_height: float = 0.05, ax: Axes | None = None) -> Drawn:
    """Draw a fitted density coloured by its faces (:func:`lossylab.distributions.faces`).

    ``x``, ``p_true``, ``p_model``: equally spaced cell centres and the cells' probabilities
    (drawn as densities); keyword-only ``far`` (cells not seen, ``LearningProblem.far``),
    ``has_sample`` (a thin black bar each), ``r``, ``ymax``, ``rug_height``, ``ax``. Returns a
    ``Drawn`` with artists ``memorization``, ``generalization``, ``hallucination``, ``collapse``,
    ``true``, ``rug`` (moved by the widget).

    Examples
    --------
    >>> x, p = np.arange(4.0), np.full(4, 0.25)
    >>> far, has = np.array([0, 0, 1, 1], bool), np.array([1, 0, 0, 0], bool)
    >>> drawn = draw_novelty(x, p, p, far=far, has_sample=has, ax=style.new_figure()[1])
    >>> drawn.artists["generalization"].get_data().values.tolist()
    [0.0, 0.0, 0.25, 0.25]
    """
    x, p_true, p_model = _check_same_shape(x=x, p_true=p_true, p_model=p_model)
    ax = _axes(ax)
    cell = x[1] - x[0]
    edges = np.append(x - cell / 2, x[-1] + cell / 2)
    fills = _novelty_fills(p_true, p_model, np.asarray(far, bool), check_ratio(r), cell)
    artists: dict[str, Artist] = {
        name: ax.stairs(fills[name], edges, fill=True, alpha=0.8, color=color, label=name)
        for name, color in _NOVELTY_REGIONS.items()}
    artists["true"] = ax.stairs(p_true / cell, edges, color=COLORS["true"], lw=1.2,
                                label="p_true")
    artists["rug"] = ax.stairs(rug_height * np.asarray(has_sample, bool), edges,
                               color=COLORS["neutral"], fill=True, label="samples")
    ax.set(xlim=(edges[0], edges[-1]), ylim=(0, ymax), xlabel="x", ylabel="density")
    ax.legend(loc="upper right", ncol=2)
    return Drawn(_figure(ax), ax, artists)


def _update_novelty(drawn: Drawn, p_true: np.ndarray, p_model: np.ndarray, *, far: np.ndarray,
                    has_sample: np.ndarray, r: float = 10.0, rug_height: float = 0.05) -> None:
    """Move the artists of :func:`draw_novelty` to a new fit, sample set and factor r."""
    edges = drawn.artists["true"].get_data().edges
    cell = edges[1] - edges[0]
    fills = _novelty_fills(p_true, p_model, far, check_ratio(r), cell)
    for name, values in fills.items():
        drawn.artists[name].set_data(values)
    drawn.artists["rug"].set_data(rug_height * has_sample)


def draw_learning_curves(curve: LearningCurve, *, k: int, entropy_bits: float,
                         ylim: tuple[float, float] = (5, 11), ax: Axes | None = None) -> Drawn:
    """Draw train, held-out and two-part bits per sample (``(model + data bits) / N``) against K.

    Keyword-only ``k`` (a dotted line), ``entropy_bits`` (H(p_true), a dashed floor), ``ylim``,
    ``ax``. Returns a ``Drawn`` with artists ``train``, ``heldout``, ``mdl``, ``k``.

    Examples
    --------
    >>> curve = course.learning_curve(10, (1, 2))
    >>> drawn = draw_learning_curves(curve, k=2, entropy_bits=7.3, ax=style.new_figure()[1])
    >>> drawn.artists["k"].get_xdata()
    [2, 2]
    """
    ax = _axes(ax)
    artists: dict[str, Artist] = {
        "train": ax.plot(curve.ks, curve.train_bits, ".-", color=COLORS["model"],
                         label="train")[0],
        "heldout": ax.plot(curve.ks, curve.heldout_bits, "s-", ms=3, color=COLORS["neutral"],
                           label="held-out")[0],
        "mdl": ax.plot(curve.ks, (curve.model_bits + curve.data_bits) / curve.n_samples, ".-",
                       color="k", label="two-part / N")[0],
        "k": ax.axvline(k, color=COLORS["neutral"], ls=":"),
    }
    ax.axhline(entropy_bits, color=COLORS["neutral"], ls="--", lw=0.8)
    ax.set(xscale="log", ylim=ylim, xlabel="K", ylabel="bits per sample")
    ax.set_xticks(_K_TICKS, labels=[str(t) for t in _K_TICKS])
    ax.legend()
    return Drawn(_figure(ax), ax, artists)


def _update_learning_curves(drawn: Drawn, curve: LearningCurve, *, k: int) -> None:
    """Move the artists of :func:`draw_learning_curves` to another data size (same ks) and K."""
    drawn.artists["train"].set_ydata(curve.train_bits)
    drawn.artists["heldout"].set_ydata(curve.heldout_bits)
    drawn.artists["mdl"].set_ydata((curve.model_bits + curve.data_bits) / curve.n_samples)
    drawn.artists["k"].set_xdata([k, k])


def _learning_rows(v: Mapping[str, float]) -> dict[str, str]:
    """Label -> formatted value of :func:`lossylab.course.nb02.learning_numbers`'s numbers."""
    return {"train / held-out bits": f"{v['train_bits']:.3f} / {v['heldout_bits']:.3f}",
            "KL(p_true || p_model)": f"{v['kl_bits']:.3f} bits",
            "memoriz. / generaliz. / halluc.":
                f"{v['memorization']:.3f} / {v['generalization']:.3f} / "
                f"{v['hallucination']:.3f}",
            "p_true's own memoriz. / generaliz.":
                f"{v['p_true_memorization']:.3f} / {v['p_true_generalization']:.3f}",
            "mode collapse (of p_true)": f"{v['mode_collapse']:.3f}",
            "MDL K / held-out K": f"{v['mdl_k']} / {v['heldout_k']}"}


def learning_widget(problem: LearningProblem, curves: Mapping[int, LearningCurve], *, n: int,
                    k: int, r: float = 10.0, distance: float = course.NEAR_DISTANCE,
                    seed: int = 0,
                    figsize: tuple[float, float] = (7, 2.4)) -> widgets.Box:
    """Live faces of the fit and learning curves, with sliders for N, K and r.

    ``curves``: one :class:`~lossylab.course.nb02.LearningCurve` per N of the slider, all at the
    ``ks`` the K slider offers; keyword-only initial ``n`` (a key of ``curves``), ``k`` (one of its
    ks; else ValueError), ``r``; ``distance`` and ``seed`` as in
    :func:`lossylab.course.nb02.learning_numbers`, whose numbers the table shows; ``figsize``.

    Examples
    --------
    >>> import contextlib, io
    >>> curves = {10: course.learning_curve(10, (1, 2))}
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = learning_widget(course.learning_problem(), curves, n=10, k=2)
    >>> [slider.description for slider in box.children[0].children]
    ['N (data)', 'K (model)', 'r']
    """
    ks = tuple(int(v) for v in curves[n].ks) if n in curves else ()
    if n not in curves or k not in ks:
        raise ValueError(f"n must be one of {tuple(curves)} and k one of its ks {ks}, "
                         f"got n={n!r}, k={k!r}; compute curves for the values you want")
    far = {m: problem.far(m, distance) for m in curves}
    p_true = problem.p_true
    fig, axes = style.new_figure(1, 2, figsize=figsize, width_ratios=[1.6, 1])
    fig.set_dpi(style.DPI)
    p_model, _ = course.learning_numbers(problem, curves[n], k, r=r, distance=distance, seed=seed)
    density = draw_novelty(problem.x, p_true, p_model, far=far[n],
                           has_sample=problem.has_sample(n), r=r, ax=axes[0])
    bits = draw_learning_curves(curves[n], k=k, entropy_bits=problem.entropy_bits, ax=axes[1])
    live_fig = LiveFigure(fig, animated=density.animated + bits.animated)
    table = widgets.HTML()

    def update(n: int, k: int, r: float) -> None:
        p_model, numbers = course.learning_numbers(problem, curves[n], k, r=r, distance=distance,
                                                   seed=seed)
        _update_novelty(density, p_true, p_model, far=far[n], has_sample=problem.has_sample(n),
                        r=r)
        _update_learning_curves(bits, curves[n], k=k)
        table.value = number_table(_learning_rows(numbers))
        live_fig.refresh()

    controls = {"n": widgets.SelectionSlider(options=tuple(curves), value=n,
                                             description="N (data)"),
                "k": widgets.SelectionSlider(options=ks, value=k, description="K (model)"),
                "r": r_slider(r)}
    return live(update, controls, live_fig.widget, table)
