"""Notebook 03's figure and widget: one 8x8 block through quantization."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from lossylab import jpeg
from lossylab.ui.live import LiveFigure, live, number_table
from lossylab.ui.style import CMAP_VALUES, COLORS, Drawn

__all__ = ["block_picker_widget", "draw_block_picker"]

_GREY: Mapping[str, Any] = dict(cmap="gray", vmin=0, vmax=255, interpolation="nearest")


def draw_block_picker(luma: np.ndarray, *, row: int, col: int, quantized: np.ndarray,
                      decoded: np.ndarray, figsize: tuple[float, float] = (8.4, 3.7),
                      dpi: float = 80) -> Drawn:
    """Build a figure following one 8x8 luma block: where it is, its coefficients, its decode.

    Parameters
    ----------
    luma : numpy.ndarray, shape (height, width)
        The luma samples (0-255) of the whole image; ``row``, ``col``: the block, in blocks.
    quantized, decoded : numpy.ndarray, shape (8, 8), keyword-only
        The block's quantized DCT coefficients (natural order), and the block after
        dequantization, inverse DCT and level shift back.
    figsize, dpi : keyword-only
        Size of the figure (keep it small for a live figure).

    Returns
    -------
    Drawn
        A figure not managed by pyplot (show ``drawn.fig``): the image, the block, its
        coefficients as ``log10(1 + |q|)``, the decoded block, and the 63 AC coefficients in
        zig-zag order on a symmetric log axis; the artists that the widget moves in place.

    Examples
    --------
    >>> zero = np.zeros((8, 8))
    >>> drawn = draw_block_picker(np.zeros((16, 16)), row=1, col=0, quantized=zero, decoded=zero)
    >>> drawn.artists["box"].get_xy()
    (0, 8)
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
    _update_block_picker(drawn, luma, row=row, col=col, quantized=quantized, decoded=decoded)
    return drawn


def _update_block_picker(drawn: Drawn, luma: np.ndarray, *, row: int, col: int,
                         quantized: np.ndarray, decoded: np.ndarray) -> None:
    """Move the artists of :func:`draw_block_picker` to another block or quality (in place)."""
    n_rows, n_cols = luma.shape[0] // 8, luma.shape[1] // 8
    if not (0 <= row < n_rows and 0 <= col < n_cols):
        raise ValueError(f"row, col must be in [0, {n_rows}) x [0, {n_cols}) for this image, "
                         f"got ({row}, {col})")
    drawn.artists["box"].set_xy((8 * col, 8 * row))
    drawn.artists["orig"].set_data(luma[8 * row : 8 * row + 8, 8 * col : 8 * col + 8])
    drawn.artists["coef"].set_data(np.log10(1 + np.abs(quantized)))
    drawn.artists["rec"].set_data(decoded)
    drawn.artists["zz"].set_ydata(np.asarray(quantized).reshape(64)[jpeg.ZIGZAG][1:])


def _block_at(dct_blocks: np.ndarray, quality: int, row: int, col: int
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One block quantized at ``quality``: (quantization table, quantized, decoded), all 8x8."""
    table = jpeg.quant_tables(quality).luma
    quantized = jpeg.quantize(dct_blocks[row, col], table)
    decoded = jpeg.unlevel_shift(jpeg.idct2(jpeg.dequantize(quantized, table)))
    return table, quantized, decoded


def block_picker_widget(luma: np.ndarray, dct_blocks: np.ndarray, *, quality: int, row: int,
                        col: int, zero_fraction: Sequence[float]) -> widgets.Box:
    """Live :func:`draw_block_picker`, with quality, row and column sliders.

    Parameters
    ----------
    luma, dct_blocks : numpy.ndarray, shapes (8 * n_rows, 8 * n_cols) and (n_rows, n_cols, 8, 8)
        Luma samples (0-255), and the DCT of its level-shifted blocks (``jpeg.dct2``, computed
        once); else a ValueError.
    quality, row, col : int, keyword-only
        Initial slider values.
    zero_fraction : sequence of float, keyword-only
        The image's fraction of zero quantized luma coefficients at qualities 1 to 100.

    Returns
    -------
    ipywidgets.Box
        Sliders, the figure, and a table: the block's non-zero coefficients, the DC and
        largest steps, the image's zero fraction.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # outside Jupyter clear_output prints
    ...     box = block_picker_widget(np.zeros((8, 16)), np.zeros((1, 2, 8, 8)), quality=50,
    ...                               row=0, col=1, zero_fraction=[1.0] * 100)
    >>> [slider.description for slider in box.children[0].children]
    ['quality', 'block row', 'block col']
    """
    n_rows, n_cols = dct_blocks.shape[:2]
    if dct_blocks.shape[2:] != (8, 8) or luma.shape != (8 * n_rows, 8 * n_cols):
        raise ValueError(f"dct_blocks must have shape (H/8, W/8, 8, 8) for luma of shape "
                         f"(H, W), got {dct_blocks.shape} and {luma.shape}")
    if len(zero_fraction) != 100:
        raise ValueError(f"zero_fraction must have 100 entries (qualities 1..100), "
                         f"got {len(zero_fraction)}")
    _, quantized, decoded = _block_at(dct_blocks, quality, row, col)
    drawn = draw_block_picker(luma, row=row, col=col, quantized=quantized, decoded=decoded)
    live_fig = LiveFigure(drawn.fig, animated=drawn.animated)
    table = widgets.HTML()

    def update(quality: int, row: int, col: int) -> None:
        steps, quantized, decoded = _block_at(dct_blocks, quality, row, col)
        _update_block_picker(drawn, luma, row=row, col=col, quantized=quantized, decoded=decoded)
        table.value = number_table({
            "non-zero in this block": f"{np.count_nonzero(quantized)} / 64",
            "DC step, largest step": f"{steps[0, 0]}, {steps.max()}",
            "zero luma coefficients (image)": f"{zero_fraction[quality - 1]:.1%}"})
        live_fig.refresh()

    controls = {"quality": widgets.IntSlider(value=quality, min=1, max=100, description="quality"),
                "row": widgets.IntSlider(value=row, min=0, max=n_rows - 1, description="block row"),
                "col": widgets.IntSlider(value=col, min=0, max=n_cols - 1, description="block col")}
    return live(update, controls, live_fig.widget, table)
