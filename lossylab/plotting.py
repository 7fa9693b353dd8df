"""Plot style and small figure helpers shared by the notebooks.

Colours come from the Okabe-Ito palette, which stays distinguishable for the
common forms of colour blindness; images use perceptually uniform colour maps
(``viridis`` for values, ``cividis`` for errors, ``gray`` for photographs).
Nothing here changes matplotlib's settings at import: call :func:`use_style`.

The *draw* layer of the notebooks' widgets also lives here. Each ``draw_*`` function
draws once, on the axes it is given (or the current ones), and returns a :class:`Drawn`:
the figure, the axes and the artists that a slider moves. The matching ``update_*``
function moves those artists in place (``set_data``, ``set_ydata``), which is what keeps a
live figure fast (see :class:`lossylab.widgets.LiveFigure`). They take arrays and numbers
only, never notebook globals, and compute nothing beyond what the picture needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

if TYPE_CHECKING:
    from lossylab.coding import Narrowing
    from lossylab.compare import JPEGCurve, LMPoint
    from lossylab.distributions import LearningCurve
    from lossylab.images import RateDistortion

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


# --- the draw layer: draw once, update in place -------------------------------------------


@dataclass(frozen=True, eq=False)
class Drawn:
    """What a ``draw_*`` function drew: its figure, its axes, and the artists a slider moves.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    ax : Axes or dict of str to Axes
        The axes drawn on (a dict for a figure with several named panels).
    artists : dict of str to Artist
        The artists the matching ``update_*`` function changes in place.
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


