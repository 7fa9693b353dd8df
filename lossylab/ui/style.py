"""Plot style and the conventions of the draw layer, shared by every notebook's figures.

Colours come from the Okabe-Ito palette, which stays distinguishable for the common forms
of colour blindness, each with one meaning everywhere (:data:`COLORS` for roles,
:data:`PHOTO_COLORS` for the photographs); images use perceptually uniform colour maps
(``viridis`` for values, ``cividis`` for errors, ``gray`` for photographs). Figures are drawn
at 100 dpi and stored at twice that ("retina"), text at 9 pt or more. Nothing changes
matplotlib's settings at import: call :func:`use_style`.

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

__all__ = ["CMAP_ERROR", "CMAP_VALUES", "COLORS", "DPI", "OKABE_ITO", "PHOTO_COLORS", "Drawn",
           "new_figure", "use_style"]

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00",
             "purple": "#CC79A7"}
# Roles used the same way in every notebook (vermillion, hard to tell from orange, has none).
COLORS = {
    "true": OKABE_ITO["blue"],  # p_true
    "model": OKABE_ITO["orange"],  # p_model / p_compressed
    "collapse": OKABE_ITO["sky"],  # mode collapse (mass lost)
    "hallucination": OKABE_ITO["purple"],  # hallucination (mass invented)
    "generalization": OKABE_ITO["green"],  # plausible novelty
    "memorization": OKABE_ITO["black"],  # mass kept on the training items
    "neutral": "#7f7f7f",
}
# One colour per bundled photograph (lossylab.course.common.PHOTOGRAPHS), in every notebook.
PHOTO_COLORS = {"astronaut": OKABE_ITO["blue"], "camera": OKABE_ITO["black"],
                "coffee": OKABE_ITO["vermillion"], "chelsea": OKABE_ITO["green"],
                "rocket": OKABE_ITO["purple"]}
DPI = 100  # figure dpi; stored at twice that in a notebook (retina PNGs)
CMAP_VALUES = "viridis"
CMAP_ERROR = "cividis"

_STYLE: dict[str, Any] = {
    "figure.figsize": (8.0, 3.6), "figure.dpi": DPI, "savefig.dpi": 2 * DPI,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())[1:]),
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "font.size": 10, "legend.fontsize": 9, "xtick.labelsize": 9, "ytick.labelsize": 9,
    "axes.titlesize": 10, "image.cmap": CMAP_VALUES, "legend.frameon": False,
}


def use_style() -> None:
    """Apply the course style to matplotlib (call once, in a notebook's setup cell).

    In a Jupyter kernel it also stores inline figures as retina PNGs (twice :data:`DPI`).

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():  # only to leave the settings as they were
    ...     use_style()
    ...     matplotlib.rcParams["axes.spines.top"]
    False
    """
    mpl.rcParams.update(_STYLE)
    from IPython import get_ipython  # a dependency of ipywidgets

    if get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """Make a figure that is *not* managed by pyplot (for :class:`lossylab.ui.live.LiveFigure`).

    Arguments as in ``plt.subplots``; returns ``(fig, axes)``.

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
    """What a ``draw_*`` function drew: ``fig``, ``ax`` (or a dict of named panels) and the
    ``artists`` (a dict) that a widget changes in place.

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
