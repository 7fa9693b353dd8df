"""Notebook 02's figures and widget: a fitted density and its learning curves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

if TYPE_CHECKING:
    from lossylab.course.nb02 import LearningCurve

import ipywidgets as widgets

from lossylab import distributions as D

if TYPE_CHECKING:
    from lossylab.course.nb02 import LearningCurve, LearningProblem
from typing import TYPE_CHECKING

from lossylab import mixtures
from lossylab.course import nb02 as course
from lossylab.distributions import check_ratio
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table, r_slider
from lossylab.ui.style import COLORS, Drawn, _axes, _check_same_shape, _figure

# --- notebook 02: a fitted density, coloured by novelty; train/held-out/MDL curves ---------

NOVELTY_REGIONS = {  # legend label -> colour, in drawing order
    "near": COLORS["model"],
    "generalization": COLORS["generalization"],
    "hallucination": COLORS["hallucination"],
    "collapse": COLORS["collapse"],
}
K_TICKS = (1, 2, 5, 10, 20, 50)  # ticks of the log model-size axis


def _novelty_fills(p_true: np.ndarray, p_model: np.ndarray, far: np.ndarray, r: float,
                   cell: float) -> dict[str, np.ndarray]:
    """Densities of the four coloured regions, keyed as in ``NOVELTY_REGIONS``."""
    invented = p_true <= p_model / r  # (n_cells,) bool
    collapsed = p_model <= p_true / r
    return {"near": np.where(~far & ~invented, p_model, 0) / cell,
            "generalization": np.where(far & ~invented, p_model, 0) / cell,
            "hallucination": np.where(invented, p_model, 0) / cell,
            "collapse": np.where(collapsed, p_true, 0) / cell}


def draw_novelty(x: np.ndarray, p_true: np.ndarray, p_model: np.ndarray, *, far: np.ndarray,
                 has_sample: np.ndarray, r: float = 10.0, ymax: float = 1.8,
                 rug_height: float = 0.05, ax: Axes | None = None) -> Drawn:
    """Draw a fitted density coloured by what its mass is: near, generalization, hallucination.

    Parameters
    ----------
    x : numpy.ndarray, shape (n_cells,)
        Equally spaced cell centres.
    p_true, p_model : numpy.ndarray, shape (n_cells,)
        Probabilities of the cells (drawn as densities: divided by the cell width).
    far : numpy.ndarray of bool, shape (n_cells,), keyword-only
        Cells farther than some distance from every training sample
        (``lossylab.mixtures.distance_to_samples(x, samples) > distance``).
    has_sample : numpy.ndarray of bool, shape (n_cells,), keyword-only
        Cells holding a training sample: marked by a thin black bar (cheaper than markers).
    r : float, keyword-only
        The factor that separates hallucination and mode collapse from the rest.
    ymax, rug_height : float, keyword-only
        Top of the density axis; height of the sample bars (density units).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artists ``near``, ``generalization``, ``hallucination``, ``collapse``, ``true``, ``rug``;
        move them with :func:`update_novelty`.

    Notes
    -----
    Same split as :func:`lossylab.mixtures.novelty_split`: model mass on cells where
    ``p_true <= p_model / r`` is hallucination; the rest is near (close to a sample) or
    generalization (far from every sample); p_true's mass where ``p_model <= p_true / r`` is
    mode collapse.
    """
    x, p_true, p_model = _check_same_shape(x=x, p_true=p_true, p_model=p_model)
    ax = _axes(ax)
    cell = x[1] - x[0]
    edges = np.append(x - cell / 2, x[-1] + cell / 2)
    fills = _novelty_fills(p_true, p_model, np.asarray(far, bool), check_ratio(r), cell)
    artists: dict[str, Artist] = {
        name: ax.stairs(fills[name], edges, fill=True, alpha=0.8, color=color, label=name)
        for name, color in NOVELTY_REGIONS.items()}
    artists["true"] = ax.stairs(p_true / cell, edges, color=COLORS["true"], lw=1.2,
                                label="p_true")
    artists["rug"] = ax.stairs(rug_height * np.asarray(has_sample, bool), edges, color="k",
                               fill=True, label="samples")
    ax.set(xlim=(edges[0], edges[-1]), ylim=(0, ymax), xlabel="x", ylabel="density")
    ax.legend(fontsize=7, loc="upper right", ncol=2)
    return Drawn(_figure(ax), ax, artists)


def update_novelty(drawn: Drawn, p_true: np.ndarray, p_model: np.ndarray, *, far: np.ndarray,
                   has_sample: np.ndarray, r: float = 10.0, rug_height: float = 0.05) -> None:
    """Move the artists of :func:`draw_novelty` to a new fit, sample set and factor r.

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_novelty` returned.
    p_true, p_model, far, has_sample, r, rug_height
        As in :func:`draw_novelty`.
    """
    edges = drawn.artists["true"].get_data().edges
    cell = edges[1] - edges[0]
    fills = _novelty_fills(p_true, p_model, far, check_ratio(r), cell)
    for name, values in fills.items():
        drawn.artists[name].set_data(values)
    drawn.artists["rug"].set_data(rug_height * has_sample)


def draw_learning_curves(curve: LearningCurve, *, k: int, entropy_bits: float,
                         ylim: tuple[float, float] = (5, 11), ax: Axes | None = None) -> Drawn:
    """Draw train, held-out and two-part (MDL) bits per sample against the model size K.

    Parameters
    ----------
    curve : lossylab.course.nb02.LearningCurve
        The scores of every K at one data size.
    k : int, keyword-only
        The model size to mark with a dotted vertical line.
    entropy_bits : float, keyword-only
        H(p_true), drawn as a dashed floor.
    ylim : (float, float), keyword-only
        Range of the bits axis.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artists ``train``, ``heldout``, ``mdl``, ``k``; move them with
        :func:`update_learning_curves`.

    Notes
    -----
    The two-part code is shown per sample: ``(model_bits + data_bits) / N``.
    """
    ax = _axes(ax)
    artists: dict[str, Artist] = {
        "train": ax.plot(curve.ks, curve.train_bits, ".-", color=COLORS["model"],
                         label="train")[0],
        "heldout": ax.plot(curve.ks, curve.heldout_bits, ".-", color=COLORS["true"],
                           label="held-out")[0],
        "mdl": ax.plot(curve.ks, (curve.model_bits + curve.data_bits) / curve.n_samples, ".-",
                       color="k", label="two-part / N")[0],
        "k": ax.axvline(k, color=COLORS["neutral"], ls=":"),
    }
    ax.axhline(entropy_bits, color=COLORS["neutral"], ls="--", lw=0.8)
    ax.set(xscale="log", ylim=ylim, xlabel="K", ylabel="bits per sample")
    ax.set_xticks(K_TICKS, labels=[str(t) for t in K_TICKS])
    ax.legend(fontsize=7)
    return Drawn(_figure(ax), ax, artists)


def update_learning_curves(drawn: Drawn, curve: LearningCurve, *, k: int) -> None:
    """Move the artists of :func:`draw_learning_curves` to another data size and K.

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_learning_curves` returned.
    curve : lossylab.course.nb02.LearningCurve
        Scored at the same ``ks`` as the drawn one.
    k : int, keyword-only
    """
    drawn.artists["train"].set_ydata(curve.train_bits)
    drawn.artists["heldout"].set_ydata(curve.heldout_bits)
    drawn.artists["mdl"].set_ydata((curve.model_bits + curve.data_bits) / curve.n_samples)
    drawn.artists["k"].set_xdata([k, k])


def _has_sample(problem: LearningProblem, n: int) -> np.ndarray:
    """(n_cells,) bool: cells that hold one of the first n training samples."""
    return np.bincount(problem.sample_index[:n], minlength=problem.x.size) > 0


def learning_rows(problem: LearningProblem, curve: LearningCurve, k: int, *, r: float = 10.0,
                  distance: float, seed: int = 0) -> dict[str, str]:
    """The numbers of the learning table: bits, KL, both masses, novelty split, best K.

    Parameters
    ----------
    problem : lossylab.course.nb02.LearningProblem
    curve : lossylab.course.nb02.LearningCurve
        The scores at the data size N of interest (``curve.n_samples``).
    k : int
        The model size.
    r : float, keyword-only
    distance : float, keyword-only
        A cell is *new* when farther than this from every training sample.
    seed : int, keyword-only
        As in :func:`lossylab.course.nb02.learning_point`.

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.
    """
    n = curve.n_samples
    point = course.learning_point(n, k, seed=seed)
    m = D.mismatch(problem.p_true, point.p_model, r=r)
    s = mixtures.novelty_split(problem.p_true, point.p_model, problem.x, problem.samples(n),
                        distance=distance, r=r)
    return {"train / held-out bits": f"{point.train_bits:.3f} / {point.heldout_bits:.3f}",
            "KL(p_true || p_model)": f"{m.kl_true_model_bits:.3f} bits",
            "mode collapse / hallucination":
                f"{m.mode_collapse_mass:.3f} / {m.hallucination_mass:.3f}",
            "near / generalization / halluc.":
                f"{s.near_mass:.3f} / {s.generalization_mass:.3f} / {s.hallucination_mass:.3f}",
            "MDL K / held-out K": f"{curve.mdl_k} / {curve.heldout_k}"}


def learning_widget(problem: LearningProblem, curves: Mapping[int, LearningCurve], *, n: int,
                    k: int, r: float = 10.0, distance: float, seed: int = 0,
                    figsize: tuple[float, float] = (7, 2.4)) -> widgets.Box:
    """Live novelty density and learning curves, with sliders for N, K and r.

    Parameters
    ----------
    problem : lossylab.course.nb02.LearningProblem
    curves : mapping of int to LearningCurve
        One curve per data size N offered by the N slider (all scored at the same ``ks``,
        which the K slider offers); compute them before, they hold every fit.
    n, k, r : keyword-only
        Initial slider values (``n`` a key of ``curves``, ``k`` in its ``ks``).
    distance : float, keyword-only
        A cell is *new* when farther than this from every training sample.
    seed : int, keyword-only
        As in :func:`lossylab.course.nb02.learning_point`.
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        Sliders, the two-panel figure (:func:`lossylab.ui.nb02.draw_novelty`,
        :func:`lossylab.ui.nb02.draw_learning_curves`) and the table of :func:`learning_rows`.

    Raises
    ------
    ValueError
        If ``n`` is not a key of ``curves`` or ``k`` not one of its model sizes.
    """
    ks = tuple(int(v) for v in curves[n].ks) if n in curves else ()
    if n not in curves or k not in ks:
        raise ValueError(f"n must be one of {tuple(curves)} and k one of its ks {ks}, "
                         f"got n={n!r}, k={k!r}; compute curves for the values you want")
    far = {m: mixtures.distance_to_samples(problem.x, problem.samples(m)) > distance
           for m in curves}
    p_true, entropy_bits = problem.p_true, D.entropy(problem.p_true)
    fig, axes = style.new_figure(1, 2, figsize=figsize, width_ratios=[1.6, 1])
    fig.set_dpi(80)
    p_model = course.learning_point(n, k, seed=seed).p_model
    density = draw_novelty(problem.x, p_true, p_model, far=far[n],
                                    has_sample=_has_sample(problem, n), r=r, ax=axes[0])
    bits = draw_learning_curves(curves[n], k=k, entropy_bits=entropy_bits, ax=axes[1])
    live_fig = LiveFigure(fig, animated=density.animated + bits.animated)
    table = widgets.HTML()

    def update(n: int, k: int, r: float) -> None:
        p_model = course.learning_point(n, k, seed=seed).p_model
        update_novelty(density, p_true, p_model, far=far[n],
                                has_sample=_has_sample(problem, n), r=r)
        update_learning_curves(bits, curves[n], k=k)
        table.value = number_table(learning_rows(problem, curves[n], k, r=r, distance=distance,
                                                 seed=seed))
        live_fig.refresh()

    controls = {"n": widgets.SelectionSlider(options=tuple(curves), value=n,
                                             description="N (data)"),
                "k": widgets.SelectionSlider(options=ks, value=k, description="K (model)"),
                "r": r_slider(r)}
    return live(update, controls, live_fig.widget, table)