def _check_r(r: float) -> float:
    if not np.isfinite(r) or r <= 0:
        raise ValueError(f"r must be a positive number (10 is the course default), got {r!r}")
    return float(r)


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
    r = _check_r(r)
    floor = drawn.ax.get_ylim()[0]
    drawn.artists["model"].set_data(_floored(p_model, True, floor))
    drawn.artists["collapse"].set_data(_floored(p_true, p_model <= p_true / r, floor))
    drawn.artists["hallucination"].set_data(_floored(p_model, p_true <= p_model / r, floor))


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
        (``lossylab.distributions.distance_to_samples(x, samples) > distance``).
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
    Same split as :func:`lossylab.distributions.novelty_split`: model mass on cells where
    ``p_true <= p_model / r`` is hallucination; the rest is near (close to a sample) or
    generalization (far from every sample); p_true's mass where ``p_model <= p_true / r`` is
    mode collapse.
    """
    x, p_true, p_model = _check_same_shape(x=x, p_true=p_true, p_model=p_model)
    ax = _axes(ax)
    cell = x[1] - x[0]
    edges = np.append(x - cell / 2, x[-1] + cell / 2)
    fills = _novelty_fills(p_true, p_model, np.asarray(far, bool), _check_r(r), cell)
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
    fills = _novelty_fills(p_true, p_model, far, _check_r(r), cell)
    for name, values in fills.items():
        drawn.artists[name].set_data(values)
    drawn.artists["rug"].set_data(rug_height * has_sample)


def draw_learning_curves(curve: LearningCurve, *, k: int, entropy_bits: float,
                         ylim: tuple[float, float] = (5, 11), ax: Axes | None = None) -> Drawn:
    """Draw train, held-out and two-part (MDL) bits per sample against the model size K.

    Parameters
    ----------
    curve : lossylab.distributions.LearningCurve
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
    curve : lossylab.distributions.LearningCurve
        Scored at the same ``ks`` as the drawn one.
    k : int, keyword-only
    """
    drawn.artists["train"].set_ydata(curve.train_bits)
    drawn.artists["heldout"].set_ydata(curve.heldout_bits)
    drawn.artists["mdl"].set_ydata((curve.model_bits + curve.data_bits) / curve.n_samples)
    drawn.artists["k"].set_xdata([k, k])


# --- notebook 03: one 8x8 block through quantization ----------------------------------------

_GREY: Mapping[str, Any] = dict(cmap="gray", vmin=0, vmax=255, interpolation="nearest")


def draw_block_picker(luma: np.ndarray, *, row: int, col: int, quantized: np.ndarray,
                      decoded: np.ndarray, figsize: tuple[float, float] = (8.4, 3.7),
                      dpi: float = 80) -> Drawn:
    """Build a figure following one 8x8 luma block: where it is, its coefficients, its decode.

    Parameters
    ----------
    luma : numpy.ndarray, shape (height, width)
        The luma samples (0-255) of the whole image.
    row, col : int, keyword-only
        The block's position, in blocks.
    quantized : numpy.ndarray of int, shape (8, 8), keyword-only
        The block's quantized DCT coefficients, natural order.
    decoded : numpy.ndarray, shape (8, 8), keyword-only
        The block after dequantization, inverse DCT and level shift back.
    figsize, dpi : keyword-only
        Size of the figure (keep it small for a live figure).

    Returns
    -------
    Drawn
        A figure not managed by pyplot (show it with ``drawn.fig``, or wrap it in
        ``LiveFigure``), panels ``img``, ``orig``, ``coef``, ``rec``, ``zz`` and artists
        ``box``, ``orig``, ``coef``, ``rec``, ``zz``; move them with :func:`update_block_picker`.

    Notes
    -----
    The coefficients are shown as ``log10(1 + |q|)``; the zig-zag panel shows the 63 AC
    coefficients in the order the encoder writes them, on a symmetric log axis.
    """
    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    axd = fig.subplot_mosaic([["img", "orig", "coef", "rec"], ["zz", "zz", "zz", "zz"]],
                             height_ratios=[1.3, 1.0])
    axd["img"].imshow(luma, cmap="gray", vmin=0, vmax=255)
    box = Rectangle((0, 0), 8, 8, fill=False, lw=1.5, ec=COLORS["hallucination"])
    artists: dict[str, Artist] = {
        "box": axd["img"].add_patch(box),
        "orig": axd["orig"].imshow(np.zeros((8, 8)), **_GREY),
        "coef": axd["coef"].imshow(np.zeros((8, 8)), cmap=CMAP_VALUES, vmin=0, vmax=2.5,
                                   interpolation="nearest"),
        "rec": axd["rec"].imshow(np.zeros((8, 8)), **_GREY),
        "zz": axd["zz"].plot(np.arange(1, 64), np.zeros(63), marker="o", ms=3,
                             color=COLORS["model"])[0],
    }
    for key, title in [("img", "luma: where"), ("orig", "block"), ("coef", "log10(1+|q|)"),
                       ("rec", "decoded block")]:
        axd[key].set(title=title, xticks=[], yticks=[])
    axd["zz"].set(xlabel="zig-zag position k", ylabel="quantized value", yscale="symlog",
                  ylim=(-200, 200), xlim=(0, 64))
    drawn = Drawn(fig, axd, artists)
    update_block_picker(drawn, luma, row=row, col=col, quantized=quantized, decoded=decoded)
    return drawn


def update_block_picker(drawn: Drawn, luma: np.ndarray, *, row: int, col: int,
                        quantized: np.ndarray, decoded: np.ndarray) -> None:
    """Move the artists of :func:`draw_block_picker` to another block or quality (in place).

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_block_picker` returned.
    luma, row, col, quantized, decoded
        As in :func:`draw_block_picker`.
    """
    from lossylab.jpeg import ZIGZAG  # imported late: jpeg pulls in Pillow

    n_rows, n_cols = luma.shape[0] // 8, luma.shape[1] // 8
    if not (0 <= row < n_rows and 0 <= col < n_cols):
        raise ValueError(f"row, col must be in [0, {n_rows}) x [0, {n_cols}) for this image, "
                         f"got ({row}, {col})")
    drawn.artists["box"].set_xy((8 * col, 8 * row))
    drawn.artists["orig"].set_data(luma[8 * row : 8 * row + 8, 8 * col : 8 * col + 8])
    drawn.artists["coef"].set_data(np.log10(1 + np.abs(quantized)))
    drawn.artists["rec"].set_data(decoded)
    drawn.artists["zz"].set_ydata(np.asarray(quantized).reshape(64)[ZIGZAG][1:])


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
    curves : sequence of lossylab.compare.JPEGCurve
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
    The distortion is :func:`lossylab.compare.residual_bits_per_pixel`, the entropy of the
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
    curves : sequence of (str, sequence of lossylab.compare.LMPoint, str)
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


# --- notebook 04: where one round trip lands among the photographs' curves -------------------


def draw_jpeg_rate_psnr(curves: Mapping[str, RateDistortion], *, colors: Mapping[str, str],
                        ylim: tuple[float, float] = (20, 60), ax: Axes | None = None) -> Drawn:
    """Draw PSNR against bits per pixel for several photographs, with a ring for one round trip.

    Parameters
    ----------
    curves : mapping of str to lossylab.images.RateDistortion
        Photograph name to its rate-distortion curve.
    colors : mapping of str to str, keyword-only
        Photograph name to colour (every name of ``curves``).
    ylim : (float, float), keyword-only
        Range of the PSNR axis (dB).
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artist ``marker`` (empty until :func:`update_jpeg_rate_psnr` places it).

    Raises
    ------
    ValueError
        If a curve has no colour.
    """
    missing = [name for name in curves if name not in colors]
    if missing:
        raise ValueError(f"colors must give a colour to every curve, missing {missing}")
    ax = _axes(ax)
    for name, rd in curves.items():
        ax.plot(rd.bpp, rd.psnr_db, "-o", ms=2.5, color=colors[name], label=name)
    marker = ax.plot([], [], "o", ms=10, mfc="none", mec="black", mew=2)[0]
    ax.set(xlabel="bits per pixel", ylabel="PSNR (dB)", xscale="log", xlim=(0.1, 16), ylim=ylim)
    ax.legend(fontsize=7, loc="lower right")
    return Drawn(_figure(ax), ax, {"marker": marker})


def update_jpeg_rate_psnr(drawn: Drawn, *, bpp: float, psnr_db: float) -> None:
    """Put the ring of :func:`draw_jpeg_rate_psnr` at one round trip (in place).

    An infinite PSNR (identical images) is drawn at the top of the axis.
    """
    top = drawn.ax.get_ylim()[1]
    drawn.artists["marker"].set_data([bpp], [min(psnr_db, top)])


# --- notebook 06: arithmetic coding, the model ladder, paying for the model, rounding weights -


def draw_narrowing(narrowing: Narrowing, *, ax: Axes | None = None) -> Drawn:
    """Draw each step of arithmetic coding: all symbols' slices, the chosen one, its bits.

    Parameters
    ----------
    narrowing : lossylab.coding.Narrowing
        What :func:`lossylab.coding.interval_narrowing` returned.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        A static picture (no artists to move).

    Notes
    -----
    Row t is the interval after t characters, stretched to [0, 1): the thin lines are the
    slice boundaries of every symbol, the bar the slice of the character that came, whose
    width w costs ``-log2 w`` bits.
    """
    ax = _axes(ax)
    for row, step in enumerate(narrowing.steps):
        ax.vlines(step.cumulative, row - 0.35, row + 0.35, color=COLORS["neutral"], lw=0.4)
        ax.barh(row, step.slice_high - step.slice_low, left=step.slice_low, height=0.7,
                color=COLORS["model"])
        ax.text(1.02, row, f"{step.char!r}: {step.bits:5.2f} bits", va="center",
                family="monospace")
    ax.set(xlim=(0, 1), ylim=(len(narrowing.steps) - 0.5, -0.5), yticks=[],
           xlabel="position inside the previous interval (stretched to [0, 1))")
    return Drawn(_figure(ax), ax, {})


FAMILY_COLORS = (COLORS["true"], COLORS["model"], COLORS["generalization"])
STANDARD_COLORS = (OKABE_ITO["green"], OKABE_ITO["purple"], OKABE_ITO["vermillion"])


def _check_families(families: Mapping[str, tuple[Any, Any]]) -> None:
    if len(families) > len(FAMILY_COLORS):
        raise ValueError(f"families must have at most {len(FAMILY_COLORS)} entries, "
                         f"got {len(families)}")
    for label, (x, y) in families.items():
        if len(x) != len(y):
            raise ValueError(f"family {label!r} must have one rate per model size, "
                             f"got {len(x)} sizes and {len(y)} rates")


def draw_model_ladder(families: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                      alone: Mapping[str, float], given_train: Mapping[str, float],
                      ax: Axes | None = None) -> Drawn:
    """Draw held-out bits per character against model parameters, with standard compressors.

    Parameters
    ----------
    families : mapping of str to (sequence of float, sequence of float)
        Legend label to (parameters of each model, its held-out bits per character).
    alone, given_train : mapping of str to float, keyword-only
        Standard compressor name to its bits per character on the held-out text alone
        (dashed) and given the training text (dotted); at most three.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        A static picture.

    Raises
    ------
    ValueError
        If a family's sizes and rates differ in length, there are more than three families
        or compressors, or ``alone`` and ``given_train`` name different compressors.
    """
    _check_families(families)
    if list(alone) != list(given_train) or len(alone) > len(STANDARD_COLORS):
        raise ValueError(f"alone and given_train must name the same (at most "
                         f"{len(STANDARD_COLORS)}) compressors, got {list(alone)} and "
                         f"{list(given_train)}")
    ax = _axes(ax)
    for (label, (n_params, rates)), color in zip(families.items(), FAMILY_COLORS[:len(families)],
                                                 strict=True):
        ax.plot(np.maximum(n_params, 1), rates, "o-", color=color, label=label)
    for (name, rate), color in zip(alone.items(), STANDARD_COLORS[:len(alone)], strict=True):
        ax.axhline(rate, color=color, ls="--", lw=1, label=f"{name} alone")
        ax.axhline(given_train[name], color=color, ls=":", lw=1, label=f"{name} given train")
    ax.set(xscale="log", xlabel="model parameters", ylabel="bits per character (held out)")
    ax.legend(fontsize=7, ncol=2)
    return Drawn(_figure(ax), ax, {})


def _ring_at(ax: Axes, marker: tuple[float, float] | None) -> Artist:
    """A large open circle at ``marker`` (empty if None), drawn over the curves."""
    x, y = ([], []) if marker is None else ([marker[0]], [marker[1]])
    return ax.plot(x, y, "o", ms=10, mfc="none", mec="black")[0]


def draw_adjusted_rates(families: Mapping[str, tuple[Sequence[float], Sequence[float]]], *,
                        reference_bits_per_char: float, reference_label: str = "xz alone",
                        marker: tuple[float, float] | None = None,
                        ax: Axes | None = None) -> Drawn:
    """Draw each model's adjusted rate (model bits included) against its size in bits.

    Parameters
    ----------
    families : mapping of str to (sequence of float, sequence of float)
        Legend label to (model size in bits, adjusted bits per character), one entry per
        model (see :func:`lossylab.coding.adjusted_bits_per_char`).
    reference_bits_per_char : float, keyword-only
        A standard compressor's rate, drawn dashed.
    reference_label : str, keyword-only
    marker : (float, float), keyword-only
        Where to ring one model (size in bits, adjusted rate); None draws no ring.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artists ``line0``, ``line1``, ... (one per family) and ``marker``; move them with
        :func:`update_adjusted_rates`.
    """
    _check_families(families)
    ax = _axes(ax)
    artists: dict[str, Artist] = {
        f"line{i}": ax.plot(sizes, rates, "o-", ms=3, color=color, label=label)[0]
        for i, ((label, (sizes, rates)), color) in enumerate(zip(
            families.items(), FAMILY_COLORS[:len(families)], strict=True))}
    ax.axhline(reference_bits_per_char, color=OKABE_ITO["vermillion"], ls="--", lw=1,
               label=reference_label)
    ax.set(xscale="log", yscale="log", xlabel="model size (bits)", ylabel="adjusted bits/char",
           ylim=(1.5, 1000))
    ticks = [2, 3, 5, 10, 30, 100, 300, 1000]
    ax.set_yticks(ticks, labels=[str(t) for t in ticks])
    ax.legend(fontsize=7, loc="upper left")
    artists["marker"] = _ring_at(ax, marker)
    return Drawn(_figure(ax), ax, artists)


def update_adjusted_rates(drawn: Drawn, rates: Sequence[Sequence[float]], *,
                          marker: tuple[float, float]) -> None:
    """Move the curves of :func:`draw_adjusted_rates` to other rates, and the ring (in place).

    Parameters
    ----------
    drawn : Drawn
        What :func:`draw_adjusted_rates` returned.
    rates : sequence of sequence of float
        The adjusted rates of each family, in the order drawn.
    marker : (float, float), keyword-only
    """
    for i, family_rates in enumerate(rates):
        drawn.artists[f"line{i}"].set_ydata(family_rates)
    drawn.artists["marker"].set_data([marker[0]], [marker[1]])


def draw_quantization(bits: Sequence[int], rates: Mapping[str, Sequence[float]], *,
                      float_rate: float, ax: Axes | None = None) -> Drawn:
    """Draw bits per character against bits per weight, one curve per rounding scheme.

    Parameters
    ----------
    bits : sequence of int
        Bits per weight of each point.
    rates : mapping of str to sequence of float
        Scheme label (e.g. "per tensor", "per row") to bits per character at each ``bits``.
    float_rate : float, keyword-only
        The unrounded (float32) model's rate, drawn dashed.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    Drawn
        Artist ``marker`` (empty); place it with :func:`update_quantization`.

    Raises
    ------
    ValueError
        If a scheme does not have one rate per entry of ``bits``.
    """
    _check_families({label: (bits, r) for label, r in rates.items()})
    colors = (COLORS["model"], COLORS["true"], COLORS["generalization"])[:len(rates)]
    ax = _axes(ax)
    for (label, scheme_rates), color in zip(rates.items(), colors, strict=True):
        ax.plot(bits, scheme_rates, "o-", ms=3, color=color, label=label)
    ax.axhline(float_rate, color=COLORS["neutral"], ls="--", lw=1, label="float32")
    ax.set(xlabel="bits per weight", ylabel="bits/char (excerpt)", ylim=(0, None))
    ax.legend(fontsize=7)
    return Drawn(_figure(ax), ax, {"marker": _ring_at(ax, None)})


def update_quantization(drawn: Drawn, *, bits: int, rate: float) -> None:
    """Ring one setting on :func:`draw_quantization` (in place)."""
    drawn.artists["marker"].set_data([bits], [rate])
