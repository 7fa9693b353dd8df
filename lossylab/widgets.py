"""Fast, in-place widgets for the notebooks.

Redrawing a whole matplotlib figure through the inline backend costs about 100 ms,
too slow for a slider. The pattern used in every notebook instead:

1. *compute*: pure functions from lossylab (tested, cached where costly);
2. *draw*: build a figure once, keep its artists, and on each move update them
   (``line.set_ydata``, ``image.set_data``, ``text.set_text``);
3. *wire*: :class:`LiveFigure` renders the figure with Agg straight into an
   ``ipywidgets.Image`` (a fast PNG), and :func:`live` binds sliders to an update
   function with ``ipywidgets.interactive_output``.

Before each widget a notebook draws the same figure once with the defaults, so the
page reads well on GitHub, where widgets do not run.

The factories at the end (:func:`mismatch_widget`, :func:`learning_widget`,
:func:`block_picker_widget`, :func:`roundtrip_widget`, :func:`generation_widget`,
:func:`upload_widget`, :func:`adjusted_rate_widget`, :func:`quantization_widget`,
:func:`text_widget`, :func:`side_by_side_widget`) are that wiring for notebooks 01 to 04,
06 and 07: each builds a small figure with a ``lossylab.plotting.draw_*`` function,
wraps it in a :class:`LiveFigure` and binds its sliders; everything they show is passed in
as arguments.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from lossylab import coding, images, plotting
from lossylab import distributions as D

if TYPE_CHECKING:
    from lossylab.compare import JPEGCurve, LMPoint
    from lossylab.distributions import LearningCurve, LearningProblem
    from lossylab.images import GenerationLoss, LoadedImage, RoundTrip
    from lossylab.lm import CharLM


def figure_png(fig: Figure) -> bytes:
    """Render a matplotlib figure to PNG bytes quickly (Agg, fast zlib level).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    bytes
        A PNG file.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return _png(np.asarray(canvas.buffer_rgba())[..., :3])


