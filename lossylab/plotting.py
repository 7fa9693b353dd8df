"""Plot style and small figure helpers shared by the notebooks.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; images use perceptually uniform colour maps
(``viridis`` for values, ``cividis`` for errors, ``gray`` for photographs).
Nothing here changes matplotlib's settings at import: call :func:`use_style`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design": safe for deuteranopia/protanopia/tritanopia.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}
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

STYLE: dict[str, Any] = {
    "figure.figsize": (8.0, 3.6),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO.values())[1:]),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "font.size": 10,
    "image.cmap": CMAP_VALUES,
    "legend.frameon": False,
}


def use_style() -> None:
    """Apply the course style to matplotlib (call once, in a notebook's setup cell)."""
    mpl.rcParams.update(STYLE)


@contextmanager
def style() -> Iterator[None]:
    """Context manager form of :func:`use_style` that restores the previous settings."""
    with mpl.rc_context(STYLE):
        yield


def new_figure(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """Make a figure that is *not* managed by pyplot (for :class:`lossylab.widgets.LiveFigure`).

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, as in ``plt.subplots``.
    **kwargs
        Passed to :meth:`matplotlib.figure.Figure.subplots` (``figsize`` goes to the figure).

    Returns
    -------
    fig : matplotlib.figure.Figure
    axes : Axes or array of Axes
    """
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes
