"""Notebook 07's figure and widget: rate against distortion side by side."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes

if TYPE_CHECKING:
    from lossylab.course.nb07 import JPEGCurve, LMPoint

import ipywidgets as widgets

if TYPE_CHECKING:
    from lossylab.course.nb07 import JPEGCurve, LMPoint
from typing import TYPE_CHECKING

from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table
from lossylab.ui.style import Drawn, _axes, _figure

# --- notebook 07: rate against distortion, JPEG and language models side by side -----------

LMCurveSpec = tuple[str, "Sequence[LMPoint]", str]  # (legend label, points, colour)


def _ring(ax: Axes) -> Artist:
    """An empty open circle: the marker a slider moves along a curve."""
    return ax.plot([], [], "o", ms=9, mfc="none", mec="black", mew=1.5)[0]


def draw_jpeg_rate_distortion(curves: Sequence[JPEGCurve], *, colors: Sequence[str],
                              ax: Axes | None = None) -> Drawn:
    """Draw JPEG's rate (file bits per pixel) against its distortion (bits per pixel missing).

    Parameters
    ----------
    curves : sequence of lossylab.course.nb07.JPEGCurve
        One photograph each, measured at the same qualities.
    colors : sequence of str, keyword-only
        One colour per curve.
    ax : matplotlib.axes.Axes, optional
        Where to draw (default: the current axes).

    Returns
    -------
    Drawn
        Artist ``jpeg``: an empty ring per quality, placed by :func:`update_side_by_side`.

    Raises
    ------
    ValueError
        If there is not one colour per curve.

    Notes
    -----
    The distortion is :func:`lossylab.course.nb07.residual_bits_per_pixel`, the entropy of the
    error image: what a lossless coder would still need to restore the original.
    """
    if len(colors) != len(curves):
        raise ValueError(f"colors must have one entry per curve ({len(curves)}), "
                         f"got {len(colors)}")
    ax = _axes(ax)
    for curve, color in zip(curves, colors, strict=True):
        ax.plot(curve.bpp, curve.residual_bits_per_pixel, ".-", color=color, lw=1,
                label=curve.name)
    ax.set(xscale="log", xlabel="rate: bits per pixel of the JPEG file",
           ylabel="distortion:\nbits/pixel missing", title="JPEG, quality 5-95")
    ax.set_xticks([0.2, 0.5, 1, 2, 4], labels=["0.2", "0.5", "1", "2", "4"])
    ax.minorticks_off()
    ax.legend(fontsize=7, loc="upper right")
    return Drawn(_figure(ax), ax, {"jpeg": _ring(ax)})


def draw_lm_rate_distortion(curves: Sequence[LMCurveSpec], *, ax: Axes | None = None) -> Drawn:
    """Draw language models' rate (model bits per training character) against their excess bits.

    Parameters
    ----------
    curves : sequence of (str, sequence of lossylab.course.nb07.LMPoint, str)
        Legend label, the models in the order of the curve, colour.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artists ``lm0``, ``lm1``, ...: one empty ring per curve, placed by
        :func:`update_side_by_side`.

    Notes
    -----
    The distortion axis is symmetric-log, linear below 0.1 bits per character so that a
    model with no excess (KL = 0) still fits.
    """
    ax = _axes(ax)
    for label, points, color in curves:
        ax.plot([p.model_bits_per_train_char for p in points],
                [p.excess_bits_per_char for p in points], ".-", color=color, lw=1, label=label)
    ax.set(xscale="log", xlabel="rate: model bits per training character",
           ylabel="distortion:\nexcess bits/char", title="language models")
    ax.set_yscale("symlog", linthresh=0.1)
    ax.minorticks_off()
    ax.legend(fontsize=7, loc="lower left")
    return Drawn(_figure(ax), ax, {f"lm{i}": _ring(ax) for i in range(len(curves))})


def draw_side_by_side(jpeg_curves: Sequence[JPEGCurve], lm_curves: Sequence[LMCurveSpec], *,
                      jpeg_colors: Sequence[str], quality: int, picks: Sequence[int],
                      axes: Sequence[Axes] | None = None) -> Drawn:
    """Draw both compressors' rate-distortion curves, with one ring per curve at a setting.

    Parameters
    ----------
    jpeg_curves, jpeg_colors
        As in :func:`draw_jpeg_rate_distortion`.
    lm_curves
        As in :func:`draw_lm_rate_distortion`.
    quality : int, keyword-only
        The JPEG quality to mark (one of the curves' qualities).
    picks : sequence of int, keyword-only
        For each language-model curve, the index of the point to mark.
    axes : pair of matplotlib.axes.Axes, optional
        Left (JPEG) and right (language models); default: two new axes on the current figure.

    Returns
    -------
    Drawn
        Panels ``jpeg`` and ``lm``, artists ``jpeg``, ``lm0``, ``lm1``, ...; move them with
        :func:`update_side_by_side`.
    """
    if axes is None:
        import matplotlib.pyplot as plt

        axes = plt.gcf().subplots(1, 2)
    left = draw_jpeg_rate_distortion(jpeg_curves, colors=jpeg_colors, ax=axes[0])
    right = draw_lm_rate_distortion(lm_curves, ax=axes[1])
    drawn = Drawn(left.fig, {"jpeg": left.ax, "lm": right.ax}, left.artists | right.artists)
    update_side_by_side(drawn, jpeg_curves, lm_curves, quality=quality, picks=picks)
    return drawn


def update_side_by_side(drawn: Drawn, jpeg_curves: Sequence[JPEGCurve],
                        lm_curves: Sequence[LMCurveSpec], *, quality: int,
                        picks: Sequence[int]) -> None:
    """Move the rings of :func:`draw_side_by_side` to another quality and other models.

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_side_by_side` returned.
    jpeg_curves, lm_curves, quality, picks
        As in :func:`draw_side_by_side`.

    Raises
    ------
    ValueError
        If ``quality`` was not measured, or ``picks`` does not hold one valid index per
        language-model curve.
    """
    i = jpeg_curves[0].at(quality)
    drawn.artists["jpeg"].set_data([c.bpp[i] for c in jpeg_curves],
                                   [c.residual_bits_per_pixel[i] for c in jpeg_curves])
    for n, p in enumerate(picked_points(lm_curves, picks)):
        drawn.artists[f"lm{n}"].set_data([p.model_bits_per_train_char],
                                          [p.excess_bits_per_char])


def picked_points(lm_curves: Sequence[LMCurveSpec], picks: Sequence[int]) -> list[LMPoint]:
    """The point ``picks[n]`` of each language-model curve ``n``.

    Raises
    ------
    ValueError
        If ``picks`` does not hold one index per curve, each within its curve.
    """
    sizes = [len(points) for _, points, _ in lm_curves]
    if len(picks) != len(sizes) or any(not 0 <= i < n for i, n in zip(picks, sizes, strict=True)):
        raise ValueError(f"picks must hold one index per language-model curve, within sizes "
                         f"{sizes}, got {list(picks)}")
    return [points[i] for (_, points, _), i in zip(lm_curves, picks, strict=True)]


def side_by_side_rows(jpeg_curves: Sequence[JPEGCurve], quality: int,
                      points: Sequence[LMPoint]) -> dict[str, str]:
    """The numbers under the side-by-side figure: JPEG's mean over photographs, each model's.

    Parameters
    ----------
    jpeg_curves : sequence of lossylab.course.nb07.JPEGCurve
    quality : int
        One of the curves' qualities.
    points : sequence of lossylab.course.nb07.LMPoint
        The language models marked on the figure.

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.
    """
    i = jpeg_curves[0].at(quality)
    bpp, psnr, missing = (np.mean([getattr(c, key)[i] for c in jpeg_curves])
                          for key in ("bpp", "psnr_db", "residual_bits_per_pixel"))
    rows = {f"JPEG quality {quality} (mean of {len(jpeg_curves)})":
            f"{bpp:.2f} bpp, {psnr:.1f} dB, {missing:.2f} bits/pixel missing"}
    for p in points:
        rows[p.name] = (f"{p.model_bits_per_train_char:.3g} model bits/char, "
                        f"{p.bits_per_char:.3f} bits/char, excess {p.excess_bits_per_char:.3f}")
    return rows


def side_by_side_widget(jpeg_curves: Sequence[JPEGCurve],
                        lm_curves: Sequence[LMCurveSpec], *,
                        jpeg_colors: Sequence[str], quality: int,
                        knobs: Sequence[tuple[str, Sequence[Any], int]],
                        figsize: tuple[float, float] = (8.6, 3.0)) -> widgets.Box:
    """Live :func:`lossylab.ui.nb07.draw_side_by_side`: a quality slider and one per LM curve.

    Parameters
    ----------
    jpeg_curves, lm_curves, jpeg_colors
        As in :func:`lossylab.ui.nb07.draw_side_by_side`.
    quality : int, keyword-only
        Initial JPEG quality (one of the curves' qualities).
    knobs : sequence of (str, sequence, int), keyword-only
        One per language-model curve: the slider's description, the value shown for each
        of the curve's points (e.g. the n-gram orders), and the initial index.
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        The sliders (``quality`` first), the figure and the table of :func:`side_by_side_rows`.

    Raises
    ------
    ValueError
        If ``knobs`` does not have one entry per LM curve, with one value per point.
    """
    sizes = [len(points) for _, points, _ in lm_curves]
    if [len(values) for _, values, _ in knobs] != sizes:
        raise ValueError(f"knobs must have one entry per language-model curve, with one value "
                         f"per point (sizes {sizes}), got {[len(v) for _, v, _ in knobs]}")
    picks = [index for _, _, index in knobs]
    fig, axes = style.new_figure(1, 2, figsize=figsize)
    fig.set_dpi(80)
    drawn = draw_side_by_side(jpeg_curves, lm_curves, jpeg_colors=jpeg_colors,
                                       quality=quality, picks=picks, axes=axes)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, **picked: int) -> None:
        picks = [picked[f"lm{n}"] for n in range(len(lm_curves))]
        update_side_by_side(drawn, jpeg_curves, lm_curves, quality=quality,
                                     picks=picks)
        table.value = number_table(side_by_side_rows(
            jpeg_curves, quality, picked_points(lm_curves, picks)))
        live_fig.refresh()

    controls: dict[str, widgets.ValueWidget] = {"quality": widgets.SelectionSlider(
        options=[int(q) for q in jpeg_curves[0].qualities], value=quality,
        description="JPEG quality")}
    for n, (description, values, index) in enumerate(knobs):
        controls[f"lm{n}"] = widgets.SelectionSlider(
            options=[(str(v), i) for i, v in enumerate(values)], value=index,
            description=description)
    return live(update, controls, live_fig.widget, table)