def _png(image: np.ndarray) -> bytes:
    """PNG-encode a uint8 array with the fastest zlib level (speed matters more than size)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def array_png(image: np.ndarray) -> bytes:
    """Encode a uint8 image array (H, W) or (H, W, 3) as PNG bytes for ``ipywidgets.Image``."""
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(
            f"image must be a uint8 array of shape (H, W) or (H, W, 3), got {image.dtype} "
            f"{image.shape}; convert with np.clip(x, 0, 255).astype(np.uint8)"
        )
    return _png(image)


class LiveFigure:
    """A matplotlib figure shown as an ``ipywidgets.Image`` and refreshed in place.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure not managed by pyplot (see :func:`lossylab.plotting.new_figure`).
    animated : sequence of Artist, optional
        The artists that change on a slider move (lines, images, texts). When given,
        the static rest of the figure (axes, ticks, labels) is rendered once and cached,
        and :meth:`refresh` redraws only these artists on top of it ("blitting"): a few
        milliseconds instead of ~40 ms for a full redraw. Call ``refresh(full=True)``
        after changing anything static, such as axis limits or tick labels.

    Attributes
    ----------
    widget : ipywidgets.Image
        The widget to display; :meth:`refresh` replaces its bytes.
    """

    def __init__(self, fig: Figure, *, animated: Sequence[Artist] = ()) -> None:
        self.fig = fig
        self.canvas = FigureCanvasAgg(fig)
        self.animated = list(animated)
        for artist in self.animated:
            artist.set_animated(True)  # skipped by canvas.draw(), drawn by refresh()
        self._background: Any = None
        self.widget = widgets.Image(format="png")
        self.refresh(full=True)

    def refresh(self, *, full: bool = False) -> None:
        """Re-render the figure into the widget (call after updating artists).

        Parameters
        ----------
        full : bool
            Redraw everything, including the cached static background.
        """
        if full or self._background is None:
            self.canvas.draw()
            # the layout is fixed after the first full draw so the cached background stays valid
            self.fig.set_layout_engine("none")
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.animated:
            (artist.axes or self.fig).draw_artist(artist)
        rgba = np.asarray(self.canvas.buffer_rgba())  # (height, width, 4) uint8
        self.widget.value = _png(rgba[..., :3])


def live(
    update: Callable[..., Any],
    controls: Mapping[str, widgets.ValueWidget],
    *views: widgets.Widget,
    layout: str = "vertical",
) -> widgets.Box:
    """Wire controls to an update function and lay them out above the views.

    ``update(**values)`` is called once now and again on every change of a control;
    anything it prints or displays goes into an output area below the views.

    Parameters
    ----------
    update : callable
        Takes one keyword argument per control, named as in ``controls``.
    controls : mapping of str to widget
        The sliders, dropdowns, ... whose ``value`` feeds ``update``.
    *views : widget
        What ``update`` changes in place (e.g. ``LiveFigure.widget``, an HTML).
    layout : {"vertical", "horizontal"}
        Stack the views vertically or place them side by side.

    Returns
    -------
    ipywidgets.Box
        Controls, views and the output area.
    """
    if layout not in ("vertical", "horizontal"):
        raise ValueError(f"layout must be 'vertical' or 'horizontal', got {layout!r}")
    output = widgets.interactive_output(update, dict(controls))
    box = widgets.VBox if layout == "vertical" else widgets.HBox
    return widgets.VBox([widgets.HBox(list(controls.values())), box(list(views)), output])


def number_table(rows: Mapping[str, str]) -> str:
    """Format label/value pairs as a small HTML table for an ``ipywidgets.HTML``."""
    cells = "".join(
        f"<tr><td style='padding-right:1em'>{k}</td><td style='text-align:right'><b>{v}</b>"
        "</td></tr>"
        for k, v in rows.items()
    )
    return f"<table style='font-family:monospace'>{cells}</table>"


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


def _r_slider(value: float) -> widgets.FloatLogSlider:
    """The factor r, from 1 to 1000 on a log scale."""
    return widgets.FloatLogSlider(value=value, base=10, min=0, max=3, step=0.1, description="r")


def mismatch_widget(p_true: np.ndarray, channel_of: Callable[[Any], np.ndarray],
                    knob: widgets.ValueWidget, *, r: float = 10.0,
                    figsize: tuple[float, float] = (5.6, 2.4)) -> widgets.Box:
    """A live :func:`lossylab.plotting.draw_mismatch` figure and table for a family of channels.

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
    fig, ax = plotting.new_figure(figsize=figsize)
    fig.set_dpi(80)
    drawn = plotting.draw_mismatch(p_true, p_true, r=r, ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(knob: Any, r: float) -> None:
        p_model = D.push_forward(p_true, channel_of(knob))
        plotting.update_mismatch(drawn, p_true, p_model, r=r)
        table.value = number_table(mismatch_rows(p_true, p_model, r=r))
        live_fig.refresh()

    return live(update, {"knob": knob, "r": _r_slider(r)}, live_fig.widget, table,
                layout="horizontal")


def _has_sample(problem: LearningProblem, n: int) -> np.ndarray:
    """(n_cells,) bool: cells that hold one of the first n training samples."""
    return np.bincount(problem.sample_index[:n], minlength=problem.x.size) > 0


def learning_rows(problem: LearningProblem, curve: LearningCurve, k: int, *, r: float = 10.0,
                  distance: float, seed: int = 0) -> dict[str, str]:
    """The numbers of the learning table: bits, KL, both masses, novelty split, best K.

    Parameters
    ----------
    problem : lossylab.distributions.LearningProblem
    curve : lossylab.distributions.LearningCurve
        The scores at the data size N of interest (``curve.n_samples``).
    k : int
        The model size.
    r : float, keyword-only
    distance : float, keyword-only
        A cell is *new* when farther than this from every training sample.
    seed : int, keyword-only
        As in :func:`lossylab.distributions.learning_point`.

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.
    """
    n = curve.n_samples
    point = D.learning_point(n, k, seed=seed)
    m = D.mismatch(problem.p_true, point.p_model, r=r)
    s = D.novelty_split(problem.p_true, point.p_model, problem.x, problem.samples(n),
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
    problem : lossylab.distributions.LearningProblem
    curves : mapping of int to LearningCurve
        One curve per data size N offered by the N slider (all scored at the same ``ks``,
        which the K slider offers); compute them before, they hold every fit.
    n, k, r : keyword-only
        Initial slider values (``n`` a key of ``curves``, ``k`` in its ``ks``).
    distance : float, keyword-only
        A cell is *new* when farther than this from every training sample.
    seed : int, keyword-only
        As in :func:`lossylab.distributions.learning_point`.
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        Sliders, the two-panel figure (:func:`lossylab.plotting.draw_novelty`,
        :func:`lossylab.plotting.draw_learning_curves`) and the table of :func:`learning_rows`.

    Raises
    ------
    ValueError
        If ``n`` is not a key of ``curves`` or ``k`` not one of its model sizes.
    """
    ks = tuple(int(v) for v in curves[n].ks) if n in curves else ()
    if n not in curves or k not in ks:
        raise ValueError(f"n must be one of {tuple(curves)} and k one of its ks {ks}, "
                         f"got n={n!r}, k={k!r}; compute curves for the values you want")
    far = {m: D.distance_to_samples(problem.x, problem.samples(m)) > distance for m in curves}
    p_true, entropy_bits = problem.p_true, D.entropy(problem.p_true)
    fig, axes = plotting.new_figure(1, 2, figsize=figsize, width_ratios=[1.6, 1])
    fig.set_dpi(80)
    p_model = D.learning_point(n, k, seed=seed).p_model
    density = plotting.draw_novelty(problem.x, p_true, p_model, far=far[n],
                                    has_sample=_has_sample(problem, n), r=r, ax=axes[0])
    bits = plotting.draw_learning_curves(curves[n], k=k, entropy_bits=entropy_bits, ax=axes[1])
    live_fig = LiveFigure(fig, animated=density.animated + bits.animated)
    table = widgets.HTML()

    def update(n: int, k: int, r: float) -> None:
        p_model = D.learning_point(n, k, seed=seed).p_model
        plotting.update_novelty(density, p_true, p_model, far=far[n],
                                has_sample=_has_sample(problem, n), r=r)
        plotting.update_learning_curves(bits, curves[n], k=k)
        table.value = number_table(learning_rows(problem, curves[n], k, r=r, distance=distance,
                                                 seed=seed))
        live_fig.refresh()

    controls = {"n": widgets.SelectionSlider(options=tuple(curves), value=n,
                                             description="N (data)"),
                "k": widgets.SelectionSlider(options=ks, value=k, description="K (model)"),
                "r": _r_slider(r)}
    return live(update, controls, live_fig.widget, table)


def _block_at(dct_blocks: np.ndarray, quality: int, row: int, col: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block quantized at ``quality``: (quantization table, quantized, decoded), all 8x8."""
    from lossylab import jpeg  # imported late: only notebook 03 needs it

    table = jpeg.quant_tables(quality).luma
    quantized = jpeg.quantize(dct_blocks[row, col], table)
    decoded = jpeg.unlevel_shift(jpeg.idct2(jpeg.dequantize(quantized, table)))
    return table, quantized, decoded


def block_picker_widget(luma: np.ndarray, dct_blocks: np.ndarray, *, quality: int, row: int,
                        col: int, zero_fraction: Sequence[float]) -> widgets.Box:
    """Live :func:`lossylab.plotting.draw_block_picker`, with quality, row and column sliders.

    Parameters
    ----------
    luma : numpy.ndarray, shape (8 * n_rows, 8 * n_cols)
        Luma samples, 0-255.
    dct_blocks : numpy.ndarray, shape (n_rows, n_cols, 8, 8)
        The level-shifted blocks' DCT coefficients (``jpeg.dct2``), computed once.
    quality, row, col : int, keyword-only
        Initial slider values.
    zero_fraction : sequence of float, keyword-only
        Fraction of the image's quantized luma coefficients that are zero, at qualities
        1 to 100 (entry ``quality - 1``), precomputed.

    Returns
    -------
    ipywidgets.Box
        Sliders, the figure, and a table: non-zero coefficients in the block, the DC and
        largest steps, the image's zero fraction.

    Raises
    ------
    ValueError
        If ``dct_blocks`` does not have one 8x8 block per 8x8 square of ``luma``, or
        ``zero_fraction`` does not have 100 entries.
    """
    n_rows, n_cols = dct_blocks.shape[:2]
    if dct_blocks.shape[2:] != (8, 8) or luma.shape != (8 * n_rows, 8 * n_cols):
        raise ValueError(f"dct_blocks must have shape (H/8, W/8, 8, 8) for luma of shape "
                         f"(H, W), got {dct_blocks.shape} and {luma.shape}")
    if len(zero_fraction) != 100:
        raise ValueError(f"zero_fraction must have 100 entries (qualities 1..100), "
                         f"got {len(zero_fraction)}")
    _, quantized, decoded = _block_at(dct_blocks, quality, row, col)
    drawn = plotting.draw_block_picker(luma, row=row, col=col, quantized=quantized,
                                       decoded=decoded)
    live_fig = LiveFigure(drawn.fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, row: int, col: int) -> None:
        steps, quantized, decoded = _block_at(dct_blocks, quality, row, col)
        plotting.update_block_picker(drawn, luma, row=row, col=col, quantized=quantized,
                                     decoded=decoded)
        table.value = number_table({
            "non-zero in this block": f"{np.count_nonzero(quantized)} / 64",
            "DC step, largest step": f"{steps[0, 0]}, {steps.max()}",
            "zero luma coefficients (image)": f"{zero_fraction[quality - 1]:.1%}"})
        live_fig.refresh()

    controls = {"quality": widgets.IntSlider(value=quality, min=1, max=100,
                                             description="quality"),
                "row": widgets.IntSlider(value=row, min=0, max=n_rows - 1,
                                         description="block row"),
                "col": widgets.IntSlider(value=col, min=0, max=n_cols - 1,
                                         description="block col")}
    return live(update, controls, live_fig.widget, table)


def side_by_side_rows(jpeg_curves: Sequence[JPEGCurve], quality: int,
                      points: Sequence[LMPoint]) -> dict[str, str]:
    """The numbers under the side-by-side figure: JPEG's mean over photographs, each model's.

    Parameters
    ----------
    jpeg_curves : sequence of lossylab.compare.JPEGCurve
    quality : int
        One of the curves' qualities.
    points : sequence of lossylab.compare.LMPoint
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
                        lm_curves: Sequence[plotting.LMCurveSpec], *,
                        jpeg_colors: Sequence[str], quality: int,
                        knobs: Sequence[tuple[str, Sequence[Any], int]],
                        figsize: tuple[float, float] = (8.6, 3.0)) -> widgets.Box:
    """Live :func:`lossylab.plotting.draw_side_by_side`: a quality slider and one per LM curve.

    Parameters
    ----------
    jpeg_curves, lm_curves, jpeg_colors
        As in :func:`lossylab.plotting.draw_side_by_side`.
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
    fig, axes = plotting.new_figure(1, 2, figsize=figsize)
    fig.set_dpi(80)
    drawn = plotting.draw_side_by_side(jpeg_curves, lm_curves, jpeg_colors=jpeg_colors,
                                       quality=quality, picks=picks, axes=axes)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, **picked: int) -> None:
        picks = [picked[f"lm{n}"] for n in range(len(lm_curves))]
        plotting.update_side_by_side(drawn, jpeg_curves, lm_curves, quality=quality,
                                     picks=picks)
        table.value = number_table(side_by_side_rows(
            jpeg_curves, quality, plotting.picked_points(lm_curves, picks)))
        live_fig.refresh()

    controls: dict[str, widgets.ValueWidget] = {"quality": widgets.SelectionSlider(
        options=[int(q) for q in jpeg_curves[0].qualities], value=quality,
        description="JPEG quality")}
    for n, (description, values, index) in enumerate(knobs):
        controls[f"lm{n}"] = widgets.SelectionSlider(
            options=[(str(v), i) for i, v in enumerate(values)], value=index,
            description=description)
    return live(update, controls, live_fig.widget, table)


# --- notebook 04: real round trips of the photographs, generation loss, uploads -------------


@lru_cache(maxsize=4)
def _error_palette(vmax: float) -> list[int]:
    """The error colour map as a flat PNG palette: grey level e -> cmap(min(e / vmax, 1))."""
    from matplotlib import colormaps

    rgb = colormaps[plotting.CMAP_ERROR](np.minimum(np.arange(256) / vmax, 1))[:, :3]
    return (rgb * 255).astype(np.uint8).ravel().tolist()  # (768,) ints


def error_png(original: np.ndarray, decoded: np.ndarray, *, vmax: float = 32.0) -> bytes:
    """The error map of :func:`lossylab.images.worst_error` as a small palette PNG.

    Parameters
    ----------
    original, decoded : numpy.ndarray
        uint8, same shape, (H, W) or (H, W, 3).
    vmax : float, keyword-only
        Error (grey levels) at which the colour saturates.

    Returns
    -------
    bytes
        A PNG, half the size of the image, coloured with ``lossylab.plotting.CMAP_ERROR``.

    Raises
    ------
    ValueError
        If ``vmax`` is not positive (and as :func:`lossylab.images.worst_error`).
    """
    if not vmax > 0:
        raise ValueError(f"vmax must be a positive number of grey levels, got {vmax!r}")
    im = Image.fromarray(images.worst_error(original, decoded))
    im.putpalette(_error_palette(float(vmax)))
    buffer = io.BytesIO()
    im.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def roundtrip_rows(image: np.ndarray, rt: RoundTrip, *, psnr_db: float, png_n_bytes: int,
                   ssim: float | None) -> dict[str, str]:
    """The numbers of one round trip: size, bpp, compression ratios, PSNR, SSIM.

    Parameters
    ----------
    image : numpy.ndarray
        The original (its ``nbytes`` is the raw size).
    rt : lossylab.images.RoundTrip
    psnr_db : float, keyword-only
    png_n_bytes : int, keyword-only
        Size of the lossless PNG of ``image``.
    ssim : float or None, keyword-only
        None shows "press the button" (SSIM is too slow for every slider move).

    Returns
    -------
    dict of str to str
        Label to formatted value, for :func:`number_table`.
    """
    return {"bytes": f"{rt.n_bytes:,}", "bits per pixel": f"{rt.bpp:.3f}",
            "ratio vs raw": f"{image.nbytes / rt.n_bytes:.1f}",
            "ratio vs PNG": f"{png_n_bytes / rt.n_bytes:.2f}", "PSNR": f"{psnr_db:.2f} dB",
            "SSIM": "press the button" if ssim is None else f"{ssim:.4f}"}


@lru_cache(maxsize=8)
def _half_size_png(name: str) -> bytes:
    """A photograph, lossless, at half size (2x2 box average): what the "original" view shows."""
    return images.png_bytes(np.asarray(Image.fromarray(images.photograph(name)).reduce(2)))


def roundtrip_widget(quality: widgets.IntSlider, *, colors: Mapping[str, str],
                     windows: Mapping[str, tuple[slice, slice]] | None = None,
                     name: str = "astronaut", subsampling: str = "4:2:0",
                     figsize: tuple[float, float] = (4.2, 2.6)) -> widgets.Box:
    """Real JPEG round trips of the bundled photographs: original, file, zoom, error, numbers.

    Parameters
    ----------
    quality : ipywidgets.IntSlider
        The quality slider (passed in, so that a notebook can time it).
    colors : mapping of str to str, keyword-only
        The photographs offered (names of :data:`lossylab.images.PHOTOGRAPHS`) and the colour
        of each one's curve.
    windows : mapping of str to (slice, slice), keyword-only
        Zoom window per photograph (default: the central 64 x 64 pixels).
    name, subsampling : str, keyword-only
        Initial photograph and chroma subsampling ("4:2:0" or "4:4:4").
    figsize : (float, float), keyword-only
        Size of the rate-distortion figure.

    Returns
    -------
    ipywidgets.Box
        The three controls, four pictures (the middle one is the JPEG file itself), a table of
        :func:`roundtrip_rows` with a button that computes SSIM, and the rate-distortion figure
        of :func:`lossylab.plotting.draw_jpeg_rate_psnr` with the current round trip ringed.

    Raises
    ------
    ValueError
        If ``name`` is not one of ``colors``.

    Notes
    -----
    The rate-distortion curves and the PNGs are computed once (about 1 s per photograph) and
    cached, so that a move costs one encode and decode, one PSNR and a few small PNGs.
    """
    if name not in colors:
        raise ValueError(f"name must be one of the photographs of colors {tuple(colors)}, "
                         f"got {name!r}")
    windows = dict(windows or {})
    fig, ax = plotting.new_figure(figsize=figsize)
    fig.set_dpi(80)
    curves = {n: images.photograph_rate_distortion(n) for n in colors}
    drawn = plotting.draw_jpeg_rate_psnr(curves, colors=colors, ax=ax)
    for n in colors:  # cached now, so that switching photographs stays fast
        images.photograph_png(n)
        _half_size_png(n)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    views = [widgets.Image(format=f, width=200) for f in ("png", "jpeg", "png", "png")]
    table, button = widgets.HTML(), widgets.Button(description="compute SSIM")

    def update(quality: int, name: str, subsampling: str) -> None:
        image = images.photograph(name)
        rt = images.roundtrip(image, quality, subsampling=subsampling)
        psnr = images.psnr_db(image, rt.decoded, data_range=255)
        views[0].value = _half_size_png(name)
        views[1].value = rt.data  # the real file
        views[2].value = array_png(images.zoom(rt.decoded, window=windows.get(name)))
        views[3].value = error_png(image, rt.decoded)
        ssim = images.photograph_ssim(name, quality, subsampling, compute=False)
        table.value = number_table(roundtrip_rows(
            image, rt, psnr_db=psnr, png_n_bytes=images.photograph_png_n_bytes(name), ssim=ssim))
        plotting.update_jpeg_rate_psnr(drawn, bpp=rt.bpp, psnr_db=psnr)
        live_fig.refresh()

    controls = {"quality": quality,
                "name": widgets.Dropdown(options=tuple(colors), value=name,
                                         description="photograph"),
                "subsampling": widgets.ToggleButtons(options=["4:2:0", "4:4:4"],
                                                     value=subsampling, description="chroma")}

    def on_ssim(_: Any) -> None:
        values = {key: control.value for key, control in controls.items()}
        images.photograph_ssim(values["name"], values["quality"], values["subsampling"])
        update(**values)  # computes and caches (~0.1 s), then shows it

    button.on_click(on_ssim)
    return widgets.VBox([live(update, controls, widgets.HBox(views)),
                         widgets.HBox([widgets.VBox([table, button]), live_fig.widget])])


def generation_widget(loss: GenerationLoss, *, window: tuple[slice, slice] | None = None,
                      n: int = 1) -> widgets.Box:
    """A slider over the generations of :func:`lossylab.images.generation_loss`: zoom and numbers.

    Parameters
    ----------
    loss : lossylab.images.GenerationLoss
        Computed before: a move only re-encodes a small PNG.
    window : (slice, slice), keyword-only
        Zoom window (default: the central 64 x 64 pixels).
    n : int, keyword-only
        Initial generation, 1 to ``len(loss.decoded)``.

    Returns
    -------
    ipywidgets.Box
        The slider, the zoomed crop of generation N and a table (PSNR, bytes).
    """
    view, text = widgets.Image(format="png", width=256), widgets.HTML()

    def update(n: int) -> None:
        view.value = array_png(images.zoom(loss.decoded[n - 1], window=window))
        text.value = number_table({"generation": str(n), "PSNR": f"{loss.psnr_db[n - 1]:.2f} dB",
                                   "bytes": f"{loss.n_bytes[n - 1]:,}"})

    slider = widgets.IntSlider(value=n, min=1, max=len(loss.decoded), description="generation N")
    return live(update, {"n": slider}, widgets.HBox([view, text]))


def describe_upload(data: bytes) -> tuple[str, LoadedImage | None]:
    """Load an upload with :func:`lossylab.images.load_image` and say what happened.

    Parameters
    ----------
    data : bytes
        The file's contents.

    Returns
    -------
    about : str
        HTML: the format, size, mode and conversions made, or why the file was refused.
    loaded : lossylab.images.LoadedImage or None
        None if the file was refused.
    """
    try:
        loaded = images.load_image(data)
    except images.ImageLoadError as err:  # every refusal: empty, not an image, too large, ...
        return f"<b>Refused:</b> {err}", None
    h, w = loaded.pixels.shape[:2]
    return f"<b>{loaded.format}</b> {w}x{h} ({loaded.mode}): {'; '.join(loaded.notes)}.", loaded


def describe_roundtrip(pixels: np.ndarray, quality: int) -> tuple[RoundTrip, str]:
    """Round-trip ``pixels`` at ``quality``; the round trip and a one-line summary (text)."""
    rt = images.roundtrip(pixels, quality)
    return rt, f" Quality {quality}: {rt.n_bytes:,} bytes, {rt.bpp:.2f} bpp."


def upload_widget(*, quality: int = 50) -> widgets.Box:
    """Upload any image and see it as the JPEG file libjpeg writes, with a quality slider.

    Parameters
    ----------
    quality : int, keyword-only
        Initial quality (the slider updates when released: a large upload takes a while).

    Returns
    -------
    ipywidgets.Box
        The upload button, the slider, a message (:func:`describe_upload`, then
        :func:`describe_roundtrip`) and the JPEG file.
    """
    upload = widgets.FileUpload(accept="image/*", multiple=False, description="your image")
    slider = widgets.IntSlider(value=quality, min=1, max=100, description="quality",
                               continuous_update=False)
    message, view = widgets.HTML(), widgets.Image(format="jpeg", width=320)
    own: dict[str, Any] = {}  # the last upload: "about" (HTML) and, if accepted, "pixels"

    def update(quality: int) -> None:
        if "pixels" not in own:
            message.value = own.get("about", "Upload an image to see it as JPEG.")
            return
        rt, line = describe_roundtrip(own["pixels"], quality)
        view.value = rt.data
        message.value = own["about"] + line

    def on_upload(change: Mapping[str, Any]) -> None:
        if not change["new"]:
            return
        file = change["new"][0]
        about, loaded = describe_upload(file["content"])
        own.clear()
        own["about"] = f"{file['name']}: {about}"
        if loaded is not None:
            own["pixels"] = loaded.pixels
        update(slider.value)

    upload.observe(on_upload, names="value")
    return widgets.VBox([upload, live(update, {"quality": slider}, message, view)])


# --- notebook 06: paying for the model, rounding its weights, your own text -----------------


def chars_text(n_chars: float, *, reference: str = "xz") -> str:
    """A break-even length as text: ``"12,345 chars"``, or never if the model is worse.

    Examples
    --------
    >>> chars_text(12345.4), chars_text(float("inf"))
    ('12,345 chars', 'never (worse than xz)')
    """
    return f"{n_chars:,.0f} chars" if np.isfinite(n_chars) else f"never (worse than {reference})"


def adjusted_rate_widget(families: Mapping[str, Sequence[str]], *,
                         bits_per_char: Mapping[str, float], model_bits: Mapping[str, float],
                         reference_bits_per_char: float, reference: str = "xz", name: str,
                         n_chars: float, figsize: tuple[float, float] = (5, 2.6)) -> widgets.Box:
    """Live :func:`lossylab.plotting.draw_adjusted_rates`, with sliders for a model and N.

    Parameters
    ----------
    families : mapping of str to sequence of str
        Legend label to the names of its models, smallest first.
    bits_per_char : mapping of str to float, keyword-only
        Every model's held-out bits per character (the slider offers them in this order).
    model_bits : mapping of str to float, keyword-only
        Every model's size in bits.
    reference_bits_per_char : float, keyword-only
        The standard compressor to beat (``reference`` names it).
    name : str, keyword-only
        The model ringed at first.
    n_chars : float, keyword-only
        The text length N at first (the slider spans N = 10^4 to 10^9).
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        The model and log10 N sliders, the figure and a table (rates, break-even length).

    Raises
    ------
    ValueError
        If a model of ``families`` or ``name`` has no rate or size.
    """
    missing = [n for names in families.values() for n in names
               if n not in bits_per_char or n not in model_bits]
    if missing or name not in bits_per_char or name not in model_bits:
        raise ValueError(f"bits_per_char and model_bits must cover every model of families and "
                         f"name {name!r}; missing {missing or [name]}")

    def adjusted(n: str, n_text: float) -> float:
        return coding.adjusted_bits_per_char(bits_per_char[n], model_bits[n], n_text)

    def rates(n_text: float) -> list[list[float]]:
        return [[adjusted(n, n_text) for n in names] for names in families.values()]

    fig, ax = plotting.new_figure(figsize=figsize)
    fig.set_dpi(80)
    drawn = plotting.draw_adjusted_rates(
        {label: ([model_bits[n] for n in names], r)
         for (label, names), r in zip(families.items(), rates(n_chars), strict=True)},
        reference_bits_per_char=reference_bits_per_char, reference_label=f"{reference} alone",
        ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)  # only the curves and the ring move
    table = widgets.HTML()

    def update(name: str, log10_chars: float) -> None:
        n_text = 10.0 ** log10_chars
        plotting.update_adjusted_rates(drawn, rates(n_text),
                                       marker=(model_bits[name], adjusted(name, n_text)))
        live_fig.refresh()
        break_even = coding.break_even_chars(bits_per_char[name], model_bits[name],
                                             reference_bits_per_char=reference_bits_per_char)
        table.value = number_table({
            "text length N": f"{n_text:,.0f} chars", "model": name,
            "raw bits/char": f"{bits_per_char[name]:.3f}",
            "adjusted bits/char": f"{adjusted(name, n_text):.3f}",
            f"break-even vs {reference}": chars_text(break_even, reference=reference)})

    controls = {"name": widgets.SelectionSlider(options=list(bits_per_char), value=name,
                                                description="model"),
                "log10_chars": widgets.FloatSlider(value=np.log10(n_chars), min=4, max=9,
                                                   step=0.1, description="log10 N")}
    return live(update, controls, live_fig.widget, table, layout="horizontal")


def quantization_widget(sweep: Mapping[tuple[int, bool], tuple[float, float, str]], *,
                        float_rate: float, bits: int = 8,
                        figsize: tuple[float, float] = (4.5, 2.6)) -> widgets.Box:
    """Live :func:`lossylab.plotting.draw_quantization`: bits per weight, per tensor or per row.

    Parameters
    ----------
    sweep : mapping of (int, bool) to (float, float, str)
        ``(bits per weight, per_tensor)`` to (bits per character, the rounded model's size
        in bits, a sample it wrote), for every bits value with both schemes; computed before,
        so a move costs no model evaluation.
    float_rate : float, keyword-only
        The float32 model's bits per character.
    bits : int, keyword-only
        The initial bits per weight.
    figsize : (float, float), keyword-only

    Returns
    -------
    ipywidgets.Box
        The bits slider and the scheme toggle, the figure, and a table with the sample.

    Raises
    ------
    ValueError
        If ``sweep`` lacks one of the schemes for some bits value, or ``bits`` is not in it.
    """
    all_bits = sorted({b for b, _ in sweep})
    if any((b, pt) not in sweep for b in all_bits for pt in (True, False)) or bits not in all_bits:
        raise ValueError(f"sweep must hold (bits, True) and (bits, False) for every bits value, "
                         f"and bits must be one of them; got keys {sorted(sweep)}, bits={bits!r}")
    fig, ax = plotting.new_figure(figsize=figsize)
    fig.set_dpi(80)
    drawn = plotting.draw_quantization(
        all_bits, {label: [sweep[b, pt][0] for b in all_bits]
                   for label, pt in (("per tensor", True), ("per row", False))},
        float_rate=float_rate, ax=ax)
    live_fig = LiveFigure(fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(bits: int, per_tensor: bool) -> None:
        rate, size, sample = sweep[bits, per_tensor]
        plotting.update_quantization(drawn, bits=bits, rate=rate)
        live_fig.refresh()
        table.value = number_table({"bits/char": f"{rate:.3f}",
                                    "model size": f"{size / 8e3:.1f} kB"}) + \
            f"<pre style='font-size:10px'>{sample.replace('<', '&lt;')}</pre>"

    controls = {"bits": widgets.IntSlider(value=bits, min=all_bits[0], max=all_bits[-1],
                                          description="bits/weight"),
                "per_tensor": widgets.ToggleButtons(options=[("per tensor", True),
                                                             ("per row", False)], value=True)}
    return live(update, controls, live_fig.widget, table, layout="horizontal")


def text_rates(text: str, models: Sequence[CharLM]) -> dict[str, str]:
    """Bits per character of ``text`` under each model and under gzip, formatted.

    Parameters
    ----------
    text : str
        Not empty.
    models : sequence of lossylab.lm.CharLM

    Returns
    -------
    dict of str to str
        Model name (and "gzip") to bits per character, for :func:`number_table`.
    """
    rows = {m.name: f"{m.bits_per_char(text):.3f}" for m in models}
    rows["gzip"] = f"{coding.gzip_bits_per_char(text):.3f}"
    return rows


def text_widget(models: Sequence[CharLM], *, text: str) -> widgets.Box:
    """A text box and the bits per character of its text (:func:`text_rates`), on Enter.

    Parameters
    ----------
    models : sequence of lossylab.lm.CharLM
    text : str, keyword-only
        The initial text.

    Returns
    -------
    ipywidgets.Box
    """
    box = widgets.Textarea(value=text, rows=3, layout=widgets.Layout(width="90%"),
                           continuous_update=False)
    view = widgets.HTML()

    def update(text: str) -> None:
        view.value = number_table(text_rates(text, models)) if text else "type some text"

    return live(update, {"text": box}, view)
