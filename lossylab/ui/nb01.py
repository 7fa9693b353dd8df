"""Notebook 01's figure and widget: p_true against p_model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

if TYPE_CHECKING:
    pass
from collections.abc import Callable

import ipywidgets as widgets

from lossylab import distributions as D

if TYPE_CHECKING:
    pass
from typing import TYPE_CHECKING

from lossylab.distributions import check_ratio
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table, r_slider
from lossylab.ui.style import COLORS, Drawn, _axes, _check_same_shape, _figure

# --- notebook 01: p_true against p_model, with the two faces of the mismatch ---------------

MISMATCH_FLOOR = 1e-4  # bottom of the log probability axis of draw_mismatch


def _floored(values: np.ndarray, keep: Any, floor: float) -> np.ndarray:
    """``values`` where ``keep`` holds and is positive, raised to ``floor``; else ``floor``."""
    return np.where(keep & (values > 0), np.maximum(values, floor), floor)


def draw_mismatch(p_true: np.ndarray, p_model: np.ndarray, *, r: float = 10.0,
                  model_label: str = "p_compressed", floor: float = MISMATCH_FLOOR,
                  ax: Axes | None = None) -> Drawn:
    """Draw p_true against p_model on a log axis, colouring the two faces of the mismatch.

    Parameters
    ----------
    p_true, p_model : numpy.ndarray, shape (n_states,)
        Probabilities over the same states.
    r : float, keyword-only
        The factor of :func:`lossylab.distributions.mode_collapse_mass`.
    model_label : str, keyword-only
        Legend entry of p_model.
    floor : float, keyword-only
        Bottom of the log axis; smaller probabilities (and zeros) are drawn at it.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).

    Returns
    -------
    Drawn
        Artists ``model``, ``collapse``, ``hallucination``, ``true``; move them with
        :func:`update_mismatch`.

    Notes
    -----
    A state is coloured as *mode collapse* where ``p_model(x) <= p_true(x) / r`` (the height
    shown is p_true: the mass lost) and as *hallucination* where ``p_true(x) <= p_model(x) / r``
    (the height shown is p_model: the mass invented).
    """
    p_true, p_model = _check_same_shape(p_true=p_true, p_model=p_model)
    ax = _axes(ax)
    edges = np.arange(p_true.size + 1) - 0.5
    kw: dict[str, Any] = dict(baseline=floor, fill=True, alpha=0.75)
    empty = np.full(p_true.size, floor)
    artists: dict[str, Artist] = {
        "model": ax.stairs(empty, edges, color=COLORS["model"], label=model_label, **kw),
        "collapse": ax.stairs(empty, edges, color=COLORS["collapse"], label="mode collapse", **kw),
        "hallucination": ax.stairs(empty, edges, color=COLORS["hallucination"],
                                   label="hallucination", **kw),
        "true": ax.stairs(p_true, edges, baseline=None, color=COLORS["true"], lw=1.5,
                          label="p_true"),
    }
    ax.set(yscale="log", ylim=(floor, 1), xlim=(edges[0], edges[-1]), xlabel="state x",
           ylabel="probability (log scale)")
    ax.legend(loc="upper right", ncol=4, fontsize=8)
    drawn = Drawn(_figure(ax), ax, artists)
    update_mismatch(drawn, p_true, p_model, r=r)
    return drawn


def update_mismatch(drawn: Drawn, p_true: np.ndarray, p_model: np.ndarray, *,
                    r: float = 10.0) -> None:
    """Move the artists of :func:`draw_mismatch` to a new p_model and factor r (in place).

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_mismatch` returned.
    p_true, p_model : numpy.ndarray, shape (n_states,)
    r : float, keyword-only
    """
    r = check_ratio(r)
    floor = drawn.ax.get_ylim()[0]
    drawn.artists["model"].set_data(_floored(p_model, True, floor))
    drawn.artists["collapse"].set_data(_floored(p_true, p_model <= p_true / r, floor))
    drawn.artists["hallucination"].set_data(_floored(p_model, p_true <= p_model / r, floor))


# --- factories: one live figure + table per notebook section ------------------------------


def mismatch_rows(p_true: np.ndarray, p_model: np.ndarray, *, r: float = 10.0,
                  model_name: str = "p_compressed") -> dict[str, str]:
    """The numbers of a mismatch table: entropies, table sizes, both KLs, both masses.

    Parameters
    ----------
    p_true, p_model : numpy.ndarray
        Probabilities over the same states.
    r : float, keyword-only
        The factor of the two masses.
    model_name : str, keyword-only
        How p_model is called in the labels.

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.

    Examples
    --------
    >>> rows = mismatch_rows(np.array([0.5, 0.5]), np.array([0.5, 0.5]))
    >>> rows["H(p_true)"], rows["mode collapse mass"]
    ('1.000 bits', '0.000')
    """
    m = D.mismatch(p_true, p_model, r=r)
    return {"H(p_true)": f"{m.entropy_true_bits:.3f} bits",
            f"H({model_name})": f"{m.entropy_model_bits:.3f} bits",
            "table of p_true": f"{D.description_bits(p_true):.0f} bits",
            f"table of {model_name}": f"{D.description_bits(p_model):.0f} bits",
            f"KL(p_true || {model_name})": f"{m.kl_true_model_bits:.3f} bits",
            f"KL({model_name} || p_true)": f"{m.kl_model_true_bits:.3f} bits",
            "mode collapse mass": f"{m.mode_collapse_mass:.3f}",
            "hallucination mass": f"{m.hallucination_mass:.3f}"}


def mismatch_widget(p_true: np.ndarray, channel_of: Callable[[Any], np.ndarray],
                    knob: widgets.ValueWidget, *, r: float = 10.0,
                    figsize: tuple[float, float] = (5.6, 2.4)) -> widgets.Box:
    """A live :func:`lossylab.ui.nb01.draw_mismatch` figure and table for a family of channels.

    Parameters
    ----------
    p_true : numpy.ndarray, shape (n_states,)
    channel_of : callable
        Maps the knob's value to a channel matrix p(x'|x), shape (n_states, n_states).
    knob : ipywidgets slider
        The compressor's setting (e.g. quantizer levels, noise width).
    r : float, keyword-only
        Initial value of the r slider (1 to 1000).
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        The knob and an r slider, the figure and the table of :func:`mismatch_rows`.
    """
    fig, ax = style.new_figure(figsize=figsize)
    fig.set_dpi(80)
    drawn = draw_mismatch(p_true, p_true, r=r, ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(knob: Any, r: float) -> None:
        p_model = D.push_forward(p_true, channel_of(knob))
        update_mismatch(drawn, p_true, p_model, r=r)
        table.value = number_table(mismatch_rows(p_true, p_model, r=r))
        live_fig.refresh()

    return live(update, {"knob": knob, "r": r_slider(r)}, live_fig.widget, table,
                layout="horizontal")
