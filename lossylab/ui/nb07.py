"""Notebook 07's figure and widget: JPEG's and language models' rate against distortion.

Left panel, one curve per photograph (:class:`lossylab.course.nb07.JPEGCurve`); right panel,
one curve per family of language models (:class:`lossylab.course.nb07.LMPoint`); an open ring
marks the chosen setting on every curve. The numbers come from :mod:`lossylab.course.nb07`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from lossylab.ui import style
from lossylab.ui.live import LiveFigure, live, number_table
from lossylab.ui.style import Drawn, _figure

if TYPE_CHECKING:
    from lossylab.course.nb07 import JPEGCurve, LMPoint

__all__ = ["draw_side_by_side", "picked_points", "side_by_side_rows", "side_by_side_widget"]

LMCurveSpec = tuple[str, "Sequence[LMPoint]", str]  # (legend label, points, colour)
_RING = dict(ms=9, mfc="none", mec="black", mew=1.5)  # the open circle a slider moves


def draw_side_by_side(jpeg_curves: Sequence[JPEGCurve], lm_curves: Sequence[LMCurveSpec], *,
                      jpeg_colors: Sequence[str], quality: int, picks: Sequence[int],
                      axes: Sequence[Axes] | None = None) -> Drawn:
    """Draw both compressors' rate-distortion curves, with one ring per curve at a setting.

    Parameters
    ----------
    jpeg_curves : sequence of lossylab.course.nb07.JPEGCurve
        One photograph each, measured at the same qualities; ``jpeg_colors``, one colour each.
    lm_curves : sequence of (str, sequence of lossylab.course.nb07.LMPoint, str)
        Legend label, the models in the order of the curve, colour.
    quality, picks : keyword-only
        The JPEG quality to ring, and for each language-model curve the index of its ring
        (ValueError for a colour count, quality or ``picks`` that does not fit the curves).
    axes : pair of matplotlib.axes.Axes, optional
        Left (JPEG) and right (language models); default: two new axes on the current figure.

    Returns
    -------
    Drawn
        Panels ``jpeg`` and ``lm``, rings ``jpeg``, ``lm0``, ``lm1``, ...

    Examples
    --------
    >>> from lossylab.course.nb07 import JPEGCurve, LMPoint
    >>> q = np.array([10, 90])
    >>> jpeg = [JPEGCurve("a", q, np.array([0.3, 3.0]), np.array([28.0, 42.0]), 15 / q)]
    >>> lm = [("n-gram", [LMPoint("m", 10, 100.0, 0.1, 3.0, 0.5)], "C0")]
    >>> drawn = draw_side_by_side(jpeg, lm, jpeg_colors=["k"], quality=90, picks=[0])
    >>> sorted(drawn.artists)
    ['jpeg', 'lm0']
    """
    if len(jpeg_colors) != len(jpeg_curves):
        raise ValueError(f"colors must have one entry per curve ({len(jpeg_curves)}), "
                         f"got {len(jpeg_colors)}")
    left, right = plt.gcf().subplots(1, 2) if axes is None else axes
    for curve, color in zip(jpeg_curves, jpeg_colors, strict=True):
        left.plot(curve.bpp, curve.residual_bits_per_pixel, ".-", color=color, lw=1,
                  label=curve.name)
    left.set(xscale="log", xlabel="rate: bits per pixel of the JPEG file",
             ylabel="distortion:\nbits/pixel missing", title="JPEG, quality 5-95")
    left.set_xticks([0.2, 0.5, 1, 2, 4], labels=["0.2", "0.5", "1", "2", "4"])
    for (label, points, color), fmt in zip(lm_curves, ("o-", "s-", "^--", "v:"), strict=False):
        right.plot([p.model_bits_per_train_char for p in points],
                   [p.excess_bits_per_char for p in points], fmt, ms=3, color=color, label=label)
    right.set(xscale="log", xlabel="rate: model bits per training character",
              ylabel="distortion:\nexcess bits/char", title="language models")
    right.set_yscale("symlog", linthresh=0.1)  # linear below 0.1: a model with KL = 0 fits
    for ax, where in ((left, {"bbox_to_anchor": (0, 0.24), "ncol": 2}), (right, {})):
        ax.minorticks_off()
        ax.legend(loc="lower left", **where)  # left: between the camera man and the others
    drawn = Drawn(_figure(left), {"jpeg": left, "lm": right},
                  {"jpeg": left.plot([], [], "o", **_RING)[0]}
                  | {f"lm{i}": right.plot([], [], "o", **_RING)[0] for i in range(len(lm_curves))})
    _update(drawn, jpeg_curves, lm_curves, quality=quality, picks=picks)
    return drawn


def _update(drawn: Drawn, jpeg_curves: Sequence[JPEGCurve], lm_curves: Sequence[LMCurveSpec],
            *, quality: int, picks: Sequence[int]) -> None:
    """Move the rings of :func:`draw_side_by_side` to another quality and other models."""
    i = jpeg_curves[0].at(quality)
    drawn.artists["jpeg"].set_data([c.bpp[i] for c in jpeg_curves],
                                   [c.residual_bits_per_pixel[i] for c in jpeg_curves])
    for n, p in enumerate(picked_points(lm_curves, picks)):
        drawn.artists[f"lm{n}"].set_data([p.model_bits_per_train_char],
                                          [p.excess_bits_per_char])


def picked_points(lm_curves: Sequence[LMCurveSpec], picks: Sequence[int]) -> list[LMPoint]:
    """The point ``picks[n]`` of each language-model curve ``n`` (ValueError if out of range).

    Examples
    --------
    >>> picked_points([("a", ["p0", "p1"], "C0")], [1])
    ['p1']
    """
    sizes = [len(points) for _, points, _ in lm_curves]
    if len(picks) != len(sizes) or any(not 0 <= i < n for i, n in zip(picks, sizes, strict=True)):
        raise ValueError(f"picks must hold one index per language-model curve, within sizes "
                         f"{sizes}, got {list(picks)}")
    return [points[i] for (_, points, _), i in zip(lm_curves, picks, strict=True)]


def side_by_side_rows(jpeg_curves: Sequence[JPEGCurve], quality: int,
                      points: Sequence[LMPoint]) -> dict[str, str]:
    """The rows under the side-by-side figure: JPEG's mean over photographs, then each model.

    Returns a dict of label to formatted value, for :func:`lossylab.ui.live.number_table`.

    Examples
    --------
    >>> from lossylab.course.nb07 import JPEGCurve, LMPoint
    >>> curve = JPEGCurve("a", np.array([50]), np.array([1.0]), np.array([34.0]), np.array([12.0]))
    >>> rows = side_by_side_rows([curve], 50, [LMPoint("m", 10, 100.0, 0.1, 3.0, 0.5)])
    >>> rows["m"]
    '0.1 model bits/char, 3.000 bits/char, excess 0.500'
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
    """Live :func:`draw_side_by_side`: a quality slider and one slider per LM curve.

    The arguments are those of :func:`draw_side_by_side` (``quality``: the initial one) and,
    in ``knobs``, one (description, values, index) per language-model curve: the slider's
    label, the value shown for each of the curve's points (e.g. the n-gram orders) and the
    initial index (else ValueError). Returns an ipywidgets.Box: the sliders (``quality``
    first), the figure and the table of :func:`side_by_side_rows`.

    Examples
    --------
    >>> import contextlib, io
    >>> from lossylab.course.nb07 import JPEGCurve, LMPoint
    >>> jpeg = [JPEGCurve("a", np.array([90]), np.array([3.0]), np.array([42.0]), np.array([1.5]))]
    >>> lm = [("n-gram", [LMPoint("m", 10, 100.0, 0.1, 3.0, 0.5)], "C0")]
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = side_by_side_widget(jpeg, lm, jpeg_colors=["k"], quality=90,
    ...                               knobs=[("order", [3], 0)])  # description, values, start
    >>> [slider.description for slider in box.children[0].children]
    ['JPEG quality', 'order']
    """
    sizes = [len(points) for _, points, _ in lm_curves]
    if [len(values) for _, values, _ in knobs] != sizes:
        raise ValueError(f"knobs must have one entry per language-model curve, with one value "
                         f"per point (sizes {sizes}), got {[len(v) for _, v, _ in knobs]}")
    picks = [index for _, _, index in knobs]
    fig, axes = style.new_figure(1, 2, figsize=figsize)
    fig.set_dpi(style.DPI)
    drawn = draw_side_by_side(jpeg_curves, lm_curves, jpeg_colors=jpeg_colors,
                              quality=quality, picks=picks, axes=axes)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, **picked: int) -> None:
        picks = [picked[f"lm{n}"] for n in range(len(lm_curves))]
        _update(drawn, jpeg_curves, lm_curves, quality=quality, picks=picks)
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
