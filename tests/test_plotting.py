"""Tests for the draw layer: every draw_* function on small inputs, with the Agg backend."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes

from lossylab.ui import style


def _ax(figsize: tuple[float, float] = (4, 3)) -> Axes:
    _, ax = style.new_figure(figsize=figsize)
    return ax


def _labelled(ax: Axes) -> None:
    assert ax.get_xlabel() and ax.get_ylabel(), "both axes need a label"
