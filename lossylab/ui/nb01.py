"""Notebook 01's figure and widget: p_true against p_model, with the two faces of the mismatch."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

from lossylab.course import nb01 as course
from lossylab.distributions import check_ratio
from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table, r_slider
from lossylab.ui.style import COLORS, Drawn, _axes, _check_same_shape, _figure

__all__ = ["MISMATCH_FLOOR", "draw_mismatch", "mismatch_widget"]

MISMATCH_FLOOR = 1e-4  # bottom of the log probability axis of draw_mismatch


def _floored(values: np.ndarray, keep: Any, floor: float) -> np.ndarray:
    """``values`` where ``keep`` holds and is positive, raised to ``floor``; else ``floor``."""
    return np.where(keep & (values > 0), np.maximum(values, floor), floor)


def draw_mismatch(p_true: np.ndarray, p_model: np.ndarray, *, r: float = 10.0,
                  model_label: str = "p_compressed", floor: float = MISMATCH_FLOOR,
                  ax: Axes | None = None) -> Drawn:
    """Draw p_true against p_model on a log axis, colouring the two faces of the mismatch.

    Mode collapse is drawn at p_true's height (the mass lost), hallucination at p_model's
    (the mass invented).

    Parameters
    ----------
    p_true, p_model : numpy.ndarray, shape (n_states,)
        Probabilities over the same states; ``r`` is the factor of the two masses.
    model_label, floor, ax : keyword-only
        Legend entry of p_model; bottom of the log axis (smaller values are drawn at it);
        where to draw (default: the current axes).

    Returns
    -------
    Drawn
        Artists ``model``, ``collapse``, ``hallucination``, ``true`` (moved by the widget).

    Examples
    --------
    >>> fig, ax = style.new_figure()
    >>> sorted(draw_mismatch(np.array([0.5, 0.5]), np.array([0.99, 0.01]), ax=ax).artists)
    ['collapse', 'hallucination', 'model', 'true']
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
    ax.legend(loc="upper right", ncol=4)
    drawn = Drawn(_figure(ax), ax, artists)
    _update_mismatch(drawn, p_true, p_model, r=r)
    return drawn


def _update_mismatch(drawn: Drawn, p_true: np.ndarray, p_model: np.ndarray, *,
                     r: float = 10.0) -> None:
    """Move the artists of :func:`draw_mismatch` to a new p_model and factor r, in place."""
    r = check_ratio(r)
    floor = drawn.ax.get_ylim()[0]
    drawn.artists["model"].set_data(_floored(p_model, True, floor))
    drawn.artists["collapse"].set_data(_floored(p_true, p_model <= p_true / r, floor))
    drawn.artists["hallucination"].set_data(_floored(p_model, p_true <= p_model / r, floor))


def _mismatch_rows(v: Mapping[str, float], model_name: str = "p_compressed") -> dict[str, str]:
    """Label -> formatted value of :func:`lossylab.course.nb01.channel_mismatch`'s numbers."""
    return {"H(p_true)": f"{v['entropy_true_bits']:.3f} bits",
            f"H({model_name})": f"{v['entropy_model_bits']:.3f} bits",
            "table of p_true": f"{v['table_true_bits']:.0f} bits",
            f"table of {model_name}": f"{v['table_model_bits']:.0f} bits",
            f"KL(p_true || {model_name})": f"{v['kl_true_model_bits']:.3f} bits",
            f"KL({model_name} || p_true)": f"{v['kl_model_true_bits']:.3f} bits",
            "mode collapse mass": f"{v['mode_collapse_mass']:.3f}",
            "hallucination mass": f"{v['hallucination_mass']:.3f}"}


def mismatch_widget(p_true: np.ndarray, channel_of: Callable[[Any], np.ndarray],
                    knob: widgets.ValueWidget, *, r: float = 10.0,
                    figsize: tuple[float, float] = (5.6, 2.4)) -> widgets.Box:
    """A live :func:`draw_mismatch` figure and table for a family of channels.

    Parameters
    ----------
    p_true, channel_of, knob
        p_true (n_states,); ``channel_of`` maps the value of ``knob`` (a slider: quantizer
        levels, noise width, ...) to a channel matrix p(x'|x), (n_states, n_states).
    r, figsize : keyword-only
        Initial value of the r slider (10**0.1 to 1000); size of the figure.

    Returns
    -------
    ipywidgets.Box
        The knob, an r slider, the figure and a table of the numbers of
        :func:`lossylab.course.nb01.channel_mismatch`.

    Examples
    --------
    >>> import contextlib, io
    >>> knob = widgets.IntSlider(value=2, min=1, max=2)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = mismatch_widget(np.full(2, 0.5), lambda n: np.eye(2), knob)
    >>> "mode collapse mass" in box.children[1].children[1].value
    True
    """
    fig, ax = style.new_figure(figsize=figsize)
    fig.set_dpi(style.DPI)
    drawn = draw_mismatch(p_true, p_true, r=r, ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(knob: Any, r: float) -> None:
        p_model, numbers = course.channel_mismatch(p_true, channel_of(knob), r=r)
        _update_mismatch(drawn, p_true, p_model, r=r)
        table.value = number_table(_mismatch_rows(numbers))
        live_fig.refresh()

    return live(update, {"knob": knob, "r": r_slider(r)}, live_fig.widget, table,
                layout="horizontal")
