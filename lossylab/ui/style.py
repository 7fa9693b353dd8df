"""Plot style and the conventions of the draw layer, shared by every notebook's figures.

Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms
of colour blindness; images use perceptually uniform colour maps (``viridis`` for values,
``cividis`` for errors, ``gray`` for photographs). Nothing changes matplotlib's settings at
import: call :func:`use_style`.

The draw layer (``lossylab/ui/nbNN.py``): each ``draw_*`` function draws once, on the axes
it is given (or the current ones), and returns a :class:`Drawn` holding the artists a
slider moves; a widget then moves them in place (``set_data``), which keeps a live figure
fast (:class:`lossylab.ui.live.LiveFigure`). They take arrays and numbers, never notebook
globals, and compute nothing beyond what the picture needs.

Reference: M. Okabe and K. Ito, "Color Universal Design" (2008), https://jfly.uni-koeln.de/color/
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = ["CMAP_ERROR", "CMAP_VALUES", "COLORS", "OKABE_ITO", "Drawn", "new_figure", "use_style"]

# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia/protanopia/tritanopia.
OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "purple": "#CC79A7"}
# Roles used the same way in every notebook.
COLORS = {
    "true": OKABE_ITO["blue"],  # p_true
    "model": OKABE_ITO["orange"],  # p_model / p_compressed
    "collapse": OKABE_ITO["sky"],  # mode collapse (mass lost)
    "hallucination": OKABE_ITO["vermillion"],  # hallucination (mass invented)
    "generalization": OKABE_ITO["green"],  # plausible novelty
    "neutral": "#7f7f7f",
}
CMAP_VALUES = "viridis"
CMAP_ERROR = "cividis"

_STYLE: dict[str, Any] = {
    "figure.figsize": (8.0, 3.6), "figure.dpi": 80, "savefig.dpi": 80,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())[1:]),
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "font.size": 10, "image.cmap": CMAP_VALUES, "legend.frameon": False,
}


def use_style() -> None:
    """Apply the course style to matplotlib (call once, in a notebook's setup cell).

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():  # only to leave the settings as they were
    ...     use_style()
    ...     matplotlib.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(_STYLE)


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """Make a figure that is *not* managed by pyplot (for :class:`lossylab.ui.live.LiveFigure`).

    Parameters
    ----------
    nrows, ncols, **kwargs
        As in ``plt.subplots`` (``figsize`` goes to the figure, the rest to its ``subplots``).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or array of Axes

    Examples
    --------
    >>> fig, axes = new_figure(1, 2, figsize=(4, 2))
    >>> axes.shape, fig.get_layout_engine() is not None
    ((2,), True)
    """
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


# --- the draw layer: draw once, update in place -------------------------------------------

@dataclass(frozen=True, eq=False)
class Drawn:
    """What a ``draw_*`` function drew: its figure, its axes, and the artists a slider moves.

    Attributes
    ----------
    fig, ax : matplotlib.figure.Figure, Axes or dict of str to Axes
        The figure and the axes drawn on (a dict for several named panels).
    artists : dict of str to Artist
        The artists a widget changes in place.

    Examples
    --------
    >>> fig, ax = new_figure()
    >>> drawn = Drawn(fig, ax, {"line": ax.plot([0, 1])[0]})
    >>> drawn.animated == [drawn.artists["line"]]
    True
    """

    fig: Figure
    ax: Any
    artists: dict[str, Artist]

    @property
    def animated(self) -> list[Artist]:
        """The moving artists, in drawing order (for ``LiveFigure(fig, animated=...)``)."""
        return list(self.artists.values())


def _axes(ax: Axes | None) -> Axes:
    """``ax``, or pyplot's current axes (imported late: pyplot is slow to import)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def _figure(ax: Axes) -> Figure:
    """The figure that owns ``ax`` (the parent figure of a SubFigure)."""
    fig = ax.get_figure()
    if not isinstance(fig, Figure):  # a SubFigure: use the figure that owns it
        fig = fig.figure  # type: ignore[union-attr]
    return fig  # type: ignore[return-value]


def _check_same_shape(**arrays: Any) -> list[np.ndarray]:
    """The arrays as float64, after checking that they are 1-D and of one shape."""
    values = [np.asarray(a, dtype=np.float64) for a in arrays.values()]
    names = list(arrays)
    if values[0].ndim != 1 or any(v.shape != values[0].shape for v in values):
        shapes = ", ".join(f"{n} {v.shape}" for n, v in zip(names, values, strict=True))
        raise ValueError(f"{' and '.join(names)} must be 1-D arrays of one length, got {shapes}")
    return values
